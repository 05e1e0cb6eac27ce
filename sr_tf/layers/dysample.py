"""DySample, "Learning to Upsample by Learning to Sample" (Liu et al. 2023), as RealPLKSR, MoSR
and MoESR use it (spandrel ``__arch_helpers/dysample.py``).

Per output pixel and channel group it predicts a sampling offset at LR size
(``offset(x) * sigmoid(scope(x)) * 0.5 + init_pos``, pixel-shuffled to HR) and samples the input
bilinearly there (``grid_sample``, align_corners=False, border padding). ``init_pos`` (a buffer
in the state dicts) is rebuilt here; offsets and sampling positions follow the official
arithmetic, with gathers in place of ``grid_sample``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops


def initial_positions(scale: int, groups: int) -> np.ndarray:
    """The official ``init_pos`` buffer, flattened: index ``(d * groups + g) * s^2 + a * s + b``
    holds the x (d = 0, column b) or y (d = 1, row a) offset of sub-pixel (a, b) from the LR
    pixel's centre."""
    h = np.arange((-scale + 1) / 2, (scale - 1) / 2 + 1) / scale
    grid = np.stack(np.meshgrid(h, h, indexing="ij")).transpose(0, 2, 1)   # [d, a, b]
    return np.repeat(grid[:, None], groups, axis=1).reshape(-1).astype(np.float32)


@keras.saving.register_keras_serializable(package="sr_tf")
class DySampleWarp(layers.Layer):
    """``call([x, offset, scope])`` -> ``x`` sampled at ``scale`` times its size; ``offset`` and
    ``scope`` are the outputs of the two 1x1 convs (``2 * groups * scale^2`` channels)."""

    def __init__(self, scale: int, groups: int, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.groups = groups

    def call(self, inputs):
        x, offset, scope = inputs
        s, g = self.scale, self.groups
        batch, height, width = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
        channels = x.shape[-1]
        offset = offset * ops.sigmoid(scope) * 0.5 + initial_positions(s, g)
        # PyTorch pixel shuffle of the 2G offset maps: channels to depth_to_space's order first.
        order = np.arange(2 * g * s * s)
        offset = ops.take(offset, (order % (2 * g)) * s * s + order // (2 * g), axis=-1)
        offset = ops.depth_to_space(offset, s)                     # [B, sH, sW, (d, group)]
        flat = ops.reshape(x, (-1, channels // g))                 # [(b, y, x, group), C / G]
        index = ops.reshape(ops.arange(batch), (-1, 1, 1, 1)) * height
        taps = []
        for d, (size, axis) in enumerate(((width, 2), (height, 1))):
            length = ops.cast(size, x.dtype)
            centre = ops.cast(ops.arange(size * s) // s, x.dtype) + 0.5
            centre = ops.reshape(centre, (1, 1, -1, 1) if axis == 2 else (1, -1, 1, 1))
            grid = 2 * (centre + offset[..., d * g:(d + 1) * g]) / length - 1
            position = ops.clip(((grid + 1) * length - 1) / 2, 0.0, length - 1)   # border
            low = ops.floor(position)
            taps.append((ops.cast(low, "int32"), ops.minimum(ops.cast(low, "int32") + 1, size - 1),
                         ops.reshape(position - low, (-1, 1))))
        (x_low, x_high, fx), (y_low, y_high, fy) = taps
        group = ops.arange(g)

        def at(ix, iy):
            return ops.take(flat, ops.reshape(((index + iy) * width + ix) * g + group, (-1,)),
                            axis=0)

        out = (at(x_low, y_low) * (1 - fx) * (1 - fy) + at(x_high, y_low) * fx * (1 - fy)
               + at(x_low, y_high) * (1 - fx) * fy + at(x_high, y_high) * fx * fy)
        return ops.reshape(out, (batch, height * s, width * s, channels))

    def compute_output_shape(self, input_shapes):
        return (input_shapes[0][0], None, None, input_shapes[0][-1])

    def get_config(self):
        return super().get_config() | {"scale": self.scale, "groups": self.groups}


def dysample(x, out_channels: int, scale: int, groups: int, name: str,
             end_convolution: bool = True):
    """``DySample(in, out_channels, scale, groups, end_convolution)`` named ``name``: the 1x1
    convs ``offset`` (official init: truncated normal, std 0.02) and ``scope`` (zeros, no bias),
    the sampling, then the 1x1 ``end_conv`` to ``out_channels``."""
    if x.shape[-1] % groups:
        raise ValueError(f"DySample: {x.shape[-1]} channels do not split into {groups} groups")
    width = 2 * groups * scale * scale
    offset = layers.Conv2D(width, 1, name=f"{name}.offset",
                           kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02))(x)
    scope = layers.Conv2D(width, 1, use_bias=False, kernel_initializer="zeros",
                          name=f"{name}.scope")(x)
    out = DySampleWarp(scale, groups, name=f"{name}.sample")([x, offset, scope])
    if end_convolution:
        out = layers.Conv2D(out_channels, 1, name=f"{name}.end_conv")(out)
    return out
