"""DITN (Liu et al. 2023, "Unfolding Once is Enough: A Deployment-Friendly Transformer Unit
for Super-Resolution"; yongliuy/DITN ``DITN_Real``, as spandrel 0.4.2 ships it).

Each UFONE unit runs its ITL blocks (single-head channel self-attention and a gated depthwise
feed-forward, each after tanh and a 1x1 conv) on ``patch_size`` patches separately, then its
SAL blocks (spatial-dilated depthwise attention, the same feed-forward) on the whole map. Layer
names are the official module paths. As the official forward does, the input is
reflect-padded to a multiple of 8 inside the model (the official code pads to the lcm of its
hard-coded ``[8, 8]``; we pad to the lcm of 8 and ``patch_size``, where the official code would
fail) and the output cropped.
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from sr_tf.layers.common import CropToScale, PadToMultiple, check_scale, conv
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.gated_ffn import gated_dconv_feed_forward
from sr_tf.layers.window_attention import channel_self_attention, window_partition, window_reverse

OFFICIAL_PAD = 8               # DITN_Real.patch_sizes = [8, 8]


@keras.saving.register_keras_serializable(package="sr_tf")
class ToPatches(layers.Layer):
    """``[B, H, W, C]`` -> ``[B nP, p, p, C]``: the ``p`` x ``p`` patches as a batch."""

    def __init__(self, patch_size: int, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size

    def call(self, x):
        p = self.patch_size
        return ops.reshape(window_partition(x, p), (-1, p, p, x.shape[-1]))

    def compute_output_shape(self, input_shape):
        return (None, self.patch_size, self.patch_size, input_shape[-1])

    def get_config(self):
        return super().get_config() | {"patch_size": self.patch_size}


@keras.saving.register_keras_serializable(package="sr_tf")
class FromPatches(ToPatches):
    """``call([patches, image])``: :class:`ToPatches` undone, to the shape of ``image``."""

    def call(self, inputs):
        patches, image = inputs
        p = self.patch_size
        flat = ops.reshape(patches, (-1, p * p, patches.shape[-1]))
        return window_reverse(flat, p, ops.shape(image))

    def compute_output_shape(self, input_shapes):
        return input_shapes[1]


@keras.saving.register_keras_serializable(package="sr_tf")
class ImageSelfAttention(layers.Layer):
    """ISA: one-head channel self-attention over all pixels of the map (a patch here): linear
    ``qkv`` (with bias), cosine similarity times a learned ``temperature``, 1x1
    ``project_out``."""

    def __init__(self, dim: int, bias: bool, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.bias = bias
        self.qkv = layers.Dense(3 * dim, name="qkv")
        self.project_out = conv(dim, 1, "project_out", use_bias=bias)

    def build(self, input_shape):
        self.qkv.build(input_shape)
        self.project_out.build(input_shape)
        self.temperature = self.add_weight(name="temperature", shape=(1, 1, 1),
                                           initializer="ones")

    def call(self, x):
        q, k, v = ops.split(self.qkv(x), 3, axis=-1)
        return self.project_out(channel_self_attention(q, k, v, 1, self.temperature))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "bias": self.bias}


@keras.saving.register_keras_serializable(package="sr_tf")
class ChannelScale(layers.Layer):
    """``x * scale``, one learned factor per channel (SDA's ``scale``, zeros at init)."""

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],),
                                     initializer="zeros")

    def call(self, x):
        return x * self.scale


def spatial_dilated_attention(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """SDA: ``proj_last(v * DConvs(a)) * scale`` with ``a, v`` halves of ``proj_first(x)``;
    ``DConvs``: depthwise 5x5, depthwise 7x7 dilated 3, 1x1."""
    dim = x.shape[-1]
    a, v = ops.split(conv(2 * dim, 1, f"{name}.proj_first.0")(x), 2, axis=-1)
    a = DepthwiseConv(5, name=f"{name}.DConvs.0")(a)
    a = DepthwiseConv(7, dilation_rate=3, name=f"{name}.DConvs.1")(a)
    a = conv(dim, 1, f"{name}.DConvs.2")(a)
    return ChannelScale(name=name)(conv(dim, 1, f"{name}.proj_last.0")(v * a))


def unit_block(x: keras.KerasTensor, mixer, hidden: int, bias: bool,
               name: str) -> keras.KerasTensor:
    """ITL / SAL: ``x + mixer(conv1(tanh x))``, then ``x + ffn(conv2(tanh x))``."""
    dim = x.shape[-1]
    x = layers.Add()([x, mixer(conv(dim, 1, f"{name}.conv1")(ops.tanh(x)))])
    y = conv(dim, 1, f"{name}.conv2")(ops.tanh(x))
    return layers.Add()([x, gated_dconv_feed_forward(y, hidden, f"{name}.ffn", bias)])


def ditn(scale: int = 4, dim: int = 60, ITL_blocks: int = 4, SAL_blocks: int = 4,  # noqa: N803
         UFONE_blocks: int = 1, ffn_expansion_factor: float = 2, bias: bool = False,  # noqa: N803
         patch_size: int = 8) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (``upscale``
    is ``scale``; ``LayerNorm_type`` is unused by the official code and not taken)."""
    check_scale("ditn", scale, (2, 3, 4, 8))
    hidden = int(dim * ffn_expansion_factor)
    lr = keras.Input((None, None, 3), name="lr")
    x = PadToMultiple(math.lcm(OFFICIAL_PAD, patch_size), name="pad")(lr)
    sft = conv(dim, 3, "sft")(x)
    y = sft
    for u in range(UFONE_blocks):
        unit = f"UFONE.{u}"
        patches = ToPatches(patch_size)(y)
        for j in range(ITL_blocks):
            name = f"{unit}.ITLs.{j}"
            patches = unit_block(patches, ImageSelfAttention(dim, bias, name=f"{name}.attn"),
                                 hidden, bias, name)
        y = FromPatches(patch_size)([patches, y])
        for j in range(SAL_blocks):
            name = f"{unit}.SALs.{j}"
            y = unit_block(y, lambda t, n=name: spatial_dilated_attention(t, f"{n}.SDA"),
                           hidden, bias, name)
    y = layers.Add()([conv(dim, 3, "conv_after_body")(y), sft])
    sr = ops.depth_to_space(conv(3 * scale * scale, 3, "upsample.0")(y), scale)
    return keras.Model(lr, CropToScale(scale, name="crop")([sr, lr]), name=f"ditn_x{scale}")
