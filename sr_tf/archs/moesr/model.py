"""MoESR, MambaOut excitation SR (spandrel 0.4.2 ``MoESR/__arch/MoESR.py``): groups of gated CNN
blocks (inception depthwise convs, layer scale), each group followed by a half-resolution gated
stage (MSG), and a choice of upsamplers. The input is reflect-padded to even sizes and the output
cropped, as the official ``forward`` does. Layer names are the official module paths."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from sr_tf.layers.common import CropToScale, PadToMultiple, conv, pixel_shuffle_upsample
from sr_tf.layers.dysample import dysample
from sr_tf.layers.torch_activations import mish

# The official SampleMods, in the order the MetaUpsample buffer indexes them.
UPSAMPLERS = ("conv", "pixelshuffledirect", "pixelshuffle", "nearest+conv", "dysample")


@keras.saving.register_keras_serializable(package="sr_tf")
class ChannelScale(layers.Layer):
    """``x * gamma`` with a learned per-channel ``gamma`` (ones at init). The variable is called
    ``scale`` (a Keras ``gamma`` would map to a PyTorch ``weight``); keys.py renames ``gamma``."""

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.scale


def _pixel_unshuffle(x, r: int):
    """PyTorch ``PixelUnshuffle(r)``: channel ``c * r^2 + k`` (TF's ``space_to_depth`` puts it
    at ``k * C + c``)."""
    channels = x.shape[-1]
    order = np.arange(channels * r * r)
    return ops.take(ops.space_to_depth(x, r), (order % (r * r)) * channels + order // (r * r),
                    axis=-1)


def _inception_dw(x, name: str):
    """``InceptionDWConv2d``: identity, 3x3, 1x11 and 11x1 depthwise convs on channel parts."""
    gc = int(x.shape[-1] * 0.125)
    split = x.shape[-1] - 3 * gc
    parts = [x[..., :split]]
    for i, (part, kernel) in enumerate((("dwconv_hw", 3), ("dwconv_w", (1, 11)),
                                        ("dwconv_h", (11, 1)))):
        source = x[..., split + i * gc:split + (i + 1) * gc]
        parts.append(layers.DepthwiseConv2D(kernel, padding="same", name=f"{name}.{part}")(source))
    return layers.Concatenate()(parts)


def _gated_block(x, name: str, expansion_ratio: float):
    """``GatedCNNBlock`` (conv_ratio 1): LayerNorm, 3x3 ``fc1`` to (gate, conv part), inception
    depthwise convs, ``fc2``, times ``gamma``, plus the input."""
    dim = x.shape[-1]
    hidden = int(expansion_ratio * dim)
    y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}.norm")(x)
    y = conv(hidden * 2, 3, f"{name}.fc1")(y)
    gate, rest = y[..., :hidden], y[..., hidden:]
    rest = layers.Concatenate()([rest[..., :hidden - dim], _inception_dw(rest[..., hidden - dim:],
                                                                         f"{name}.conv")])
    y = mish(conv(dim, 3, f"{name}.fc2")(mish(gate) * rest))
    return ChannelScale(name=f"{name}.gamma")(y) + x


def _msg(x, name: str, expansion_msg: float):
    """``MSG``: conv to dim / 4, pixel unshuffle 2, three gated blocks, conv + pixel shuffle
    back, plus the input."""
    dim = x.shape[-1]
    y = _pixel_unshuffle(conv(dim // 4, 3, f"{name}.down.0")(x), 2)
    y = layers.LeakyReLU(0.1)(y)
    for i in range(3):
        y = _gated_block(y, f"{name}.gated.{i}", expansion_msg)
    y = ops.depth_to_space(conv(dim * 4, 3, f"{name}.up.0")(y), 2)
    return layers.LeakyReLU(0.1)(y) + x


def _upsample(x, upsampler: str, scale: int, mid_dim: int):
    """``UniUpsample`` to RGB, layers named ``upscale.N`` as in the official Sequential."""
    if scale == 1 or upsampler == "conv":
        return conv(3, 3, "upscale.0")(x)
    if upsampler == "pixelshuffledirect":
        return ops.depth_to_space(conv(3 * scale * scale, 3, "upscale.0")(x), scale)
    if upsampler == "dysample":
        return dysample(x, 3, scale, 4, "upscale.0")
    if upsampler == "pixelshuffle":
        x = layers.LeakyReLU(0.01)(conv(mid_dim, 3, "upscale.0")(x))
        x = pixel_shuffle_upsample(x, scale, mid_dim, "upscale", first_index=2)
        stages = 1 if scale == 3 else scale.bit_length() - 1
        return conv(3, 3, f"upscale.{2 + 2 * stages}")(x)
    # nearest+conv: (conv, nearest x2 or x3, LeakyReLU 0.2) per stage, conv + LeakyReLU, conv
    factors = [3] if scale == 3 else [2] * (scale.bit_length() - 1)
    if scale not in (3, 2 ** len(factors)):
        raise ValueError(f"MoESR nearest+conv supports 3 or a power of two, not {scale}")
    dim = x.shape[-1]
    for k, factor in enumerate(factors):
        x = layers.UpSampling2D(factor)(conv(dim, 3, f"upscale.{3 * k}")(x))
        x = layers.LeakyReLU(0.2)(x)
    x = layers.LeakyReLU(0.2)(conv(dim, 3, f"upscale.{3 * len(factors)}")(x))
    return conv(3, 3, f"upscale.{3 * len(factors) + 2}")(x)


def moesr(scale: int = 4, dim: int = 64, n_blocks: int = 9, n_block: int = 4,
          expansion_factor: float = 2.65625, expansion_msg: float = 1.5,
          upsampler: str = "pixelshuffledirect", upsample_dim: int = 64) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; ``upsampler`` one of :data:`UPSAMPLERS` (``conv``
    means scale 1; ``upsample_dim`` is the width of the ``pixelshuffle`` upsampler)."""
    if upsampler not in UPSAMPLERS:
        raise ValueError(f"MoESR upsampler must be one of {', '.join(UPSAMPLERS)}; "
                         f"got {upsampler!r}")
    scale = 1 if upsampler == "conv" else scale
    lr = keras.Input((None, None, 3), name="lr")
    x = conv(dim, 3, "in_to_dim")(PadToMultiple(2)(lr))
    skip = x
    for i in range(n_blocks):
        for j in range(n_block):
            x = _gated_block(x, f"blocks.{i}.blocks.{j}", expansion_factor)
        x = _msg(x, f"blocks.{i}.msg", expansion_msg)
    sr = _upsample(x + skip, upsampler, scale, upsample_dim)
    return keras.Model(lr, CropToScale(scale)([sr, lr]), name=f"moesr_x{scale}")
