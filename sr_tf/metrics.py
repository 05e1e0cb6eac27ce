"""PSNR and SSIM as the SR papers report them (Y of MATLAB rgb2ycbcr, ``scale`` pixels shaved).

All functions take single images ``[H, W, C]`` with values in [0, 255] (uint8 or float) and return
float32 scalars, so they work eagerly, in ``tf.function`` and in ``tf.data``.
"""

from __future__ import annotations

import tensorflow as tf

from sr_tf.color import luminance


def shave(image: tf.Tensor, border: int) -> tf.Tensor:
    """Drop ``border`` pixels on every side of an ``[H, W, C]`` image."""
    if border <= 0:
        return image
    return image[border:-border, border:-border]


def _as_float(image: tf.Tensor) -> tf.Tensor:
    return tf.cast(image, tf.float32)


def psnr(a: tf.Tensor, b: tf.Tensor, max_val: float = 255.0) -> tf.Tensor:
    """PSNR in dB between two images of equal shape (all channels)."""
    mse = tf.reduce_mean(tf.square(tf.cast(a, tf.float64) - tf.cast(b, tf.float64)))
    return tf.cast(10.0 * tf.math.log(max_val**2 / mse) / tf.math.log(tf.constant(10.0, tf.float64)),
                   tf.float32)


def psnr_y(sr: tf.Tensor, hr: tf.Tensor, border: int) -> tf.Tensor:
    """PSNR on the Y channel with ``border`` pixels shaved (the papers' protocol)."""
    return psnr(shave(luminance(sr), border), shave(luminance(hr), border))


def psnr_rgb(sr: tf.Tensor, hr: tf.Tensor, border: int) -> tf.Tensor:
    """PSNR over all RGB channels with ``border`` pixels shaved."""
    return psnr(shave(_as_float(sr), border), shave(_as_float(hr), border))


def ssim_window(height: int | None, width: int | None) -> tuple[int, float]:
    """(size, sigma) of the Gaussian SSIM window: Wang et al.'s 11 and 1.5, shrunk for images
    under 11 pixels to the largest odd size that fits, sigma scaled in proportion."""
    sides = [s for s in (height, width) if s is not None]
    size = min([11, *sides])
    size -= 1 - size % 2
    return size, 1.5 * size / 11


def ssim(a: tf.Tensor, b: tf.Tensor, max_val: float = 255.0) -> tf.Tensor:
    """SSIM of Wang et al. 2004: 11x11 Gaussian window (sigma 1.5), K1=0.01, K2=0.03, valid region
    (a smaller window for images under 11 pixels: :func:`ssim_window`)."""
    size, sigma = ssim_window(*a.shape[-3:-1])
    return tf.image.ssim(_as_float(a), _as_float(b), max_val=max_val, filter_size=size,
                         filter_sigma=sigma, k1=0.01, k2=0.03)


def ssim_y(sr: tf.Tensor, hr: tf.Tensor, border: int) -> tf.Tensor:
    """SSIM on the Y channel with ``border`` pixels shaved."""
    return ssim(shave(luminance(sr), border), shave(luminance(hr), border))
