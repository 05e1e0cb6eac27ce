"""BasicSR's ``USMSharp`` (radius 50 -> 51 taps, sigma 0 -> 8.0), as Real-ESRGAN sharpens GT."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from sr_tf.degradations.resize import tap_matrix

RADIUS = 51


def gaussian_taps(size: int = RADIUS) -> np.ndarray:
    """``cv2.getGaussianKernel(size, 0)``: sigma ``0.3 ((size - 1) / 2 - 1) + 0.8``, float64."""
    sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8
    x = np.arange(size) - (size - 1) / 2
    taps = np.exp(-x * x / (2 * sigma * sigma))
    return taps / taps.sum()


def usm_kernel(size: int = RADIUS) -> np.ndarray:
    """The official 2-D kernel: outer product of :func:`gaussian_taps`, float32."""
    taps = gaussian_taps(size)
    return np.outer(taps, taps).astype(np.float32)


def _reflect_matrix(length: tf.Tensor, taps: np.ndarray) -> tf.Tensor:
    """``[length, length]`` matrix of a 1-D correlation with ``taps`` after reflect padding
    (mirror without repeating the edge), folded into the matrix."""
    pad = len(taps) // 2
    index = tf.range(length)[:, None] + tf.range(-pad, pad + 1)[None, :]
    index = tf.abs(index)
    index = tf.where(index > length - 1, 2 * (length - 1) - index, index)
    weights = tf.broadcast_to(tf.constant(taps, tf.float32)[None], tf.shape(index))
    return tap_matrix(index, weights, length)


def _separable_blur(images: tf.Tensor, taps: np.ndarray) -> tf.Tensor:
    """``filter2D(images, outer(taps, taps))`` as two matrix products (reflect padding folded
    into the matrices): equal to the 51x51 correlation up to float32 rounding, and on a CPU
    far faster than 2,601 taps."""
    shape = tf.shape(images)
    rows, cols = _reflect_matrix(shape[1], taps), _reflect_matrix(shape[2], taps)
    return tf.einsum("oh,bhwc,pw->bopc", rows, images, cols)


def usm_sharp(images: tf.Tensor, weight: float = 0.5, threshold: float = 10.0) -> tf.Tensor:
    """``USMSharp()(images, weight, threshold)`` on ``[B, H, W, C]`` in [0, 1] (H, W > 25):
    ``soft * clip(img + weight * (img - blur), 0, 1) + (1 - soft) * img``, with ``soft`` the
    blurred mask of ``|img - blur| * 255 > threshold``."""
    images = tf.convert_to_tensor(images, tf.float32)
    taps = gaussian_taps()
    blur = _separable_blur(images, taps)
    residual = images - blur
    mask = tf.cast(tf.abs(residual) * 255.0 > threshold, tf.float32)
    soft = _separable_blur(mask, taps)
    sharp = tf.clip_by_value(images + weight * residual, 0.0, 1.0)
    return soft * sharp + (1.0 - soft) * images
