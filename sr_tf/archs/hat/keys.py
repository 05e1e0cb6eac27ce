"""HAT weights: XPixelGroup/HAT names, which our layers use.

Read from keys and shapes: the transformer shape as for SwinIR, ``compress_ratio`` and
``squeeze_factor`` from the CAB convs, ``overlap_ratio`` from the OCAB bias table, the scale from
the upsample convs, ``resi_connection`` from ``conv_after_body``. Not stored: ``conv_scale`` and
``img_range`` (official defaults 0.01 and 1.0, as in every released model).
"""

from __future__ import annotations

import math

import numpy as np

from sr_tf.archs.hat.model import overlapping_window_size
from sr_tf.archs.spec import Detected, drop
from sr_tf.archs.swinir.keys import BLOCK, check_rgb, pixel_shuffle_scale, transformer_shape

NAME = "hat"
OCAB = "layers.0.residual_group.overlap_attn.relative_position_bias_table"
BUFFERS = r"(^|\.)(relative_position_index\w*|attn_mask)$"
NICE_RATIOS = (0.5, 0.25, 0.75, 1.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9)


def divisor(dim: int, reduced: int) -> int:
    """A ratio ``r`` with ``dim // r == reduced`` (all such ``r`` build the same layers)."""
    candidates = [r for r in range(1, dim + 1) if dim // r == reduced]
    if not candidates:
        raise ValueError(f"no ratio reduces {dim} channels to {reduced}")
    return min(candidates, key=lambda r: (dim % r != 0, r))


def overlap_ratio(window: int, size: int) -> float:
    """An ``overlap_ratio`` growing ``window`` to ``size`` (a round one when several do)."""
    for value in NICE_RATIOS:
        if overlapping_window_size(window, value) == size:
            return value
    return (size - window) / window


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    cab = BLOCK.format(0, 0) + ".conv_block.cab"
    if not {"conv_first.weight", OCAB, f"{cab}.0.weight", f"{cab}.3.attention.1.weight",
            "conv_last.weight"} <= set(state):
        return None
    check_rgb(state, "HAT")
    kwargs = transformer_shape(state)
    dim, window = kwargs["embed_dim"], kwargs["window_size"]
    num_feat = int(state["conv_last.weight"].shape[1])
    scale = pixel_shuffle_scale(state, num_feat)
    size = math.isqrt(state[OCAB].shape[0]) - window + 1
    kwargs |= {
        "compress_ratio": divisor(dim, state[f"{cab}.0.weight"].shape[0]),
        "squeeze_factor": divisor(dim, state[f"{cab}.3.attention.1.weight"].shape[0]),
        "overlap_ratio": overlap_ratio(window, size),
        "resi_connection": "1conv" if "conv_after_body.weight" in state else "identity",
        "conv_scale": 0.01, "img_range": 1.0, "num_feat": num_feat}
    return Detected(NAME, scale, kwargs,
                    f"HAT x{scale}, embed_dim {dim}, depths {kwargs['depths']}, heads "
                    f"{kwargs['num_heads']}, window {window}, compress_ratio "
                    f"{kwargs['compress_ratio']}, squeeze_factor {kwargs['squeeze_factor']}, "
                    f"overlap_ratio {kwargs['overlap_ratio']}, mlp_ratio {kwargs['mlp_ratio']}; "
                    "conv_scale 0.01 and img_range 1.0 (not stored in the weights: override with "
                    "--config.model.kwargs.conv_scale / img_range)")


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Official names are ours; the index buffers are dropped (recomputed)."""
    return drop(state, BUFFERS)
