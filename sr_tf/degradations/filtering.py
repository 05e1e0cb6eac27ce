"""BasicSR's ``filter2D``: reflect padding, then cross-correlation with per-sample kernels."""

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
    shape = tf.shape(images)
    batch, height, width, channels = shape[0], shape[1], shape[2], images.shape[-1]
    if kernels.shape[0] == 1:
        taps = tf.tile(tf.reshape(kernels[0], [k, k, 1, 1]), [1, 1, channels, 1])
        return tf.nn.depthwise_conv2d(x, taps, [1, 1, 1, 1], "VALID")
    # Samples side by side as channels of one image: sample b's kernel on its C channels.
    stacked = tf.reshape(tf.transpose(x, [1, 2, 0, 3]),
                         tf.stack([1, height + 2 * pad, width + 2 * pad, batch * channels]))
    taps = tf.repeat(tf.transpose(kernels, [1, 2, 0]), channels, axis=2)[..., None]
    out = tf.nn.depthwise_conv2d(stacked, taps, [1, 1, 1, 1], "VALID")
    out = tf.reshape(out, tf.stack([height, width, batch, channels]))
    return tf.transpose(out, [2, 0, 1, 3])
