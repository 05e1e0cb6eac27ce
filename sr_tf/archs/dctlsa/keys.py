"""DCTLSA weights: zengkun301/DCTLSA names, which our layers use (BatchNorm's
``num_batches_tracked`` dropped).

Read from keys and shapes: ``nf``, ``num_modules`` and scale. Not stored: ``num_head`` (the
attention heads; the qkv weights have the same shape for any count), the config's (official
default 5) is used.
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, drop
from sr_tf.archs.window_keys import check_rgb

NAME = "dctlsa"
BLOCK = "B1.body.0.transformer_body.0.blocks.0.attn"
MARKERS = ("fea_conv.weight", "c.0.weight", "c5.0.weight", "LR_conv.weight",
           "upsampler.0.weight", f"{BLOCK}.qkv.weight", f"{BLOCK}.local.depthwise_conv.weight")


def detect(state: StateDict) -> Detected | None:
    if not set(MARKERS) <= set(state):
        return None
    check_rgb(state, "DCTLSA", "fea_conv.weight")
    nf = int(state["fea_conv.weight"].shape[0])
    kwargs = {"nf": nf, "num_modules": int(state["c.0.weight"].shape[1]) // nf}
    scale = math.isqrt(int(state["upsampler.0.weight"].shape[0]) // 3)
    return Detected(NAME, scale, kwargs,
                    f"DCTLSA x{scale}, nf {nf}; num_head not stored: the config's (default 5) "
                    "is used (--model=dctlsa --config.model.kwargs.num_head)")


def normalise(state: StateDict) -> StateDict:
    """Official names are ours; BatchNorm step counters dropped."""
    return drop(state, r"\.num_batches_tracked$")
