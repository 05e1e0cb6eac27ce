"""Real-ESRGAN's Gaussian and Poisson noise (``add_*_noise_pt`` with ``clip=True,
rounds=False``), per-sample strength and gray flag, from stateless seeds.

The formulas take the random draws as arguments (:func:`gaussian_noise`,
:func:`poisson_noise`), so feeding them BasicSR's own draws reproduces its output; the
``sample_*`` functions draw them from a seed. Two quirks of the official code are kept:
the gray Gaussian field is ONE ``[H, W]`` normal field shared by the whole batch (scaled by each
sample's sigma), and Poisson's ``vals`` is ``2**ceil(log2(#distinct 8-bit levels))`` of each
sample, so a flat image gets ``vals = 1`` and very strong noise.
"""

from __future__ import annotations

import tensorflow as tf

GRAY_WEIGHTS = (0.2989, 0.587, 0.114)     # torchvision rgb_to_grayscale


def _per_sample(values: tf.Tensor) -> tf.Tensor:
    return tf.reshape(tf.cast(values, tf.float32), [-1, 1, 1, 1])


def gaussian_noise(sigma: tf.Tensor, gray: tf.Tensor, normal_gray: tf.Tensor,
                   normal_color: tf.Tensor) -> tf.Tensor:
    """``generate_gaussian_noise_pt``: noise ``[B, H, W, C]`` from standard normal draws
    ``normal_gray [H, W]`` (shared by the batch) and ``normal_color [B, H, W, C]``; ``sigma``
    in 8-bit levels and ``gray`` (0/1) per sample."""
    sigma, gray = _per_sample(sigma), _per_sample(gray)
    color = normal_color * sigma / 255.0
    shared = normal_gray[None, :, :, None] * sigma / 255.0
    return color * (1.0 - gray) + shared * gray


def sample_gaussian_noise(shape: tf.Tensor, sigma: tf.Tensor, gray: tf.Tensor,
                          seed: tf.Tensor) -> tf.Tensor:
    """:func:`gaussian_noise` of ``shape [B, H, W, C]`` with the normals drawn from ``seed``."""
    normal_gray = tf.random.stateless_normal(shape[1:3], seed)
    normal_color = tf.random.stateless_normal(
        shape, tf.random.experimental.stateless_fold_in(seed, 1))
    return gaussian_noise(sigma, gray, normal_gray, normal_color)


def add_gaussian_noise(images: tf.Tensor, sigma: tf.Tensor, gray: tf.Tensor,
                       seed: tf.Tensor) -> tf.Tensor:
    """``clamp(images + gaussian noise, 0, 1)``."""
    noise = sample_gaussian_noise(tf.shape(images), sigma, gray, seed)
    return tf.clip_by_value(images + noise, 0.0, 1.0)


def to_gray(images: tf.Tensor) -> tf.Tensor:
    """torchvision ``rgb_to_grayscale``: ``0.2989 R + 0.587 G + 0.114 B``, ``[B, H, W, 1]``."""
    w_r, w_g, w_b = GRAY_WEIGHTS
    return w_r * images[..., 0:1] + w_g * images[..., 1:2] + w_b * images[..., 2:3]


def quantised(images: tf.Tensor) -> tf.Tensor:
    """``clamp(round(x * 255), 0, 255) / 255`` (round half to even)."""
    return tf.clip_by_value(tf.round(images * 255.0), 0.0, 255.0) / 255.0


def poisson_vals(levels: tf.Tensor) -> tf.Tensor:
    """Per sample ``2**ceil(log2(n))``, n = number of distinct values of the 8-bit ``levels``
    ``[B, H, W, C]`` (``x_r`` of the official code), as float32 ``[B]``."""
    levels = tf.cast(tf.round(levels * 255.0), tf.int32)
    batch = tf.shape(levels)[0]
    keys = tf.reshape(levels + 256 * tf.range(batch)[:, None, None, None], [-1])
    counts = tf.math.bincount(keys, minlength=256 * batch, maxlength=256 * batch)
    distinct = tf.reduce_sum(tf.cast(tf.reshape(counts, [batch, 256]) > 0, tf.int32), axis=1)
    powers = tf.constant([2**i for i in range(9)], tf.int32)
    index = tf.reduce_sum(tf.cast(distinct[:, None] > powers[None, :], tf.int32), axis=1)
    return tf.cast(tf.gather(powers, index), tf.float32)


def poisson_inputs(images: tf.Tensor) -> dict[str, tf.Tensor]:
    """The 8-bit-rounded colour and gray images (``x_r``, ``x_gray_r``) the counts are drawn
    for, and their per-sample ``vals`` (``[B, 1, 1, 1]``)."""
    levels, gray_levels = quantised(images), quantised(to_gray(images))
    return {"levels": levels, "gray_levels": gray_levels,
            "vals": _per_sample(poisson_vals(levels)),
            "vals_gray": _per_sample(poisson_vals(gray_levels))}


def poisson_noise(inputs: dict[str, tf.Tensor], scale: tf.Tensor, gray: tf.Tensor,
                  counts_color: tf.Tensor, counts_gray: tf.Tensor) -> tf.Tensor:
    """``generate_poisson_noise_pt`` from :func:`poisson_inputs` and Poisson counts drawn at
    rates ``x_r * vals`` (``counts_color [B, H, W, C]``) and ``x_gray_r * vals_gray``
    (``counts_gray [B, H, W, 1]``)."""
    color = counts_color / inputs["vals"] - inputs["levels"]
    mono = counts_gray / inputs["vals_gray"] - inputs["gray_levels"]
    gray = _per_sample(gray)
    return (color * (1.0 - gray) + mono * gray) * _per_sample(scale)


def sample_poisson_noise(images: tf.Tensor, scale: tf.Tensor, gray: tf.Tensor,
                         seed: tf.Tensor) -> tf.Tensor:
    """:func:`poisson_noise` (before clipping) with the counts drawn from ``seed``."""
    inputs = poisson_inputs(images)
    rate, gray_rate = inputs["levels"] * inputs["vals"], inputs["gray_levels"] * inputs["vals_gray"]
    counts_color = tf.random.stateless_poisson(tf.shape(rate), seed, rate, dtype=tf.float32)
    counts_gray = tf.random.stateless_poisson(
        tf.shape(gray_rate), tf.random.experimental.stateless_fold_in(seed, 1), gray_rate,
        dtype=tf.float32)
    return poisson_noise(inputs, scale, gray, counts_color, counts_gray)


def add_poisson_noise(images: tf.Tensor, scale: tf.Tensor, gray: tf.Tensor,
                      seed: tf.Tensor) -> tf.Tensor:
    """``clamp(images + poisson noise, 0, 1)``: the noise is added to the unrounded image."""
    return tf.clip_by_value(images + sample_poisson_noise(images, scale, gray, seed), 0.0, 1.0)
