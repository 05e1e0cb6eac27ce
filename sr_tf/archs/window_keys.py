"""State-dict readings shared by the SwinIR-family key mappings (Swin2SR, DRCT, DAT, RGT, ATD,
CRAFT): their reconstruction tails, ratios, and the buffers they store but we recompute."""

from __future__ import annotations

import math

import numpy as np

from sr_tf.archs.spec import StateDict, count_indices
from sr_tf.errors import WeightImportError

# Attention masks and position indices/tables: built from the window (and runtime shape) by us.
BUFFERS = r"(^|\.)(relative_position_index\w*|relative_coords_table|rpe_biases|attn_mask\w*)$"


def ratio(hidden: int, dim: int) -> float | int:
    """``hidden / dim``, as an int when whole (the official configs write ``mlp_ratio: 2``)."""
    value = hidden / dim
    return int(value) if value.is_integer() else value


def check_rgb(state: StateDict, arch: str, key: str = "conv_first.weight") -> None:
    """Our generators are RGB -> RGB; say so for other input channel counts."""
    channels = state[key].shape[1]
    if channels != 3:
        raise WeightImportError(f"{arch} weights with {channels} input channels: only RGB "
                                "(3-channel) models are supported")


def reconstruction(state: StateDict, arch: str) -> tuple[str, int, int]:
    """``(upsampler, scale, num_feat)`` of a SwinIR-style tail: ``pixelshuffle``
    (``conv_before_upsample.0``, ``upsample.0, 2, ...`` x2 stages or one x3, ``conv_last``),
    ``pixelshuffledirect`` (one ``upsample.0`` conv + pixel shuffle) or ``nearest+conv``."""
    if "conv_up1.weight" in state:
        scale = 4 if "conv_up2.weight" in state else 2
        return "nearest+conv", scale, int(state["conv_up1.weight"].shape[0])
    if "conv_before_upsample.0.weight" in state:
        num_feat = int(state["conv_before_upsample.0.weight"].shape[0])
        stages = count_indices(state, r"^upsample\.(\d+)\.weight$") // 2 + 1
        scale = 3 if state["upsample.0.weight"].shape[0] == 9 * num_feat else 2 ** stages
        return "pixelshuffle", scale, num_feat
    if "upsample.0.weight" in state:
        return "pixelshuffledirect", math.isqrt(state["upsample.0.weight"].shape[0] // 3), 64
    raise WeightImportError(f"{arch} weights without a super-resolution upsampler (denoising, "
                            "JPEG or auxiliary variants) are not supported")


def window_of_index(index: np.ndarray) -> int:
    """The window side of a ``[w², w²]`` relative position index buffer."""
    return math.isqrt(int(index.shape[0]))


def split_size(offsets: np.ndarray, index: np.ndarray) -> list[int]:
    """DAT/RGT/CRAFT ``split_size`` ``(sh, sw)`` from a branch-0 window's buffers:
    ``(2 sh - 1)(2 sw - 1)`` rows of (dy, dx) ``offsets``, ``sh sw`` tokens in the relative
    position ``index``; the smaller side first, as in every release (branch 1 is the transpose,
    so the order matters: branch 0's windows are sh rows high)."""
    rows, tokens = int(offsets.shape[0]), int(index.shape[0])
    for sh in range(1, math.isqrt(tokens) + 1):
        if tokens % sh == 0 and (2 * sh - 1) * (2 * (tokens // sh) - 1) == rows:
            return [sh, tokens // sh]
    raise WeightImportError(f"no window fits {tokens} tokens and {rows} position offsets")
