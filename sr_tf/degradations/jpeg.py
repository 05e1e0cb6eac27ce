"""BasicSR's ``DiffJPEG(differentiable=False)`` in TensorFlow ops, a float quality per sample.

It is not libjpeg, and training uses it, so it is matched as it is: the clamped input is not
rounded to 8 bits; the image is zero-padded at the bottom/right to a multiple of 16; JFIF
YCbCr; 4:2:0 by 2x2 averaging; 8x8 DCT-II; the quantisation step is ``table * factor`` as a
float (``factor = 50/q`` below 50, ``2 - q/50`` above, not rounded to integers); coefficients
rounded half to even; chroma upsampled by pixel repetition; output clamped to [0, 255] / 255 and
not rounded. The luminance table is the Annex-K table TRANSPOSED, as in the official code.
"""

from __future__ import annotations

import itertools

import numpy as np
import tensorflow as tf

_ANNEX_K_LUMA = np.array(
    [[16, 11, 10, 16, 24, 40, 51, 61], [12, 12, 14, 19, 26, 58, 60, 55],
     [14, 13, 16, 24, 40, 57, 69, 56], [14, 17, 22, 29, 51, 87, 80, 62],
     [18, 22, 37, 56, 68, 109, 103, 77], [24, 35, 55, 64, 81, 104, 113, 92],
     [49, 64, 78, 87, 103, 121, 120, 101], [72, 92, 95, 98, 112, 100, 103, 99]], np.float32)
# Indexed [vertical frequency, horizontal frequency], as DiffJPEG divides by them.
Y_TABLE = _ANNEX_K_LUMA.T.copy()
C_TABLE = np.full((8, 8), 99, np.float32)
C_TABLE[:4, :4] = np.array([[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99],
                            [47, 66, 99, 99]], np.float32).T

_RGB_TO_YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5],
                        [0.5, -0.418688, -0.081312]], np.float32).T
_YCC_TO_RGB = np.array([[1.0, 0.0, 1.402], [1.0, -0.344136, -0.714136], [1.0, 1.772, 0.0]],
                       np.float32).T
_ALPHA = np.array([1.0 / np.sqrt(2)] + [1.0] * 7)


def _dct_tensors() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(forward basis [x, y, u, v], forward scale [u, v], inverse basis, inverse alpha), float32
    as the official module builds them."""
    forward = np.zeros((8, 8, 8, 8), np.float32)
    inverse = np.zeros((8, 8, 8, 8), np.float32)
    for x, y, u, v in itertools.product(range(8), repeat=4):
        forward[x, y, u, v] = np.cos((2 * x + 1) * u * np.pi / 16) * np.cos(
            (2 * y + 1) * v * np.pi / 16)
        inverse[x, y, u, v] = np.cos((2 * u + 1) * x * np.pi / 16) * np.cos(
            (2 * v + 1) * y * np.pi / 16)
    alpha = np.outer(_ALPHA, _ALPHA)
    return forward, (alpha * 0.25).astype(np.float32), inverse, alpha.astype(np.float32)


_FORWARD, _FORWARD_SCALE, _INVERSE, _INVERSE_ALPHA = _dct_tensors()


def quality_factor(quality: tf.Tensor) -> tf.Tensor:
    """DiffJPEG's ``quality_to_factor`` in float32: ``(5000 / q or 200 - 2q) / 100``."""
    quality = tf.cast(quality, tf.float32)
    return tf.where(quality < 50, 5000.0 / quality, 200.0 - quality * 2.0) / 100.0


def _blocks(plane: tf.Tensor) -> tf.Tensor:
    """``[B, H, W]`` -> ``[B, H/8, W/8, 8, 8]``."""
    shape = tf.shape(plane)
    grid = tf.reshape(plane, tf.stack([shape[0], shape[1] // 8, 8, shape[2] // 8, 8]))
    return tf.transpose(grid, [0, 1, 3, 2, 4])


def _merge(blocks: tf.Tensor) -> tf.Tensor:
    shape = tf.shape(blocks)
    image = tf.transpose(blocks, [0, 1, 3, 2, 4])
    return tf.reshape(image, tf.stack([shape[0], shape[1] * 8, shape[2] * 8]))


def _code_plane(plane: tf.Tensor, table: np.ndarray, factor: tf.Tensor) -> tf.Tensor:
    """DCT, quantise, dequantise and inverse DCT of one ``[B, H, W]`` plane (multiples of 8)."""
    blocks = _blocks(plane) - 128.0
    coef = _FORWARD_SCALE * tf.einsum("bijxy,xyuv->bijuv", blocks, _FORWARD)
    step = table[None] * factor[:, None, None]                 # [B, 8, 8]
    step = step[:, None, None]
    coef = tf.round(coef / step) * step
    spatial = 0.25 * tf.einsum("bijuv,uvxy->bijxy", coef * _INVERSE_ALPHA, _INVERSE) + 128.0
    return _merge(spatial)


def diff_jpeg(images: tf.Tensor, quality: tf.Tensor) -> tf.Tensor:
    """JPEG round trip of ``[B, H, W, 3]`` RGB images in [0, 1] at float ``quality [B]``.

    The caller clamps the input to [0, 1] first, as ``feed_data`` does.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    factor = quality_factor(quality)
    shape = tf.shape(images)
    height, width = shape[1], shape[2]
    pad_h, pad_w = (-height) % 16, (-width) % 16
    x = tf.pad(images, [[0, 0], [0, pad_h], [0, pad_w], [0, 0]])
    ycc = tf.tensordot(x * 255.0, _RGB_TO_YCC, axes=1) + tf.constant([0.0, 128.0, 128.0])
    luma = ycc[..., 0]
    chroma = tf.nn.avg_pool2d(ycc[..., 1:], 2, 2, "VALID")
    luma = _code_plane(luma, Y_TABLE, factor)
    cb = _code_plane(chroma[..., 0], C_TABLE, factor)
    cr = _code_plane(chroma[..., 1], C_TABLE, factor)
    chroma = tf.stack([cb, cr], axis=-1)
    chroma = tf.repeat(tf.repeat(chroma, 2, axis=1), 2, axis=2)
    ycc = tf.concat([luma[..., None], chroma], axis=-1)
    rgb = tf.tensordot(ycc + tf.constant([0.0, -128.0, -128.0]), _YCC_TO_RGB, axes=1)
    rgb = tf.clip_by_value(rgb, 0.0, 255.0) / 255.0
    return rgb[:, :height, :width]
