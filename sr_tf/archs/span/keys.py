"""SPAN state dicts (hongyuanyu/SPAN, spandrel ``SPAN``): keys are our layer paths already.

Dropped: every ``eval_conv`` (the 3x3 conv the official code re-fuses from the training branch on
each eval forward; we fuse it ourselves, so files with or without it load alike) and the
``no_norm`` marker buffer, which ``norm=False`` models carry and which is how detection tells them.
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, drop

NAME = "span"
REQUIRED = ("conv_1.sk.weight", "conv_1.conv.0.weight", "block_1.c1_r.sk.weight",
            "block_6.c3_r.conv.2.weight", "conv_cat.weight", "conv_2.sk.weight",
            "upsampler.0.weight")


def detect(state: StateDict) -> Detected | None:
    if not all(k in state for k in REQUIRED) or state["conv_1.sk.weight"].shape[1] != 3:
        return None
    features = state["conv_1.sk.weight"].shape[0]
    scale = math.isqrt(state["upsampler.0.weight"].shape[0] // 3)
    norm = "no_norm" not in state
    assumed = " (assumed: img_range 255, DIV2K rgb_mean)" if norm else ""
    return Detected(NAME, scale, {"feature_channels": features, "norm": norm},
                    f"SPAN, {features} features, norm={norm}{assumed}, x{scale}")


def normalise(state: StateDict) -> StateDict:
    return drop(state, r"(\.eval_conv\.|^no_norm$)")
