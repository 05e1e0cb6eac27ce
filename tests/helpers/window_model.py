"""A tiny shifted-window-attention generator: the ops SwinIR and HAT export with, before they land.

Reflect-pad to the window (``PadToMultiple``), cyclic shift by slices (``cyclic_shift``), window
partition by 6-D reshape/transpose, an attention mask built from the run-time height and width,
a relative position bias gathered from a table, softmax attention, exact GELU (``Erfc`` in the
TF graph), sub-pixel upsampling (``depth_to_space``) and a crop back to ``scale`` x the input.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from sr_tf.models.layers import (CropToScale, PadToMultiple, conv, cyclic_shift,
                                 pixel_shuffle_upsample)


def _partition(x, window: int):
    """``[B, H, W, C]`` -> ``[B * nW, window², C]``."""
    batch, height, width = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
    x = ops.reshape(x, (batch, height // window, window, width // window, window, x.shape[-1]))
    return ops.reshape(ops.transpose(x, (0, 1, 3, 2, 4, 5)), (-1, window * window, x.shape[-1]))


def _reverse(windows, window: int, shape):
    """Inverse of :func:`_partition` for a map of ``shape``."""
    x = ops.reshape(windows, (shape[0], shape[1] // window, shape[2] // window, window, window,
                              windows.shape[-1]))
    return ops.reshape(ops.transpose(x, (0, 1, 3, 2, 4, 5)),
                       (shape[0], shape[1], shape[2], windows.shape[-1]))


@keras.saving.register_keras_serializable(package="sr_tf_tests")
class ShiftedWindowBlock(layers.Layer):
    """Pre-norm shifted-window attention and a GELU MLP, each with a residual."""

    def __init__(self, dim: int, window: int, heads: int, **kwargs):
        super().__init__(**kwargs)
        self.dim, self.window, self.heads, self.shift = dim, window, heads, window // 2
        self.norm = layers.LayerNormalization(epsilon=1e-5)
        self.qkv = layers.Dense(3 * dim)
        self.proj = layers.Dense(dim)
        self.mlp = layers.Dense(dim)
        index = np.arange(window * window)
        rel = index[:, None] // window - index[None, :] // window + window - 1, \
            index[:, None] % window - index[None, :] % window + window - 1
        self.index = (rel[0] * (2 * window - 1) + rel[1]).reshape(-1)

    def build(self, input_shape):
        self.norm.build(input_shape)
        self.qkv.build((None, None, self.dim))
        self.proj.build((None, None, self.dim))
        self.mlp.build(input_shape)
        self.table = self.add_weight(shape=((2 * self.window - 1) ** 2, self.heads),
                                     initializer=keras.initializers.RandomNormal(stddev=0.5))

    def _mask(self, height, width):
        """``[nW, N, N]``: -100 between tokens the shift brought from different regions."""
        def regions(length):
            i = ops.arange(length)
            return (ops.cast(i >= length - self.window, "int32")
                    + ops.cast(i >= length - self.shift, "int32"))
        ids = ops.expand_dims(regions(height), 1) * 3 + ops.expand_dims(regions(width), 0)
        ids = _partition(ops.expand_dims(ops.expand_dims(ids, 0), -1), self.window)[..., 0]
        return ops.where(ops.expand_dims(ids, 1) != ops.expand_dims(ids, 2), -100.0, 0.0)

    def call(self, x):
        shape, w, head_dim = ops.shape(x), self.window, self.dim // self.heads
        y = cyclic_shift(cyclic_shift(self.norm(x), -self.shift, 1), -self.shift, 2)
        q, k, v = ops.split(self.qkv(_partition(y, w)), 3, axis=-1)

        def split(t):
            t = ops.reshape(t, (ops.shape(t)[0], w * w, self.heads, head_dim))
            return ops.transpose(t, (0, 2, 1, 3))

        logits = ops.matmul(split(q) * head_dim ** -0.5, ops.transpose(split(k), (0, 1, 3, 2)))
        bias = ops.reshape(ops.take(self.table, self.index, axis=0), (w * w, w * w, self.heads))
        logits = logits + ops.transpose(bias, (2, 0, 1))
        mask = self._mask(shape[1], shape[2])
        grouped = ops.reshape(logits, (-1, ops.shape(mask)[0], self.heads, w * w, w * w))
        logits = ops.reshape(grouped + ops.expand_dims(ops.expand_dims(mask, 0), 2),
                             ops.shape(logits))
        out = ops.transpose(ops.matmul(ops.softmax(logits, axis=-1), split(v)), (0, 2, 1, 3))
        out = self.proj(ops.reshape(out, (-1, w * w, self.dim)))
        y = _reverse(out, w, shape)
        x = x + cyclic_shift(cyclic_shift(y, self.shift, 1), self.shift, 2)
        return x + self.mlp(ops.gelu(x, approximate=False))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "window": self.window,
                                       "heads": self.heads}


def window_model(scale: int = 2, window: int = 4, dim: int = 8, heads: int = 2) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1] of any size (padded to the window, cropped back)."""
    lr = keras.Input((None, None, 3), name="lr")
    x = conv(dim, 3, "head")(PadToMultiple(window)(lr))
    x = ShiftedWindowBlock(dim, window, heads, name="block")(x)
    x = conv(3, 3, "tail")(pixel_shuffle_upsample(x, scale, dim, "upsample"))
    return keras.Model(lr, CropToScale(scale, name="crop")([x, lr]), name=f"window_x{scale}")
