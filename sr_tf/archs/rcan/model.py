"""RCAN (Zhang et al. 2018): residual groups of residual channel-attention blocks (RCAB).

Layer names follow EDSR-PyTorch ``src/model/rcan.py``, the naming of the official checkpoints:
``head.0``; ``body.G.body.B.body.{0,2}`` (the two convs of block B in group G) and
``body.G.body.B.body.3.conv_du.{0,2}`` (its channel attention); ``body.G.body.<blocks>`` (the
group's last conv); ``body.<groups>``; ``tail.0.{0,2,4}`` (upsampler); ``tail.1``; the mean
shifts ``sub_mean`` and ``add_mean``. BasicSR's names are mapped onto these by
:mod:`sr_tf.archs.rcan.keys`.
"""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import MeanShift, check_scale, conv, pixel_shuffle_upsample


def channel_attention(x: keras.KerasTensor, filters: int, reduction: int,
                      prefix: str) -> keras.KerasTensor:
    """``x`` times a per-channel gate: image mean -> 1x1 conv -> ReLU -> 1x1 conv -> sigmoid.

    The mean is over the whole input, so the gate (and the output) depends on every pixel.
    """
    y = layers.GlobalAveragePooling2D(keepdims=True)(x)
    y = conv(filters // reduction, 1, f"{prefix}.conv_du.0")(y)
    y = layers.ReLU()(y)
    y = conv(filters, 1, f"{prefix}.conv_du.2")(y)
    y = layers.Activation("sigmoid")(y)
    return layers.Multiply()([x, y])


def rcab(x: keras.KerasTensor, filters: int, reduction: int, prefix: str) -> keras.KerasTensor:
    """Residual channel-attention block: x + CA(conv(relu(conv(x))))."""
    y = conv(filters, 3, f"{prefix}.body.0")(x)
    y = layers.ReLU()(y)
    y = conv(filters, 3, f"{prefix}.body.2")(y)
    y = channel_attention(y, filters, reduction, f"{prefix}.body.3")
    return layers.Add()([x, y])


def residual_group(x: keras.KerasTensor, num_blocks: int, filters: int, reduction: int,
                   prefix: str) -> keras.KerasTensor:
    """``num_blocks`` RCABs and a conv, with a skip over the group."""
    y = x
    for b in range(num_blocks):
        y = rcab(y, filters, reduction, f"{prefix}.body.{b}")
    y = conv(filters, 3, f"{prefix}.body.{num_blocks}")(y)
    return layers.Add()([x, y])


def rcan(scale: int = 4, num_groups: int = 10, num_blocks: int = 20, filters: int = 64,
         reduction: int = 16, rgb_range: float = 1.0) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1].

    The paper's model: 10 groups of 20 blocks, 64 filters, channel reduction 16 (the attention
    has ``filters // reduction`` hidden channels). ``rgb_range=255`` runs the network on
    [0, 255] values minus the DIV2K mean, as the official (and BasicSR, ``img_range=255``)
    weights expect.
    """
    check_scale("rcan", scale, (2, 3, 4, 8))
    lr = keras.Input((None, None, 3), name="lr")
    x = layers.Rescaling(rgb_range, name="to_range")(lr)
    x = MeanShift(rgb_range, -1, name="sub_mean")(x)
    head = conv(filters, 3, "head.0")(x)
    x = head
    for g in range(num_groups):
        x = residual_group(x, num_blocks, filters, reduction, f"body.{g}")
    x = layers.Add()([head, conv(filters, 3, f"body.{num_groups}")(x)])
    x = pixel_shuffle_upsample(x, scale, filters, "tail.0")
    x = conv(3, 3, "tail.1")(x)
    x = MeanShift(rgb_range, 1, name="add_mean")(x)
    x = layers.Rescaling(1.0 / rgb_range, name="from_range")(x)
    return keras.Model(lr, x, name=f"rcan_x{scale}")
