"""RLFN weights (bytedance/RLFN): bare state dicts whose keys are our layer names
(``conv_1``, ``block_1..6.{c1_r,c2_r,c3_r,c5,esa.*}``, ``conv_2``, ``upsampler.0``)."""

from __future__ import annotations

import math

from sr_tf.archs.rlfn.model import ESA_CHANNELS, NUM_BLOCKS
from sr_tf.archs.spec import Detected, StateDict, count_indices

NAME = "rlfn"


def detect(state: StateDict) -> Detected | None:
    """``conv_1``, ``conv_2``, ``upsampler.0`` and six ``block_N`` with ESA. Pruned variants
    (RLFN_Prune: middle widths differ from the feature width) are not claimed."""
    needed = {"conv_1.weight", "conv_2.weight", "upsampler.0.weight",
              "block_1.c1_r.weight", "block_1.esa.conv_f.weight"}
    if not needed <= set(state) or count_indices(state, r"^block_(\d+)\.") != NUM_BLOCKS + 1:
        return None
    feature_channels, in_channels = state["conv_1.weight"].shape[:2]
    if state["block_1.c1_r.weight"].shape[0] != feature_channels or \
            state["block_1.esa.conv1.weight"].shape[0] != ESA_CHANNELS:
        return None
    scale = math.isqrt(state["upsampler.0.weight"].shape[0] // in_channels)
    return Detected(NAME, scale, {"in_channels": in_channels, "out_channels": in_channels,
                                  "feature_channels": feature_channels},
                    f"RLFN, {feature_channels} feature channels, x{scale} (output channels "
                    f"assumed = input channels)")


def normalise(state: StateDict) -> StateDict:
    return state
