"""PyTorch's adaptive max pooling and ``F.interpolate(mode="nearest")`` with their exact index
rules, for sizes known only at run time (SAFMN's multi-scale feature modulation)."""

from __future__ import annotations

import keras
from keras import layers, ops


def _adaptive_max_axis(x, out, axis: int, widest: int):
    """Adaptive max pooling of ``x`` along ``axis`` (1 or 2) to ``out`` bins: bin ``i`` spans
    ``[floor(i * n / out), ceil((i + 1) * n / out))``; ``widest`` bounds the bin width."""
    n = ops.shape(x)[axis]
    i = ops.arange(out)
    start, end = (i * n) // out, ((i + 1) * n + out - 1) // out
    # The maximum of ``widest`` gathers (tap t of every bin), not one gather reshaped to 5-D:
    # LiteRT's GPU delegate holds at most 4 dimensions.
    pooled = None
    for t in range(widest):
        tap = ops.take(x, ops.minimum(start + t, end - 1), axis=axis)
        pooled = tap if pooled is None else ops.maximum(pooled, tap)
    return pooled


@keras.saving.register_keras_serializable(package="sr_tf")
class AdaptiveMaxPoolFraction(layers.Layer):
    """``F.adaptive_max_pool2d(x, (H // 2^level, W // 2^level))`` on ``[N, H, W, C]``, bins as
    PyTorch's (uneven when the size does not divide). Sides below ``2^level`` (where PyTorch
    refuses a 0-sized output) pool to 1."""

    def __init__(self, level: int, **kwargs):
        super().__init__(**kwargs)
        self.level = level

    def call(self, x):
        # out = n // 2^l >= n / 2^(l+1), so a bin is at most ceil(n / out) + 1 <= 2^(l+1) + 1 wide.
        widest = 2 ** (self.level + 1) + 1
        for axis in (1, 2):
            out = ops.maximum(ops.shape(x)[axis] // 2 ** self.level, 1)
            x = _adaptive_max_axis(x, out, axis, widest)
        return x

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"level": self.level}


def _nearest_indices(size_in, size_out):
    """PyTorch ``nearest``: ``floor(dst * in / out)``. Its kernel multiplies by ``(float) in /
    out`` in float32; for ``in = out // 2^l`` (l = 1, 2, 3; out < 3000) that gives these same
    integers, checked exhaustively."""
    return (ops.arange(size_out) * size_in) // size_out


@keras.saving.register_keras_serializable(package="sr_tf")
class NearestResizeLike(layers.Layer):
    """``call([x, like])``: ``F.interpolate(x, size=like's H, W, mode="nearest")``."""

    def call(self, inputs):
        x, like = inputs
        for axis in (1, 2):
            x = ops.take(x, _nearest_indices(ops.shape(x)[axis], ops.shape(like)[axis]), axis=axis)
        return x

    def compute_output_shape(self, input_shapes):
        return (input_shapes[0][0], None, None, input_shapes[0][3])


def _linear_taps(size_in, size_out):
    """PyTorch ``bilinear`` (align_corners=False) along one axis: (low index, high index, weight
    of high) with ``src = max((dst + 0.5) * in / out - 0.5, 0)``."""
    scale = ops.cast(size_in, "float32") / ops.cast(size_out, "float32")
    src = ops.maximum((ops.cast(ops.arange(size_out), "float32") + 0.5) * scale - 0.5, 0.0)
    low = ops.cast(ops.floor(src), "int32")
    return low, ops.minimum(low + 1, size_in - 1), src - ops.cast(low, "float32")


@keras.saving.register_keras_serializable(package="sr_tf")
class BilinearResizeLike(layers.Layer):
    """``call([x, like])``: ``F.interpolate(x, size=like's H, W, mode="bilinear",
    align_corners=False)`` (no antialiasing), one axis at a time by gathers."""

    def call(self, inputs):
        x, like = inputs
        for axis in (1, 2):
            low, high, frac = _linear_taps(ops.shape(x)[axis], ops.shape(like)[axis])
            frac = ops.reshape(frac, (-1, 1, 1) if axis == 1 else (-1, 1))
            x = ops.take(x, low, axis=axis) * (1 - frac) + ops.take(x, high, axis=axis) * frac
        return x

    def compute_output_shape(self, input_shapes):
        return (input_shapes[0][0], None, None, input_shapes[0][3])
