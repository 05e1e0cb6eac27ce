"""SAFMN state dicts (sunny2109/SAFMN, spandrel ``SAFMN``): keys are our layer paths; the
depthwise ``safm.mfr.N`` kernels are laid out for ``DepthwiseConv2D``."""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices
from sr_tf.layers.torch_layout import depthwise_kernels

NAME = "safmn"
REQUIRED = ("to_feat.weight", "feats.0.norm1.weight", "feats.0.norm2.weight",
            "feats.0.safm.mfr.0.weight", "feats.0.safm.mfr.3.weight", "feats.0.safm.aggr.weight",
            "feats.0.ccm.ccm.0.weight", "feats.0.ccm.ccm.2.weight", "to_img.0.weight")


def detect(state: StateDict) -> Detected | None:
    if not all(k in state for k in REQUIRED) or state["to_feat.weight"].shape[1] != 3:
        return None
    dim = state["to_feat.weight"].shape[0]
    n_blocks = count_indices(state, r"^feats\.(\d+)\.")
    ffn_scale = state["feats.0.ccm.ccm.0.weight"].shape[0] / dim
    scale = math.isqrt(state["to_img.0.weight"].shape[0] // 3)
    return Detected(NAME, scale, {"dim": dim, "n_blocks": n_blocks, "ffn_scale": ffn_scale},
                    f"SAFMN, {dim} dim, {n_blocks} blocks, x{scale}")


def normalise(state: StateDict) -> StateDict:
    return depthwise_kernels(state, r"\.safm\.mfr\.\d+\.weight$")
