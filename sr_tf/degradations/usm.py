"""BasicSR's ``USMSharp`` (radius 50 -> 51 taps, sigma 0 -> 8.0), as Real-ESRGAN sharpens GT."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

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


def _separable_blur(images: tf.Tensor, taps: np.ndarray) -> tf.Tensor:
    """``filter2D(images, outer(taps, taps))`` as two 1-D passes (reflect padding, 51 + 51
    taps instead of 2601; equal up to float32 rounding)."""
    pad = len(taps) // 2
    channels = images.shape[-1]
    x = tf.pad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="REFLECT")
    column = tf.constant(np.tile(taps.astype(np.float32)[:, None, None, None], [1, 1, channels, 1]))
    x = tf.nn.depthwise_conv2d(x, column, [1, 1, 1, 1], "VALID")
    row = tf.reshape(column, [1, len(taps), channels, 1])
    return tf.nn.depthwise_conv2d(x, row, [1, 1, 1, 1], "VALID")


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
