"""SwinIR weights: JingyunLiang/SwinIR names, which BasicSR shares and our layers use.

Everything but ``img_range`` is read from the keys and shapes: ``embed_dim`` from ``conv_first``,
depths by counting blocks, heads and window from the bias tables, ``mlp_ratio`` from ``fc1``, the
upsampler and scale from the reconstruction convs, ``resi_connection`` from ``layers.0.conv``.
"""

from __future__ import annotations

import math

import numpy as np

from sr_tf.archs.spec import Detected, count_indices, drop
from sr_tf.errors import WeightImportError

NAME = "swinir"
BLOCK = "layers.{}.residual_group.blocks.{}"
BUFFERS = r"\.(relative_position_index|attn_mask)$"     # recomputed by our layers


def window_and_heads(table: np.ndarray) -> tuple[int, int]:
    """Window size and head count of a ``((2 w - 1)², heads)`` relative position bias table."""
    return (math.isqrt(table.shape[0]) + 1) // 2, int(table.shape[1])


def ratio(hidden: int, dim: int) -> float | int:
    """``hidden / dim``, as an int when whole (the official configs write ``mlp_ratio: 2``)."""
    value = hidden / dim
    return int(value) if value.is_integer() else value


def transformer_shape(state: dict[str, np.ndarray]) -> dict:
    """``embed_dim``, ``depths``, ``num_heads``, ``window_size`` and ``mlp_ratio`` of a SwinIR
    or HAT state dict."""
    groups = count_indices(state, r"^layers\.(\d+)\.residual_group\.blocks\.0\.norm1\.weight$")
    depths = [count_indices(state, rf"^layers\.{i}\.residual_group\.blocks\.(\d+)\.norm1\.")
              for i in range(groups)]
    tables = [state[BLOCK.format(i, 0) + ".attn.relative_position_bias_table"]
              for i in range(groups)]
    embed_dim = int(state["conv_first.weight"].shape[0])
    return {"embed_dim": embed_dim, "depths": depths,
            "num_heads": [window_and_heads(t)[1] for t in tables],
            "window_size": window_and_heads(tables[0])[0],
            "mlp_ratio": ratio(state[BLOCK.format(0, 0) + ".mlp.fc1.weight"].shape[0], embed_dim)}


def check_rgb(state: dict[str, np.ndarray], arch: str) -> None:
    """Our generators are RGB -> RGB; say so for greyscale or unshuffled-input checkpoints."""
    channels = state["conv_first.weight"].shape[1]
    if channels != 3:
        raise WeightImportError(f"{arch} weights with {channels} input channels: only RGB "
                                "(3-channel) models are supported")


def pixel_shuffle_scale(state: dict[str, np.ndarray], num_feat: int) -> int:
    """Scale of an ``upsample.0, .2, ...`` conv + PixelShuffle stack: 3, or 2 per stage."""
    stages = count_indices(state, r"^upsample\.(\d+)\.weight$") // 2 + 1
    return 3 if state["upsample.0.weight"].shape[0] == 9 * num_feat else 2 ** stages


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if not {"conv_first.weight", BLOCK.format(0, 0) + ".attn.relative_position_bias_table",
            BLOCK.format(0, 0) + ".mlp.fc1.weight"} <= set(state):
        return None
    if any(".overlap_attn." in key or ".conv_block." in key for key in state):
        return None                                   # HAT
    check_rgb(state, "SwinIR")
    kwargs = transformer_shape(state)
    if "conv_up1.weight" in state:
        upsampler, scale = "nearest+conv", 4 if "conv_up2.weight" in state else 2
        num_feat = int(state["conv_up1.weight"].shape[0])
    elif "conv_before_upsample.0.weight" in state:
        upsampler, num_feat = "pixelshuffle", int(state["conv_before_upsample.0.weight"].shape[0])
        scale = pixel_shuffle_scale(state, num_feat)
    elif "upsample.0.weight" in state:
        upsampler, num_feat = "pixelshuffledirect", 64
        scale = math.isqrt(state["upsample.0.weight"].shape[0] // 3)
    else:
        raise WeightImportError("SwinIR weights without an upsampler (denoising or JPEG "
                                "artifact removal) are not supported: only super-resolution")
    resi = "1conv" if "layers.0.conv.weight" in state else "3conv"
    kwargs |= {"upsampler": upsampler, "resi_connection": resi, "img_range": 1.0,
               "num_feat": num_feat}
    return Detected(NAME, scale, kwargs,
                    f"SwinIR x{scale}, {upsampler}, embed_dim {kwargs['embed_dim']}, depths "
                    f"{kwargs['depths']}, heads {kwargs['num_heads']}, window "
                    f"{kwargs['window_size']}, mlp_ratio {kwargs['mlp_ratio']}, {resi}; img_range "
                    "1.0 (not stored in the weights: override with "
                    "--config.model.kwargs.img_range)")


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Official names are ours; the index and mask buffers are dropped (recomputed)."""
    return drop(state, BUFFERS)
