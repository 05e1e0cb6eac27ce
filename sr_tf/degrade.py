"""The standard SR degradation: crop HR to a multiple of the scale, MATLAB bicubic down, round."""

from __future__ import annotations

import tensorflow as tf

from sr_tf.image_io import decode_image
from sr_tf.imresize import imresize_uint8


def modcrop(hr: tf.Tensor, scale: int) -> tf.Tensor:
    """Crop ``[H, W, C]`` at the bottom/right so both sides are multiples of ``scale``."""
    shape = tf.shape(hr)
    return hr[:shape[0] - shape[0] % scale, :shape[1] - shape[1] % scale]


def bicubic_lr(hr: tf.Tensor, scale: int) -> tf.Tensor:
    """uint8 LR of a (mod-cropped) uint8 HR image by MATLAB ``imresize(hr, 1/scale)``."""
    return imresize_uint8(hr, 1.0 / scale)


def decode_pair(lr_bytes: tf.Tensor, hr_bytes: tf.Tensor, scale: int) -> tuple[tf.Tensor, tf.Tensor]:
    """Decode an encoded pair to uint8 (lr, mod-cropped hr); empty ``lr_bytes``: LR by
    :func:`bicubic_lr` of HR. Graph-safe (tf.data)."""
    hr = modcrop(decode_image(hr_bytes), scale)
    lr = tf.cond(tf.strings.length(lr_bytes) > 0, lambda: decode_image(lr_bytes),
                 lambda: bicubic_lr(hr, scale))
    return lr, hr
