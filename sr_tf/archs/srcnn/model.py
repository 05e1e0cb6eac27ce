"""SRCNN (Dong et al. 2014), 9-1-5 with 64/32 filters, on the Y channel of a bicubic upscale."""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import conv


def srcnn(filters: tuple[int, int] = (64, 32),
          kernels: tuple[int, int, int] = (9, 1, 5)) -> keras.Model:
    """Y [0, 1] of the bicubic-upscaled LR -> Y [0, 1]; 'same' padding keeps any input size."""
    y = keras.Input((None, None, 1), name="y_bicubic")
    x = conv(filters[0], kernels[0], "conv1")(y)
    x = layers.ReLU()(x)
    x = conv(filters[1], kernels[1], "conv2")(x)
    x = layers.ReLU()(x)
    x = conv(1, kernels[2], "conv3")(x)
    return keras.Model(y, x, name="srcnn")
