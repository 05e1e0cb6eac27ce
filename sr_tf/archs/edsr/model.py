"""EDSR (Lim et al. 2017): BatchNorm-free residual blocks, residual scaling, mean shift."""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import MeanShift, check_scale, conv, pixel_shuffle_upsample


def edsr(scale: int = 4, num_blocks: int = 16, filters: int = 64, res_scale: float = 1.0,
         rgb_range: float = 1.0) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. Layer names follow EDSR-PyTorch (``head.0``,
    ``body.i.body.0``).

    Baseline: 16 blocks, 64 filters, res_scale 1. Paper: 32 blocks, 256 filters, res_scale 0.1.
    ``rgb_range=255`` runs the body on [0, 255] values, as weights trained by EDSR-PyTorch expect.
    """
    check_scale("edsr", scale, (2, 3, 4))
    lr = keras.Input((None, None, 3), name="lr")
    x = MeanShift(rgb_range, -1, name="sub_mean")(layers.Rescaling(rgb_range, name="to_range")(lr))
    head = conv(filters, 3, "head.0")(x)
    x = head
    for i in range(num_blocks):
        y = conv(filters, 3, f"body.{i}.body.0")(x)
        y = layers.ReLU()(y)
        y = conv(filters, 3, f"body.{i}.body.2")(y)
        if res_scale != 1.0:
            y = layers.Rescaling(res_scale)(y)
        x = layers.Add()([x, y])
    x = layers.Add()([head, conv(filters, 3, f"body.{num_blocks}")(x)])
    x = pixel_shuffle_upsample(x, scale, filters, "tail.0")
    x = conv(3, 3, "tail.1")(x)
    x = MeanShift(rgb_range, 1, name="add_mean")(x)
    x = layers.Rescaling(1.0 / rgb_range, name="from_range")(x)
    return keras.Model(lr, x, name=f"edsr_x{scale}")
