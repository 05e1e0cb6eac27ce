"""``torch.nn.functional.interpolate`` (area, bilinear, bicubic; align_corners=False, no
antialias) in TensorFlow, as Real-ESRGAN's degradation calls it.

``tf.image.resize`` cannot stand in: torch's bicubic is Keys with a = -0.75 (TF's is -0.5),
``area`` is adaptive average pooling over bins ``[floor(i*in/out), ceil((i+1)*in/out))``, and
with ``scale_factor=s`` torch maps output pixel ``d`` to source ``(d + 0.5) / s - 0.5`` (not
``in/out``), with ``floor(in * s)`` outputs.

Each axis is one dense ``[out, in]`` weight matrix, built with torch's float32 arithmetic, so
the resize is two matrix products and any size works inside a graph.
"""

from __future__ import annotations

import tensorflow as tf

MODES = ("area", "bilinear", "bicubic")
CUBIC_A = -0.75


def _area_weights(in_len: tf.Tensor, out_len: tf.Tensor) -> tf.Tensor:
    """``adaptive_avg_pool`` along one axis: output i averages ``[start_i, end_i)``."""
    i = tf.range(out_len)
    start = (i * in_len) // out_len
    end = ((i + 1) * in_len + out_len - 1) // out_len
    j = tf.range(in_len)[None, :]
    inside = (j >= start[:, None]) & (j < end[:, None])
    return tf.cast(inside, tf.float32) / tf.cast(end - start, tf.float32)[:, None]


def tap_matrix(taps: tf.Tensor, weights: tf.Tensor, in_len: tf.Tensor) -> tf.Tensor:
    """``[out, in]`` matrix adding ``weights[o, t]`` at column ``clamp(taps[o, t])``."""
    taps = tf.clip_by_value(taps, 0, in_len - 1)
    return tf.reduce_sum(tf.one_hot(taps, in_len, dtype=tf.float32) * weights[..., None], axis=1)


def _linear_weights(in_len: tf.Tensor, out_len: tf.Tensor, scale: tf.Tensor) -> tf.Tensor:
    src = tf.maximum(scale * (tf.range(out_len, dtype=tf.float32) + 0.5) - 0.5, 0.0)
    left = tf.cast(src, tf.int32)                       # src >= 0: truncation = floor
    lam = src - tf.cast(left, tf.float32)
    right = left + tf.cast(left < in_len - 1, tf.int32)
    return tap_matrix(tf.stack([left, right], 1), tf.stack([1.0 - lam, lam], 1), in_len)


def _cubic_weights(in_len: tf.Tensor, out_len: tf.Tensor, scale: tf.Tensor) -> tf.Tensor:
    src = scale * (tf.range(out_len, dtype=tf.float32) + 0.5) - 0.5
    base = tf.floor(src)
    t = src - base
    a = CUBIC_A
    near = lambda x: ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0          # |x| <= 1
    far = lambda x: ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a     # 1 < |x| < 2
    weights = tf.stack([far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)], 1)
    taps = tf.cast(base, tf.int32)[:, None] + tf.range(-1, 3)[None, :]
    return tap_matrix(taps, weights, in_len)


def _axis_weights(in_len: tf.Tensor, out_len: tf.Tensor, mode: str,
                  scale_factor: float | tf.Tensor | None) -> tf.Tensor:
    if mode == "area":
        return _area_weights(in_len, out_len)
    if scale_factor is None:        # torch: (float) in / out
        scale = tf.cast(in_len, tf.float32) / tf.cast(out_len, tf.float32)
    else:                           # torch: (float) (1.0 / scale_factor), in double
        scale = tf.cast(1.0 / tf.cast(scale_factor, tf.float64), tf.float32)
    if mode == "bilinear":
        return _linear_weights(in_len, out_len, scale)
    return _cubic_weights(in_len, out_len, scale)


def scaled_size(length: tf.Tensor, scale_factor: float | tf.Tensor) -> tf.Tensor:
    """torch's output length for ``scale_factor``: ``floor(length * s)`` in double."""
    return tf.cast(tf.floor(tf.cast(length, tf.float64) * tf.cast(scale_factor, tf.float64)),
                   tf.int32)


def interpolate(images: tf.Tensor, mode: str, size=None, scale_factor=None) -> tf.Tensor:
    """``F.interpolate(images, size= | scale_factor=, mode=mode)`` on ``[B, H, W, C]`` float32.

    Output not clipped (bicubic overshoots). ``scale_factor`` may be a tensor; ``size`` a pair.
    """
    if mode not in MODES:
        raise ValueError(f"resize mode must be one of {MODES}, got {mode!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError("give exactly one of size and scale_factor")
    images = tf.convert_to_tensor(images, tf.float32)
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    if size is None:
        out_h, out_w = scaled_size(height, scale_factor), scaled_size(width, scale_factor)
    else:
        out_h, out_w = (tf.cast(s, tf.int32) for s in size)
    w_h = _axis_weights(height, out_h, mode, scale_factor)
    w_w = _axis_weights(width, out_w, mode, scale_factor)
    return tf.einsum("oh,bhwc,pw->bopc", w_h, images, w_w)


def batch_mode(index: tf.Tensor, images: tf.Tensor, size=None, scale_factor=None) -> tf.Tensor:
    """:func:`interpolate` with the mode chosen in the graph by ``index`` (0 area, 1 bilinear,
    2 bicubic), as the degradation draws it per batch."""
    branches = [lambda m=m: interpolate(images, m, size, scale_factor) for m in MODES]
    return tf.switch_case(tf.cast(index, tf.int32), branches)

