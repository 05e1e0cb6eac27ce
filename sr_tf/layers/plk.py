"""Blocks shared by PLKSR and RealPLKSR (dslisleedh/PLKSR): the partial large-kernel conv, the
element-wise attention and the output stage ``PixelShuffle(conv(x) + repeat_interleave(lr))``."""

from __future__ import annotations

from keras import layers, ops

from sr_tf.layers.common import NearestUpsample


def partial_large_kernel(x, channels: int, kernel_size: int, name: str,
                         identity: bool = False):
    """``PLKConv2d``: a ``kernel_size`` conv (padding k // 2, odd k) on the first ``channels``
    channels only (plus themselves with ``identity``); the other channels pass unchanged."""
    head, tail = x[..., :channels], x[..., channels:]
    out = layers.Conv2D(channels, kernel_size, padding="same", name=name)(head)
    return layers.Concatenate()([out + head if identity else out, tail])


def element_attention(x, name: str):
    """``EA``: ``x * sigmoid(conv3x3(x))`` (the conv is ``{name}.f.0``)."""
    return x * ops.sigmoid(layers.Conv2D(x.shape[-1], 3, padding="same", name=f"{name}.f.0")(x))


def shuffle_plus_nearest(features, lr, scale: int):
    """``PixelShuffle(features + repeat_interleave(lr, scale^2, dim=1))``, written as the pixel
    shuffle of ``features`` (a conv output) plus the nearest-upsampled ``lr``."""
    base = NearestUpsample(scale)(lr)
    return ops.depth_to_space(features, scale) + base
