"""FDAT, the Fast Dual Aggregation Transformer (neosr-project): DAT simplified - blocks
alternate plain window attention (a learned bias per head and token pair, no shift) and channel
attention, each fused with a depthwise conv path by a simplified interaction; conv FFNs; no mean
shift; the neosr ``UniUpsampleV3`` reconstruction (default ``transpose+conv``).

Layer names follow spandrel's ``FDAT/__arch/fdat.py``. Windows are zero-padded inside each
spatial attention (padded tokens take part, as in the official code), so any input size works.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import layers, ops

from sr_tf.layers.common import (CropToScale, PadToMultiple, check_scale, conv,
                                 pixel_shuffle_upsample)
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.rect_window_attention import zero_pad_to_multiple
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (channel_self_attention, layer_norm, linear,
                                           multi_head_attention, window_partition, window_reverse)

UPSAMPLERS = {"transpose+conv": (2, 3, 4), "pixelshuffle": (2, 3, 4, 8),
              "pixelshuffledirect": (2, 3, 4, 8), "conv": (1,)}


def plain_conv(filters: int, kernel_size: int, name: str) -> layers.Conv2D:
    return layers.Conv2D(filters, kernel_size, padding="same", use_bias=False,
                         name=name)


@keras.saving.register_keras_serializable(package="sr_tf")
class FastWindowAttention(layers.Layer):
    """Non-shifted ``window_size`` windows (zero-padded), ``qkv`` without bias, a learned
    ``bias`` ``[heads, N, N]``, ``proj``; on ``[B, H, W, dim]``."""

    def __init__(self, dim: int, num_heads: int, window_size: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.window_size = window_size
        self.qkv = layers.Dense(3 * dim, use_bias=False, name="qkv",
                                kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.proj = linear(dim, "proj")

    def build(self, input_shape):
        tokens = self.window_size ** 2
        self.bias = self.add_weight(name="bias", shape=(self.num_heads, tokens, tokens),
                                    initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.qkv.build(input_shape)
        self.proj.build(input_shape)

    def call(self, x):
        shape = ops.shape(x)
        x = zero_pad_to_multiple(x, self.window_size)
        padded = ops.shape(x)
        q, k, v = ops.split(self.qkv(window_partition(x, self.window_size, padded)), 3, axis=-1)
        out = self.proj(multi_head_attention(q, k, v, self.bias, self.num_heads))
        return window_reverse(out, self.window_size, padded)[:, :shape[1], :shape[2]]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads,
                                       "window_size": self.window_size}


@keras.saving.register_keras_serializable(package="sr_tf")
class FastChannelAttention(layers.Layer):
    """Channel self-attention per head (``temp``), ``qkv`` without bias, ``proj``."""

    def __init__(self, dim: int, num_heads: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.qkv = layers.Dense(3 * dim, use_bias=False, name="qkv",
                                kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.proj = linear(dim, "proj")

    def build(self, input_shape):
        self.temp = self.add_weight(name="temp", shape=(self.num_heads, 1, 1), initializer="ones")
        self.qkv.build(input_shape)
        self.proj.build(input_shape)

    def call(self, x):
        q, k, v = ops.split(self.qkv(x), 3, axis=-1)
        return self.proj(channel_self_attention(q, k, v, self.num_heads, self.temp))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads}


def fdat_block(x: keras.KerasTensor, prefix: str, spatial: bool, num_heads: int,
               window_size: int, ffn_expansion_ratio: float, aim_reduction_ratio: int
               ) -> keras.KerasTensor:
    """SimplifiedDATBlock: ``x + inter(attn(n1 x), conv(n1 x))``, ``x + ffn(n2 x)``. After
    spatial attention the conv path's channel gate (``inter.cg``) scales the attention; after
    channel attention the attention's spatial gate (``inter.sg``) scales the conv path."""
    dim = x.shape[-1]
    normed = layer_norm(f"{prefix}.n1")(x)
    attn = (FastWindowAttention(dim, num_heads, window_size, name=f"{prefix}.attn") if spatial
            else FastChannelAttention(dim, num_heads, name=f"{prefix}.attn"))(normed)
    conv_x = gelu(DepthwiseConv(3, use_bias=False, name=f"{prefix}.conv.0")(normed))
    if spatial:
        pooled = layers.GlobalAveragePooling2D(keepdims=True)(conv_x)
        gate = gelu(plain_conv(dim // aim_reduction_ratio, 1, f"{prefix}.inter.cg.1")(pooled))
        gate = ops.sigmoid(plain_conv(dim, 1, f"{prefix}.inter.cg.3")(gate))
        fused = attn * gate + conv_x
    else:
        fused = attn + conv_x * ops.sigmoid(plain_conv(1, 1, f"{prefix}.inter.sg.0")(attn))
    x = layers.Add()([x, fused])
    hidden = int(dim * ffn_expansion_ratio)
    y = layer_norm(f"{prefix}.n2")(x)
    y = gelu(layers.Dense(hidden, use_bias=False, name=f"{prefix}.ffn.fc1")(y))
    y = DepthwiseConv(3, use_bias=False, name=f"{prefix}.ffn.smix")(y)
    return layers.Add()([x, layers.Dense(dim, use_bias=False, name=f"{prefix}.ffn.fc2")(y)])


def uni_upsample(x: keras.KerasTensor, kind: str, scale: int, mid_dim: int) -> keras.KerasTensor:
    """neosr's UniUpsampleV3 (``upsampler.K`` layers) to 3 channels, for the kinds FDAT's
    releases use: ``transpose+conv`` (4x4 stride-2 transposed convs, GELU between two; 3x3
    stride 3 for x3; then a 3x3 conv), ``pixelshuffle`` (conv to ``mid_dim``, LeakyReLU 0.01,
    x2/x3 sub-pixel stages, conv), ``pixelshuffledirect`` and ``conv`` (x1)."""
    if kind == "conv":
        return conv(3, 3, "upsampler.0")(x)
    if kind == "pixelshuffledirect":
        return ops.depth_to_space(conv(3 * scale * scale, 3, "upsampler.0")(x), scale)
    if kind == "pixelshuffle":
        x = layers.LeakyReLU(0.01)(conv(mid_dim, 3, "upsampler.0")(x))
        x = pixel_shuffle_upsample(x, scale, mid_dim, "upsampler", first_index=2)
        stages = 1 if scale == 3 else scale.bit_length() - 1
        return conv(3, 3, f"upsampler.{2 + 2 * stages}")(x)
    dim = x.shape[-1]
    if scale == 4:
        x = gelu(layers.Conv2DTranspose(dim, 4, 2, padding="same", name="upsampler.0")(x))
        x = layers.Conv2DTranspose(3, 4, 2, padding="same", name="upsampler.2")(x)
        return conv(3, 3, "upsampler.3")(x)
    x = layers.Conv2DTranspose(3, 3 if scale == 3 else 4, scale, padding="same",
                               name="upsampler.0")(x)
    return conv(3, 3, "upsampler.1")(x)


def fdat(scale: int = 4, embed_dim: int = 120, num_groups: int = 4, depth_per_group: int = 3,
         num_heads: int = 4, window_size: int = 8, ffn_expansion_ratio: float = 2.0,
         aim_reduction_ratio: int = 8, group_block_pattern: Sequence[str] | None = None,
         mid_dim: int = 64, upsampler_type: str = "transpose+conv", img_range: float = 1.0,
         unshuffle_mod: bool = False) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (FDAT-M).
    ``img_range`` is accepted for the official signature; FDAT's forward never uses it.
    ``unshuffle_mod`` (x1/x2): pixel-unshuffle the input and upscale x4 inside."""
    if upsampler_type not in UPSAMPLERS:
        raise ValueError(f"fdat upsampler_type must be one of {', '.join(UPSAMPLERS)} (DySample, "
                         f"LDA and PA upsamplers are not ported), not {upsampler_type!r}")
    pattern = list(group_block_pattern or ("spatial", "channel"))
    unshuffle = 4 // scale if unshuffle_mod and scale < 3 else 1
    inner = 4 if unshuffle > 1 else scale
    check_scale(f"fdat with {upsampler_type}", inner, UPSAMPLERS[upsampler_type])
    lr = keras.Input((None, None, 3), name="lr")
    x = lr
    name = "conv_first"
    if unshuffle > 1:
        x = ops.space_to_depth(PadToMultiple(unshuffle, name="pad")(x), unshuffle)
        name = "conv_first.1"
    shallow = conv(embed_dim, 3, name)(x)
    deep = shallow
    for i in range(num_groups):
        y = deep
        for j in range(depth_per_group * len(pattern)):
            y = fdat_block(y, f"groups.{i}.blocks.{j}", pattern[j % len(pattern)] == "spatial",
                           num_heads, window_size, ffn_expansion_ratio, aim_reduction_ratio)
        deep = layers.Add()([deep, plain_conv(embed_dim, 3, f"groups.{i}.conv")(y)])
    deep = plain_conv(embed_dim, 3, "conv_after")(deep)
    out = uni_upsample(layers.Add()([deep, shallow]), upsampler_type, inner, mid_dim)
    return keras.Model(lr, CropToScale(scale, name="crop")([out, lr]), name=f"fdat_x{scale}")
