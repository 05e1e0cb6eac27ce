"""BSRN weights (xiaom233/BSRN, BasicSR ``{"params": state_dict}``): the official module paths
are our layer names (``fea_conv.pw``, ``B1..B8.*``, ``c1``, ``c2``,
``upsampler.upsampleOneStep.0``)."""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices

NAME = "bsrn"


def detect(state: StateDict) -> Detected | None:
    """BSConvU ``fea_conv``, ESDB blocks ``B1..`` with ESA ``conv_max``, the one-step
    pixel-shuffle upsampler. BSRN-S (``RFDNFINALB5``, another class) is not claimed."""
    needed = {"fea_conv.pw.weight", "B1.esa.conv_max.pw.weight", "c1.weight",
              "upsampler.upsampleOneStep.0.weight"}
    if not needed <= set(state):
        return None
    num_block = count_indices(state, r"^B(\d+)\.") - 1
    num_feat, stacked = state["fea_conv.pw.weight"].shape[:2]
    channels = stacked // 4
    scale = math.isqrt(state["upsampler.upsampleOneStep.0.weight"].shape[0] // channels)
    return Detected(NAME, scale, {"num_in_ch": channels, "num_out_ch": channels,
                                  "num_feat": num_feat, "num_block": num_block},
                    f"BSRN, {num_feat} features, {num_block} blocks, x{scale} (output channels "
                    f"assumed = input channels)")


def normalise(state: StateDict) -> StateDict:
    return state
