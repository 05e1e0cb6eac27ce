"""DRCT weights: ming053l/DRCT names, which our layers use.

Read from keys and shapes: ``embed_dim`` (``conv_first``), the group count (``depths`` has one
entry per group; its values change nothing and are reported as 6), heads and window (each
group's first bias table), ``mlp_ratio`` (``swin1.mlp.fc1``), ``gc`` (``adjust1``), scale,
``resi_connection``. Not stored: ``img_range`` (1.0 in every release).
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop
from sr_tf.archs.window_keys import BUFFERS, check_rgb, ratio, reconstruction

NAME = "drct"
TABLE = "layers.{}.swin1.attn.relative_position_bias_table"


def detect(state: StateDict) -> Detected | None:
    if not {"conv_first.weight", TABLE.format(0), "layers.0.adjust1.weight",
            "layers.0.swin1.mlp.fc1.weight"} <= set(state):
        return None
    check_rgb(state, "DRCT")
    groups = count_indices(state, r"^layers\.(\d+)\.swin1\.norm1\.weight$")
    embed_dim = int(state["conv_first.weight"].shape[0])
    upsampler, scale, _ = reconstruction(state, "DRCT")
    if upsampler != "pixelshuffle":
        return None
    kwargs = {
        "embed_dim": embed_dim, "depths": [6] * groups,
        "num_heads": [int(state[TABLE.format(i)].shape[1]) for i in range(groups)],
        "window_size": (math.isqrt(state[TABLE.format(0)].shape[0]) + 1) // 2,
        "mlp_ratio": ratio(state["layers.0.swin1.mlp.fc1.weight"].shape[0], embed_dim),
        "resi_connection": "1conv" if "conv_after_body.weight" in state else "identity",
        "img_range": 1.0, "gc": int(state["layers.0.adjust1.weight"].shape[0])}
    return Detected(NAME, scale, kwargs,
                    f"DRCT x{scale}, embed_dim {embed_dim}, {groups} groups, heads "
                    f"{kwargs['num_heads']}, window {kwargs['window_size']}, gc {kwargs['gc']}, "
                    f"mlp_ratio {kwargs['mlp_ratio']}; img_range 1.0 (not stored in the weights: "
                    "override with --config.model.kwargs.img_range)")


def normalise(state: StateDict) -> StateDict:
    """Official names are ours; index and mask buffers are dropped (recomputed)."""
    return drop(state, BUFFERS)
