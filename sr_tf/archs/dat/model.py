"""DAT, the Dual Aggregation Transformer (Chen et al. 2023): blocks alternate spatial
rectangle-window attention and channel attention, each joined to a depthwise-conv path of ``v``
by the adaptive interaction module (AIM); spatial-gate feed-forward networks.

Layer names follow zhengchen1999/DAT ``basicsr/archs/dat_arch.py`` (``before_RG.1`` is read as
``patch_embed.norm``). The official attention zero-pads inside each spatial attention, so any
input size works; its masks are built here from the runtime size, never from ``img_size``.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import layers, ops

from sr_tf.layers.common import check_scale, conv
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.rect_window_attention import (DualWindowAttention, SpatialGateFFN,
                                                is_shifted)
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (channel_self_attention, deep_features, layer_norm,
                                           linear, reconstruction, window_model)

UPSAMPLERS = ("pixelshuffle", "pixelshuffledirect")


def batch_norm(name: str) -> layers.BatchNormalization:
    """PyTorch ``nn.BatchNorm2d`` (eps 1e-5, momentum 0.1)."""
    return layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)


@keras.saving.register_keras_serializable(package="sr_tf")
class AdaptiveInteraction(layers.Layer):
    """AIM's convolutions: ``dwconv`` (depthwise 3x3, BN, GELU) of ``v``; a channel map
    (``channel_interaction``: pool, 1x1 to C/8, BN, GELU, 1x1) and a spatial map
    (``spatial_interaction``: 1x1 to C/16, BN, GELU, 1x1 to 1), both gating by sigmoid."""

    def __init__(self, dim: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.dw = DepthwiseConv(3, name="dwconv.0")
        self.dw_norm = batch_norm("dwconv.1")
        self.ci = [conv(dim // 8, 1, "channel_interaction.1"),
                   batch_norm("channel_interaction.2"), conv(dim, 1, "channel_interaction.4")]
        self.si = [conv(dim // 16, 1, "spatial_interaction.0"),
                   batch_norm("spatial_interaction.1"), conv(1, 1, "spatial_interaction.3")]

    def build(self, input_shape):
        full = (None, None, None, self.dim)
        self.dw.build(full)
        self.dw_norm.build(full)
        for stack, hidden in ((self.ci, self.dim // 8), (self.si, self.dim // 16)):
            stack[0].build(full)
            stack[1].build((None, None, None, hidden))
            stack[2].build((None, None, None, hidden))

    def conv_path(self, v):
        return gelu(self.dw_norm(self.dw(v)))

    def channel_map(self, x):
        pooled = ops.mean(x, axis=(1, 2), keepdims=True)
        return ops.sigmoid(self.ci[2](gelu(self.ci[1](self.ci[0](pooled)))))

    def spatial_map(self, x):
        return ops.sigmoid(self.si[2](gelu(self.si[1](self.si[0](x)))))

    def get_config(self):
        return super().get_config() | {"dim": self.dim}


@keras.saving.register_keras_serializable(package="sr_tf")
class AdaptiveSpatialAttention(DualWindowAttention):
    """Rectangle-window attention gated per channel by the conv path of ``v``, which is gated
    per pixel by the attention output: ``attn * ch(conv) + sp(attn) * conv``."""

    def __init__(self, dim: int, num_heads: int, split_size: Sequence[int], shifted: bool,
                 qkv_bias: bool = True, **kwargs):
        super().__init__(dim, num_heads, split_size, shifted, qkv_bias, **kwargs)
        self.aim = AdaptiveInteraction(dim, name="aim")

    def build(self, input_shape):
        super().build(input_shape)
        self.aim.build(input_shape)

    def mix(self, attended, v):
        conv_x = self.aim.conv_path(v)
        return attended * self.aim.channel_map(conv_x) + self.aim.spatial_map(attended) * conv_x


@keras.saving.register_keras_serializable(package="sr_tf")
class AdaptiveChannelAttention(layers.Layer):
    """Channel self-attention per head (cosine similarity of channels over all pixels, times a
    learned ``temperature``), joined to the conv path of ``v``:
    ``attn * sp(conv) + ch(attn) * conv``; on ``[B, H, W, dim]``."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.qkv_bias = qkv_bias
        self.qkv = layers.Dense(3 * dim, use_bias=qkv_bias, name="qkv",
                                kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.proj = linear(dim, "proj")
        self.aim = AdaptiveInteraction(dim, name="aim")

    def build(self, input_shape):
        self.temperature = self.add_weight(name="temperature", shape=(self.num_heads, 1, 1),
                                           initializer="ones")
        for layer in (self.qkv, self.proj, self.aim):
            layer.build(input_shape)

    def call(self, x):
        q, k, v = ops.split(self.qkv(x), 3, axis=-1)
        attended = channel_self_attention(q, k, v, self.num_heads, self.temperature)
        conv_x = self.aim.conv_path(v)
        mixed = attended * self.aim.spatial_map(conv_x) + self.aim.channel_map(attended) * conv_x
        return self.proj(mixed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads,
                                       "qkv_bias": self.qkv_bias}


@keras.saving.register_keras_serializable(package="sr_tf")
class DualAggregationBlock(layers.Layer):
    """DATB: ``x + attn(norm1(x))``, ``x + ffn(norm2(x))``; spatial attention in even blocks,
    channel attention in odd ones."""

    def __init__(self, dim: int, num_heads: int, split_size: Sequence[int], spatial: bool,
                 shifted: bool, expansion_factor: float, qkv_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.settings = {"dim": dim, "num_heads": num_heads, "split_size": tuple(split_size),
                         "spatial": spatial, "shifted": shifted,
                         "expansion_factor": expansion_factor, "qkv_bias": qkv_bias}
        self.norm1 = layer_norm("norm1")
        self.attn = (AdaptiveSpatialAttention(dim, num_heads, split_size, shifted, qkv_bias,
                                              name="attn") if spatial else
                     AdaptiveChannelAttention(dim, num_heads, qkv_bias, name="attn"))
        self.norm2 = layer_norm("norm2")
        self.ffn = SpatialGateFFN(dim, int(dim * expansion_factor), name="ffn")

    def build(self, input_shape):
        for layer in (self.norm1, self.attn, self.norm2, self.ffn):
            layer.build(input_shape)

    def call(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | self.settings


def dat(scale: int = 2, embed_dim: int = 180, split_size: Sequence[int] = (2, 4),
        depth: Sequence[int] = (2, 2, 2, 2), num_heads: Sequence[int] = (2, 2, 2, 2),
        expansion_factor: float = 4.0, qkv_bias: bool = True, img_range: float = 1.0,
        resi_connection: str = "1conv", upsampler: str = "pixelshuffle") -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (DAT: 180,
    ``split_size=(8, 32)``, ``depth=num_heads=(6,)*6``, ``expansion_factor=4``; DAT-S: 180,
    ``(8, 16)``, ``expansion_factor=2``; DAT-light: 60, ``(8, 32)``, depth (18,), heads (6,),
    ``3conv``, ``pixelshuffledirect``)."""
    if upsampler not in UPSAMPLERS:
        raise ValueError(f"upsampler must be one of {', '.join(UPSAMPLERS)}, not {upsampler!r}")
    check_scale("dat", scale, (2, 3, 4, 8))
    if len(depth) != len(num_heads) or any(embed_dim % (2 * h) for h in num_heads):
        raise ValueError(f"depth {list(depth)} / num_heads {list(num_heads)}: one head count "
                         f"per group, each even and dividing embed_dim {embed_dim} in halves")

    def group(i: int):
        def run(y: keras.KerasTensor) -> keras.KerasTensor:
            for j in range(depth[i]):
                y = DualAggregationBlock(embed_dim, num_heads[i], split_size, j % 2 == 0,
                                         is_shifted(i, j), expansion_factor, qkv_bias,
                                         name=f"layers.{i}.blocks.{j}")(y)
            return y
        return run

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(x)
        x = deep_features(x, [group(i) for i in range(len(depth))], resi_connection)
        return reconstruction(x, upsampler, scale)

    return window_model(f"dat_x{scale}", scale, 1, img_range, network)
