"""SwinIR (Liang et al. 2021): residual groups of Swin Transformer blocks.

Layer names follow JingyunLiang/SwinIR ``models/network_swinir.py`` (the same in BasicSR's
``swinir_arch.py``). As the official forward does, the input is reflect-padded to a multiple of
the window and the output cropped, so any input size works.
"""

from __future__ import annotations

from typing import Sequence

import keras

from sr_tf.layers.common import check_scale, conv
from sr_tf.layers.window_attention import (SwinTransformerBlock, check_stages, deep_features,
                                           reconstruction, swin_groups, window_model)

UPSAMPLERS = {"pixelshuffle": (2, 3, 4, 8), "pixelshuffledirect": (2, 3, 4, 8),
              "nearest+conv": (2, 4)}


def swinir(scale: int = 4, embed_dim: int = 180, depths: Sequence[int] = (6,) * 6,
           num_heads: Sequence[int] = (6,) * 6, window_size: int = 8, mlp_ratio: float = 2.0,
           upsampler: str = "pixelshuffle", resi_connection: str = "1conv",
           img_range: float = 1.0, num_feat: int = 64) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. Defaults: SwinIR-M for classical SR.

    ``upsampler``: ``pixelshuffle`` (classical), ``pixelshuffledirect`` (lightweight: one conv
    and one pixel shuffle), ``nearest+conv`` (real-world, x2/x4). ``resi_connection``: ``1conv``
    or ``3conv``. ``num_feat``: channels of the reconstruction (64 in the official code).
    """
    if upsampler not in UPSAMPLERS:
        raise ValueError(f"upsampler must be one of {', '.join(UPSAMPLERS)}, not {upsampler!r}")
    check_scale(f"swinir with upsampler {upsampler}", scale, UPSAMPLERS[upsampler])
    check_stages(embed_dim, depths, num_heads)

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(x)
        groups = swin_groups(SwinTransformerBlock, embed_dim, depths, num_heads, window_size,
                             mlp_ratio)
        return reconstruction(deep_features(x, groups, resi_connection), upsampler, scale,
                              num_feat)

    return window_model(f"swinir_x{scale}", scale, window_size, img_range, network)
