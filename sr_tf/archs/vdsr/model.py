"""VDSR (Kim et al. 2016): 20 bias-free 3x3 convs, ReLU, global residual, Y channel."""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import conv


def vdsr(depth: int = 20, filters: int = 64) -> keras.Model:
    """Y [0, 1] of the bicubic-upscaled LR -> Y [0, 1]. Layer names follow pytorch-vdsr."""
    y = keras.Input((None, None, 1), name="y_bicubic")
    x = layers.ReLU()(conv(filters, 3, "input", use_bias=False)(y))
    for i in range(depth - 2):
        x = layers.ReLU()(conv(filters, 3, f"residual_layer.{i}.conv", use_bias=False)(x))
    x = conv(1, 3, "output", use_bias=False)(x)
    return keras.Model(y, layers.Add()([y, x]), name="vdsr")
