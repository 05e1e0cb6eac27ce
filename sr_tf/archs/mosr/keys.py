"""MoSR state dicts (spandrel ``MoSR``): keys are our layer paths; the depthwise convs
``gblocks.N.conv`` are laid out for ``DepthwiseConv2D``; DySample's ``init_pos`` is dropped
(rebuilt from the scale)."""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop
from sr_tf.layers.torch_layout import depthwise_kernels

NAME = "mosr"
REQUIRED = ("gblocks.0.weight", "gblocks.1.norm.weight", "gblocks.1.fc1.weight",
            "gblocks.1.conv.weight", "gblocks.1.fc2.weight", "shortcut.conv11.weight")


def detect(state: StateDict) -> Detected | None:
    if not all(k in state for k in REQUIRED) or state["gblocks.0.weight"].shape[1] != 3:
        return None
    dim = state["gblocks.0.weight"].shape[0]
    fc1, dw = state["gblocks.1.fc1.weight"], state["gblocks.1.conv.weight"]
    if "upsampler.init_pos" in state:
        upsampler, scale = "dys", math.isqrt(state["upsampler.offset.weight"].shape[0] // 8)
    elif "upsampler.in_to_k.weight" in state:
        upsampler, scale = "gps", math.isqrt(state["upsampler.in_to_k.weight"].shape[0] // 24)
    else:
        upsampler, scale = "ps", math.isqrt(state["upsampler.0.weight"].shape[0] // 3)
    n_block = count_indices(state, r"^gblocks\.(\d+)\.") - 6
    kwargs = {"n_block": n_block, "dim": dim, "upsampler": upsampler,
              "kernel_size": dw.shape[2], "expansion_ratio": fc1.shape[0] / fc1.shape[1] / 2,
              "conv_ratio": dw.shape[0] / dim}
    return Detected(NAME, scale, kwargs, f"MoSR, {dim} dim, {n_block} blocks, {upsampler} "
                                         f"upsampler, x{scale}")


def normalise(state: StateDict) -> StateDict:
    return depthwise_kernels(drop(state, r"^upsampler\.init_pos$"), r"^gblocks\.\d+\.conv\.weight$")
