"""SRResNet, the SRGAN generator (Ledig et al. 2017): BatchNorm + PReLU residual blocks.

BatchNorm is synchronized: under a distribution strategy a training step normalizes with the
global batch's statistics, so N devices train like one (one device: the same statistics).
"""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import check_scale, conv, pixel_shuffle_upsample


def srresnet(scale: int = 4, num_blocks: int = 16, filters: int = 64) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; 9x9 head, residual blocks, sub-pixel upsamplers, 9x9 tail."""
    check_scale("srresnet", scale, (2, 3, 4))
    lr = keras.Input((None, None, 3), name="lr")
    head = layers.PReLU(shared_axes=[1, 2], name="head.prelu")(conv(filters, 9, "head")(lr))
    x = head
    for i in range(num_blocks):
        y = conv(filters, 3, f"body.{i}.conv1")(x)
        y = layers.BatchNormalization(synchronized=True, name=f"body.{i}.bn1")(y)
        y = layers.PReLU(shared_axes=[1, 2], name=f"body.{i}.prelu")(y)
        y = conv(filters, 3, f"body.{i}.conv2")(y)
        y = layers.BatchNormalization(synchronized=True, name=f"body.{i}.bn2")(y)
        x = layers.Add()([x, y])
    x = layers.BatchNormalization(synchronized=True, name="body_bn")(
        conv(filters, 3, "body_conv")(x))
    x = layers.Add()([head, x])
    x = pixel_shuffle_upsample(x, scale, filters, "upsample", activation="prelu", index_step=1)
    return keras.Model(lr, conv(3, 9, "tail")(x), name=f"srresnet_x{scale}")
