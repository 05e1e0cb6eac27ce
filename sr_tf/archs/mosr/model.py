"""MoSR, MambaOut super-resolution (spandrel 0.4.2 ``MoSR/__arch/mosr_arch.py``): gated CNN
blocks (MambaOut's, with a partial depthwise conv), a conv shortcut, and a pixel-shuffle, GPS
(geo-ensemble pixel shuffle) or DySample upsampler. Layer names are the official module paths."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import conv
from sr_tf.layers.dysample import dysample
from sr_tf.layers.torch_activations import mish

UPSAMPLERS = ("ps", "gps", "dys")
GPS_ENSEMBLE = 8        # GPS predicts 8 pixel-shuffle inputs and averages them


def _gated_block(x, name: str, expansion_ratio: float, conv_ratio: float, kernel_size: int):
    """``GatedCNNBlock``: LayerNorm, 3x3 ``fc1`` to (gate, identity, conv) parts, a depthwise
    ``kernel_size`` conv on the last part, ``fc2``; adds ``shortcut - 0.5``."""
    dim = x.shape[-1]
    hidden, conv_channels = int(expansion_ratio * dim), int(conv_ratio * dim)
    y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}.norm")(x)
    y = conv(hidden * 2, 3, f"{name}.fc1")(y)
    gate, rest = y[..., :hidden], y[..., hidden:]
    part = layers.DepthwiseConv2D(kernel_size, padding="same", name=f"{name}.conv")(
        rest[..., hidden - conv_channels:])
    y = mish(gate) * layers.Concatenate()([rest[..., :hidden - conv_channels], part])
    return mish(conv(dim, 3, f"{name}.fc2")(y)) + (x - 0.5)


def _upsample(x, upsampler: str, scale: int):
    if upsampler == "ps":
        return ops.depth_to_space(conv(3 * scale * scale, 3, "upsampler.0")(x), scale)
    if upsampler == "dys":
        return dysample(x, 3, scale, 4, "upsampler")
    # GPS: conv to 8 x (3 s^2), reshape (8, 3 s^2), mean over the 8, pixel shuffle. Shuffled
    # first (the conv feeds the pixel shuffle, so imported weights get its channel order) and
    # then averaged: the shuffle moves each channel as a whole, so the order does not matter.
    shuffled = ops.depth_to_space(conv(GPS_ENSEMBLE * 3 * scale * scale, 3,
                                       "upsampler.in_to_k")(x), scale)
    return layers.Average()([shuffled[..., 3 * e:3 * e + 3] for e in range(GPS_ENSEMBLE)])


def mosr(scale: int = 4, n_block: int = 24, dim: int = 64, upsampler: str = "ps",
         drop_path: float = 0.0, kernel_size: int = 7, expansion_ratio: float = 1.5,
         conv_ratio: float = 1.0) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR. ``upsampler``: ps, gps or dys. ``drop_path`` (stochastic depth,
    training only) is accepted but not implemented: it must be 0."""
    if upsampler not in UPSAMPLERS:
        raise ValueError(f"MoSR upsampler must be one of {', '.join(UPSAMPLERS)}; "
                         f"got {upsampler!r}")
    if drop_path:
        raise ValueError("MoSR drop_path (stochastic depth) is not implemented; use 0")
    lr = keras.Input((None, None, 3), name="lr")
    x = conv(dim, 3, "gblocks.0")(lr)
    for i in range(1, n_block + 1):
        x = _gated_block(x, f"gblocks.{i}", expansion_ratio, conv_ratio, kernel_size)
    x = mish(conv(dim * 2, 3, f"gblocks.{n_block + 1}")(x))
    x = mish(conv(dim, 3, f"gblocks.{n_block + 3}")(x))
    x = conv(dim, 1, f"gblocks.{n_block + 5}")(x)
    short = mish(conv(dim, 3, "shortcut.block.2")(mish(conv(dim, 3, "shortcut.block.0")(lr))))
    short = short + conv(dim, 1, "shortcut.conv11")(lr)
    return keras.Model(lr, _upsample(x + (short - 0.5), upsampler, scale), name=f"mosr_x{scale}")
