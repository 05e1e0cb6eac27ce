"""ATD weights: LabShuHangGU/Adaptive-Token-Dictionary names, which our layers use.

Read from keys and shapes: ``embed_dim``, depths, heads and window (each group's first bias
table), ``num_tokens`` (``td``), ``reducted_dim`` (``wq``), ``convffn_kernel_size``,
``mlp_ratio``, ``qkv_bias``, upsampler, scale, ``resi_connection``. Not stored:
``category_size`` (official default 128; the released ATD uses 256, ATD-light 128: pass
``--config.model.kwargs.category_size``) and ``img_range`` (1.0).
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop
from sr_tf.archs.window_keys import BUFFERS, check_rgb, ratio, reconstruction
from sr_tf.errors import WeightImportError

NAME = "atd"
LAYER = "layers.{}.residual_group.layers.0"
CATEGORY_SIZE = 128


def detect(state: StateDict) -> Detected | None:
    first = LAYER.format(0)
    if not {"conv_first.weight", "layers.0.residual_group.td", f"{first}.attn_atd.wq.weight",
            f"{first}.attn_win.relative_position_bias_table"} <= set(state):
        return None
    check_rgb(state, "ATD")
    if "no_norm" in state:
        raise WeightImportError("ATD weights without mean normalisation (no_norm) are not supported")
    groups = count_indices(state, r"^layers\.(\d+)\.residual_group\.td$")
    embed_dim = int(state["conv_first.weight"].shape[0])
    upsampler, scale, _ = reconstruction(state, "ATD")
    table = state[f"{first}.attn_win.relative_position_bias_table"]
    kwargs = {
        "embed_dim": embed_dim,
        "depths": [count_indices(state, rf"^layers\.{i}\.residual_group\.layers\.(\d+)\.norm1\.")
                   for i in range(groups)],
        "num_heads": [int(state[f"{LAYER.format(i)}.attn_win.relative_position_bias_table"]
                          .shape[1]) for i in range(groups)],
        "window_size": (math.isqrt(table.shape[0]) + 1) // 2,
        "category_size": CATEGORY_SIZE,
        "num_tokens": int(state["layers.0.residual_group.td"].shape[0]),
        "reducted_dim": int(state[f"{first}.attn_atd.wq.weight"].shape[0]),
        "convffn_kernel_size": int(
            state[f"{first}.convffn.dwconv.depthwise_conv.0.weight"].shape[-1]),
        "mlp_ratio": ratio(state[f"{first}.convffn.fc1.weight"].shape[0], embed_dim),
        "qkv_bias": f"{first}.wqkv.bias" in state,
        "img_range": 1.0, "upsampler": upsampler,
        "resi_connection": "3conv" if "conv_after_body.0.weight" in state else "1conv"}
    return Detected(NAME, scale, kwargs,
                    f"ATD x{scale}, {upsampler}, embed_dim {embed_dim}, depths "
                    f"{kwargs['depths']}, heads {kwargs['num_heads']}, window "
                    f"{kwargs['window_size']}, {kwargs['num_tokens']} tokens, reducted_dim "
                    f"{kwargs['reducted_dim']}; category_size {CATEGORY_SIZE} and img_range 1.0 "
                    "assumed (not stored in the weights: override with "
                    "--config.model.kwargs.category_size / img_range)")


def normalise(state: StateDict) -> StateDict:
    """Official names are ours; the index buffer is dropped (recomputed)."""
    return drop(state, BUFFERS)
