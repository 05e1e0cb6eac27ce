"""MATLAB-compatible bicubic ``imresize`` in TensorFlow.

MATLAB's ``imresize(img, scale, 'bicubic')`` uses the Keys cubic kernel (a = -0.5) and, when
downscaling, widens the kernel by ``1/scale`` (antialiasing). Boundaries are handled by symmetric
(mirror) index reflection. ``tf.image.resize(..., 'bicubic', antialias=True)`` uses a different
boundary rule and kernel normalisation and scores measurably lower PSNR on SR benchmarks.

The resize is separable: ``out = W_h @ img @ W_w^T`` with sparse weight matrices built from the
(dynamic) image size, so it runs inside ``tf.data`` and ``tf.function`` on any shape.

:func:`upscale_integer` is the same upscale by an integer factor written as a convolution and
``depth_to_space``, for exported models: LiteRT and ONNX have no sparse matmul.
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf


def _cubic(x: tf.Tensor) -> tf.Tensor:
    """Keys cubic convolution kernel with a = -0.5 (MATLAB's ``cubic``)."""
    absx = tf.abs(x)
    absx2 = absx * absx
    absx3 = absx2 * absx
    near = (1.5 * absx3 - 2.5 * absx2 + 1.0) * tf.cast(absx <= 1.0, x.dtype)
    far = (-0.5 * absx3 + 2.5 * absx2 - 4.0 * absx + 2.0) * tf.cast(
        (absx > 1.0) & (absx <= 2.0), x.dtype)
    return near + far


def resize_weights(in_length: tf.Tensor, out_length: tf.Tensor, scale: float,
                   antialias: bool = True) -> tf.sparse.SparseTensor:
    """Sparse [out_length, in_length] float64 matrix of MATLAB's bicubic weights along one axis.

    Mirrored taps that land on the same input pixel are summed, as MATLAB does.
    """
    in_length = tf.cast(in_length, tf.int32)
    out_length = tf.cast(out_length, tf.int32)
    shrink = antialias and scale < 1.0
    kernel_width = 4.0 / scale if shrink else 4.0
    scale = tf.constant(scale, tf.float64)
    x = tf.range(1, out_length + 1, dtype=tf.float64)
    # Output pixel x maps to input coordinate u (1-based, pixel centres).
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = tf.floor(u - kernel_width / 2.0)
    taps = tf.cast(tf.math.ceil(kernel_width), tf.int32) + 2
    indices = left[:, None] + tf.range(taps, dtype=tf.float64)[None, :]
    distance = u[:, None] - indices
    weights = scale * _cubic(distance * scale) if shrink else _cubic(distance)
    weights = weights / tf.reduce_sum(weights, axis=1, keepdims=True)
    # Symmetric boundary: reflect 1-based indices into [1, in_length] (period 2 * in_length).
    idx = tf.cast(indices, tf.int32) - 1
    period = 2 * in_length
    idx = tf.math.floormod(idx, period)
    idx = tf.where(idx >= in_length, period - 1 - idx, idx)
    rows = tf.broadcast_to(tf.range(out_length)[:, None], tf.shape(idx))
    scatter_idx = tf.stack([tf.reshape(rows, [-1]), tf.reshape(idx, [-1])], axis=1)
    dense_shape = tf.cast(tf.stack([out_length, in_length]), tf.int64)
    return tf.sparse.reorder(tf.sparse.SparseTensor(
        tf.cast(scatter_idx, tf.int64), tf.reshape(weights, [-1]), dense_shape))


def _resize_axis0(x: tf.Tensor, weights: tf.sparse.SparseTensor) -> tf.Tensor:
    """Apply a [out, in] weight matrix along axis 0 of a tensor of any rank."""
    shape = tf.shape(x)
    flat = tf.reshape(x, tf.stack([shape[0], -1]))
    out = tf.sparse.sparse_dense_matmul(weights, flat)
    return tf.reshape(out, tf.concat([[-1], shape[1:]], axis=0))


def imresize(image: tf.Tensor, scale: float, antialias: bool = True) -> tf.Tensor:
    """Resize ``[H, W, C]`` or ``[N, H, W, C]`` by ``scale`` exactly as MATLAB ``imresize`` bicubic.

    Output size is ``ceil(H * scale)`` x ``ceil(W * scale)``. Input may be any numeric dtype; the
    result is float32 and unrounded (round and clip yourself for uint8, as MATLAB does).
    """
    image = tf.convert_to_tensor(image)
    batched = image.shape.rank == 4
    x = tf.cast(image if batched else image[None], tf.float64)
    shape = tf.shape(x)
    height, width = shape[1], shape[2]
    out_h = tf.cast(tf.math.ceil(tf.cast(height, tf.float64) * scale), tf.int32)
    out_w = tf.cast(tf.math.ceil(tf.cast(width, tf.float64) * scale), tf.int32)
    w_h = resize_weights(height, out_h, scale, antialias)
    w_w = resize_weights(width, out_w, scale, antialias)
    x = _resize_axis0(tf.transpose(x, [1, 0, 2, 3]), w_h)       # [out_h, N, W, C]
    x = _resize_axis0(tf.transpose(x, [2, 1, 0, 3]), w_w)       # [out_w, N, out_h, C]
    x = tf.cast(tf.transpose(x, [1, 2, 0, 3]), tf.float32)
    return x if batched else x[0]


def imresize_uint8(image: tf.Tensor, scale: float) -> tf.Tensor:
    """MATLAB ``imresize`` on a uint8 image: bicubic, then round and saturate to uint8."""
    out = imresize(image, scale)
    return tf.cast(tf.clip_by_value(tf.round(out), 0.0, 255.0), tf.uint8)


@functools.lru_cache(maxsize=None)
def _phase_taps(scale: int) -> np.ndarray:
    """``[scale, 5]`` weights: output pixel ``scale * i + p`` is the sum over ``t`` of
    ``taps[p, t] * in[i - 2 + t]``.

    Read off :func:`resize_weights` away from the borders, where an integer upscale repeats the
    same taps for every input pixel, so the kernel has one definition.
    """
    length, i = 8, 4
    with tf.init_scope():
        weights = resize_weights(length, length * scale, float(scale))
        dense = tf.sparse.sparse_dense_matmul(weights, tf.eye(length, dtype=tf.float64)).numpy()
    return np.stack([dense[i * scale + p, i - 2:i + 3] for p in range(scale)]).astype(np.float32)


def _symmetric_pad(x: tf.Tensor, axis: int, pad: int) -> tf.Tensor:
    """Pad ``pad`` pixels on both ends of ``axis`` by MATLAB's symmetric rule (edge repeated),
    reflecting again for sides shorter than ``pad`` (as :func:`resize_weights` does)."""
    length = tf.shape(x)[axis]
    period = 2 * length
    # Shift by one period so every index is >= 0 (tf2onnx turns integer floormod of negatives
    # into a truncating remainder).
    idx = tf.math.floormod(tf.range(-pad, length + pad) + period, period)
    return tf.gather(x, tf.where(idx >= length, period - 1 - idx, idx), axis=axis)


def upscale_integer(images: tf.Tensor, scale: int) -> tf.Tensor:
    """``imresize(images, scale)`` for an integer ``scale`` on float ``[N, H, W, C]``, in float32.

    A 5x5 convolution to ``scale**2`` phases per channel, then ``depth_to_space``: ops every
    converter supports. Equals :func:`imresize` up to float32 rounding.
    """
    taps = _phase_taps(scale)
    channels = images.shape[-1]
    phases = np.einsum("pk,ql->klpq", taps, taps)                    # [5, 5, py, px]
    kernel = np.einsum("klpq,cd->klcpqd", phases, np.eye(channels, dtype=np.float32))
    kernel = kernel.reshape(5, 5, channels, scale * scale * channels)
    x = _symmetric_pad(_symmetric_pad(tf.cast(images, tf.float32), 1, 2), 2, 2)
    return tf.nn.depth_to_space(tf.nn.conv2d(x, kernel, 1, "VALID"), scale)
