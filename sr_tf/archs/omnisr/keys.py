"""Omni-SR weights: Francis0625/Omni-SR names, which our layers use (profiling counters
``total_ops`` / ``total_params`` that some releases carry are dropped).

Read from keys and shapes: ``num_feat``, ``bias``, ``res_num``, ``block_num``, ``pe`` and, with
``pe``, ``window_size`` (the relative position table), scale. Without ``pe`` the window size is
stored nowhere: the config's ``window_size`` (official default 8) is used.
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop
from sr_tf.archs.window_keys import check_rgb

NAME = "omnisr"
FIRST = "residual_layer.0.residual_layer.0.layer"
PROFILING = r"(^|\.)(total_ops|total_params)$"


def detect(state: StateDict) -> Detected | None:
    state = drop(state, PROFILING)
    if not {"input.weight", "up.0.weight", f"{FIRST}.0.fn.0.weight"} <= set(state):
        return None
    check_rgb(state, "OmniSR", "input.weight")
    table = state.get(f"{FIRST}.2.fn.rel_pos_bias.weight")
    kwargs = {
        "num_feat": int(state["input.weight"].shape[0]),
        "bias": "input.bias" in state,
        "res_num": count_indices(state, r"^residual_layer\.(\d+)\.esa\.conv1\.weight$"),
        "block_num": count_indices(state, r"^residual_layer\.0\.residual_layer\.(\d+)\.") - 1,
        "pe": table is not None}
    if table is not None:
        kwargs["window_size"] = (math.isqrt(int(table.shape[0])) + 1) // 2
    scale = math.isqrt(int(state["up.0.weight"].shape[0]) // 3)
    window = (f"window_size {kwargs['window_size']}" if table is not None else
              "no position bias: window_size not stored, the config's (default 8) is used "
              "(--config.model.kwargs.window_size)")
    return Detected(NAME, scale, kwargs,
                    f"OmniSR x{scale}, num_feat {kwargs['num_feat']}, {kwargs['res_num']} "
                    f"groups of {kwargs['block_num']} blocks, {window}")


def normalise(state: StateDict) -> StateDict:
    """Official names are ours; profiling counters dropped."""
    return drop(state, PROFILING)
