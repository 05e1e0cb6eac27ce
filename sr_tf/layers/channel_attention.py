"""Contrast-aware channel attention (CCA; IMDN's ``CCALayer``, which BSRN reuses).

The statistics span the whole image, so models using it have a global receptive field (see
configs/imdn.py on tiling).
"""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import conv


def contrast_channel_attention(x: keras.KerasTensor, prefix: str,
                               reduction: int = 16) -> keras.KerasTensor:
    """``x`` scaled per channel by ``sigmoid(conv_du.2(relu(conv_du.0(std + mean))))``, where
    std and mean are over the whole image (population std): tiles see their own statistics.
    The statistics are taken in float32, also under a mixed-precision policy."""
    channels = x.shape[-1]
    stats = ops.cast(x, "float32")
    mean = ops.mean(stats, axis=(1, 2), keepdims=True)
    std = ops.sqrt(ops.mean(ops.square(stats - mean), axis=(1, 2), keepdims=True))
    y = conv(channels // reduction, 1, f"{prefix}.conv_du.0")(std + mean)
    y = conv(channels, 1, f"{prefix}.conv_du.2")(layers.ReLU()(y))
    return layers.Multiply()([x, layers.Activation("sigmoid")(y)])
