"""Small building blocks shared by the architectures (built-in Keras layers only)."""

from __future__ import annotations

import keras
from keras import layers, ops


def conv(filters: int, kernel_size: int, name: str, use_bias: bool = True,
         strides: int = 1) -> layers.Conv2D:
    """'same'-padded Conv2D; for stride 2 and kernel 4 this matches PyTorch padding=1."""
    return layers.Conv2D(filters, kernel_size, strides=strides, padding="same",
                         use_bias=use_bias, name=name)


def pixel_shuffle_upsample(x: keras.KerasTensor, scale: int, filters: int, prefix: str,
                           activation: str | None = None, first_index: int = 0,
                           index_step: int = 2) -> keras.KerasTensor:
    """Sub-pixel upsampling: conv to ``filters * r^2`` channels then ``depth_to_space(r)``.

    x4 is two x2 stages, x3 one stage. Conv layers are named ``{prefix}.{first_index + k * step}``.
    """
    if scale not in (2, 3, 4):
        raise ValueError(f"sub-pixel upsampling supports scale 2, 3 or 4, not {scale}")
    stages = [2, 2] if scale == 4 else [scale]
    for k, r in enumerate(stages):
        x = conv(filters * r * r, 3, f"{prefix}.{first_index + k * index_step}")(x)
        x = ops.depth_to_space(x, r)
        if activation == "prelu":
            x = layers.PReLU(shared_axes=[1, 2], name=f"{prefix}.{first_index + k * index_step}.prelu")(x)
        elif activation is not None:
            x = layers.Activation(activation)(x)
    return x


def check_scale(model: str, scale: int, supported: tuple[int, ...]) -> None:
    """Raise a clear error for a scale an architecture does not support."""
    if scale not in supported:
        raise ValueError(f"{model} supports scale {', '.join(map(str, supported))}; got {scale}")
