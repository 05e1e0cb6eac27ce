"""DRCT, the Dense-residual-connected Transformer (Hsu et al. 2024): SwinIR whose residual
groups are dense: each of 5 Swin blocks sees the group input and every earlier block's ``gc``
growth channels (1x1 ``adjust`` convs), and the group adds 0.2 x its output to its input.

Layer names follow ming053l/DRCT ``drct/archs/DRCT_arch.py``. The official model needs inputs that
are multiples of the window (its test code reflect-pads outside the model); ours pads inside and
crops, so any input size works and a multiple of the window gives the official output.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import layers

from sr_tf.layers.common import check_scale, conv
from sr_tf.layers.window_attention import (SwinTransformerBlock, check_stages, layer_norm,
                                           pixel_shuffle_reconstruction, window_model)

DENSE_BLOCKS = 5        # Swin blocks per residual dense group (fixed in the official code)


def dense_group(x: keras.KerasTensor, prefix: str, num_heads: int, window_size: int,
                mlp_ratio: float, gc: int) -> keras.KerasTensor:
    """RDG: blocks on the growing concatenation ``[x, x1, ...]``; shifted windows in blocks 2
    and 4, ``mlp_ratio`` 1 in blocks 4 and 5; heads cut to ``h - (C % h)`` for C channels."""
    dim = x.shape[-1]
    features = [x]
    for k in range(DENSE_BLOCKS):
        y = features[0] if k == 0 else layers.Concatenate()(features)
        channels = dim + k * gc
        y = SwinTransformerBlock(channels, num_heads - channels % num_heads, window_size,
                                 window_size // 2 if k % 2 else 0, mlp_ratio if k < 3 else 1.0,
                                 name=f"{prefix}.swin{k + 1}")(y)
        y = conv(gc if k < DENSE_BLOCKS - 1 else dim, 1, f"{prefix}.adjust{k + 1}")(y)
        if k < DENSE_BLOCKS - 1:
            features.append(layers.LeakyReLU(0.2)(y))
    return layers.Add()([x, layers.Rescaling(0.2)(y)])


def drct(scale: int = 4, embed_dim: int = 180, depths: Sequence[int] = (6,) * 6,
         num_heads: Sequence[int] = (6,) * 6, window_size: int = 16, mlp_ratio: float = 2.0,
         resi_connection: str = "1conv", img_range: float = 1.0, gc: int = 32) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. Defaults: DRCT (DRCT-L: ``depths=num_heads=(6,)*12``).

    ``depths`` only sets the number of groups (len); each group has 5 blocks. Pixel-shuffle
    reconstruction with 64 features. ``resi_connection``: ``1conv`` or ``identity``.
    """
    check_scale("drct", scale, (2, 3, 4, 8))
    if resi_connection not in ("1conv", "identity"):
        raise ValueError(f"drct resi_connection must be 1conv or identity, not {resi_connection!r}")
    check_stages(embed_dim, depths, num_heads)

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(x)
        y = layer_norm("patch_embed.norm")(x)
        for i in range(len(depths)):
            y = dense_group(y, f"layers.{i}", num_heads[i], window_size, mlp_ratio, gc)
        y = layer_norm("norm")(y)
        if resi_connection == "1conv":
            y = conv(embed_dim, 3, "conv_after_body")(y)
        return pixel_shuffle_reconstruction(layers.Add()([x, y]), scale, 64)

    return window_model(f"drct_x{scale}", scale, window_size, img_range, network)
