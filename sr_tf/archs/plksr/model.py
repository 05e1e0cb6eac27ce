"""PLKSR, Partial Large Kernel CNNs for efficient SR (Lee et al. 2024; dslisleedh/PLKSR, as
spandrel 0.4.2 ships it). Layer names are the official module paths, typo ``channe_mixer``
included. Lightweight release: ``dim=64, n_blocks=12, kernel_size=13``; default (x4) 28 blocks."""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import conv
from sr_tf.layers.plk import element_attention, partial_large_kernel, shuffle_plus_nearest
from sr_tf.layers.torch_activations import gelu

# channel mixer -> (first conv's kernel, second conv's kernel)
MIXERS = {"CCM": (3, 1), "ICCM": (1, 3), "DCCM": (3, 3)}
LK_TYPES = ("PLK", "RectSparsePLK")


def _large_kernel(x, channels: int, kernel_size: int, lk_type: str, with_idt: bool, name: str):
    if lk_type == "PLK":
        return partial_large_kernel(x, channels, kernel_size, f"{name}.conv", with_idt)
    # RectSparsePLKConv2d: (m, m/3) + (m/3, m) + (m/3, m/3) convs, odd sizes (as the official
    # code needs: even ones change the size), summed, no identity.
    m, n = kernel_size, kernel_size // 3
    if n % 2 == 0:
        raise ValueError(f"PLKSR RectSparsePLK needs an odd kernel_size // 3; got {n}")
    head = x[..., :channels]
    out = layers.Add()([layers.Conv2D(channels, k, padding="same", name=f"{name}.{part}")(head)
                        for part, k in (("mn_conv", (m, n)), ("nm_conv", (n, m)),
                                        ("nn_conv", (n, n)))])
    return layers.Concatenate()([out, x[..., channels:]])


def plksr(scale: int = 4, dim: int = 64, n_blocks: int = 28, ccm_type: str = "CCM",
          kernel_size: int = 17, split_ratio: float = 0.25, lk_type: str = "PLK",
          with_idt: bool = False, use_ea: bool = True) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. ``lk_type`` PLK or RectSparsePLK (the official
    SparsePLK ablation is not ported: spandrel cannot read its settings off a file either)."""
    if ccm_type not in MIXERS:
        raise ValueError(f"PLKSR ccm_type must be one of {', '.join(MIXERS)}; got {ccm_type!r}")
    if lk_type not in LK_TYPES:
        raise ValueError(f"PLKSR lk_type must be one of {', '.join(LK_TYPES)}; got {lk_type!r}")
    lr = keras.Input((None, None, 3), name="lr")
    x = conv(dim, 3, "feats.0")(lr)
    first, second = MIXERS[ccm_type]
    for i in range(1, n_blocks + 1):
        name = f"feats.{i}"
        skip = x
        x = gelu(conv(dim * 2, first, f"{name}.channe_mixer.0")(x))
        x = conv(dim, second, f"{name}.channe_mixer.2")(x)
        x = _large_kernel(x, int(dim * split_ratio), kernel_size, lk_type, with_idt, f"{name}.lk")
        if use_ea:
            x = element_attention(x, f"{name}.attn")
        x = conv(dim, 1, f"{name}.refine")(x) + skip
    features = conv(3 * scale * scale, 3, f"feats.{n_blocks + 1}")(x)
    return keras.Model(lr, shuffle_plus_nearest(features, lr, scale), name=f"plksr_x{scale}")
