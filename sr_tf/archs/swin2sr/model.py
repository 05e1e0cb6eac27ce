"""Swin2SR (Conde et al. 2022): SwinIR with SwinV2 blocks (scaled cosine attention, continuous
position bias, post-norm) and 1x1 patch-embedding convs around each residual group.

Layer names follow mv-lab/swin2sr ``models/network_swin2sr.py``. As the official forward does,
the input is reflect-padded to a multiple of the window inside the model and the output cropped.
"""

from __future__ import annotations

from typing import Sequence

import keras

from sr_tf.layers.common import check_scale, conv
from sr_tf.layers.window_attention import (SwinV2Block, check_stages, deep_features,
                                           reconstruction, swin_groups, window_model)

UPSAMPLERS = {"pixelshuffle": (2, 3, 4, 8), "pixelshuffledirect": (2, 3, 4, 8),
              "nearest+conv": (4,)}


def swin2sr(scale: int = 2, embed_dim: int = 96, depths: Sequence[int] = (6, 6, 6, 6),
            num_heads: Sequence[int] = (6, 6, 6, 6), window_size: int = 7,
            mlp_ratio: float = 4.0, upsampler: str = "pixelshuffle",
            resi_connection: str = "1conv", img_range: float = 1.0) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (the released
    classical models use ``embed_dim=180, depths=num_heads=(6,)*6, window_size=8,
    mlp_ratio=2``).

    ``upsampler``: ``pixelshuffle`` (classical), ``pixelshuffledirect`` (lightweight) or
    ``nearest+conv`` (real-world, x4). ``resi_connection``: ``1conv`` or ``3conv``.
    """
    if upsampler not in UPSAMPLERS:
        raise ValueError(f"upsampler must be one of {', '.join(UPSAMPLERS)}, not {upsampler!r}")
    check_scale(f"swin2sr with upsampler {upsampler}", scale, UPSAMPLERS[upsampler])
    check_stages(embed_dim, depths, num_heads)

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(x)
        groups = swin_groups(SwinV2Block, embed_dim, depths, num_heads, window_size, mlp_ratio)
        return reconstruction(deep_features(x, groups, resi_connection, patch_proj=True),
                              upsampler, scale)

    return window_model(f"swin2sr_x{scale}", scale, window_size, img_range, network)
