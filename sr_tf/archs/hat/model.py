"""HAT, the Hybrid Attention Transformer (Chen et al. 2023): Swin blocks with a parallel
channel-attention convolution (HAB), and an overlapping cross-attention block (OCAB) closing
each residual group.

Layer names follow XPixelGroup/HAT ``hat/archs/hat_arch.py``. The official model needs inputs
that are multiples of the window (its test code reflect-pads outside the model); ours pads inside
and crops, so any input size works and a multiple of the window gives the official output.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import layers, ops

from sr_tf.layers.common import check_scale, conv
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (Mlp, SwinTransformerBlock, bias_from_table,
                                           check_stages, deep_features, layer_norm, linear,
                                           multi_head_attention, pixel_shuffle_reconstruction,
                                           window_model, window_partition, window_reverse)


def overlapping_window_size(window_size: int, overlap_ratio: float) -> int:
    """Side of OCAB's key/value windows: the window grown by ``overlap_ratio`` (as HAT rounds)."""
    return int(window_size * overlap_ratio) + window_size


def overlap_position_index(window: int, size: int) -> np.ndarray:
    """``[window², size²]`` rows of OCAB's ``(window + size - 1)²``-row bias table.

    HAT's index has negative entries, which PyTorch indexing wraps around; taken modulo here.
    """
    def coords(n):
        return np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij")).reshape(2, -1)

    relative = coords(size)[:, None, :] - coords(window)[:, :, None] + window - size + 1
    return (relative[0] * (window + size - 1) + relative[1]) % (window + size - 1) ** 2


def overlapping_windows(x, window: int, size: int):
    """``[B, H, W, C]`` -> ``[B * nW, size², C]``: the ``size`` x ``size`` zero-padded
    neighbourhood centred on each ``window`` x ``window`` window (PyTorch ``nn.Unfold`` with
    stride ``window`` and padding ``(size - window) / 2``)."""
    pad = (size - window) // 2
    height, width = ops.shape(x)[1], ops.shape(x)[2]
    x = ops.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))

    def rows(length):
        starts = ops.arange(length // window) * window
        return ops.reshape(starts[:, None] + ops.arange(size)[None, :], (-1,))

    x = ops.take(ops.take(x, rows(height), axis=1), rows(width), axis=2)
    return window_partition(x, size)


@keras.saving.register_keras_serializable(package="sr_tf")
class ChannelAttentionBlock(layers.Layer):
    """HAT's CAB: conv (C / compress_ratio) -> exact GELU -> conv (C), scaled per channel by a
    squeeze-and-excitation of its global average (C / squeeze_factor channels)."""

    def __init__(self, dim: int, compress_ratio: int, squeeze_factor: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.compress_ratio = compress_ratio
        self.squeeze_factor = squeeze_factor
        self.compress = conv(dim // compress_ratio, 3, "cab.0")
        self.expand = conv(dim, 3, "cab.2")
        self.squeeze = conv(dim // squeeze_factor, 1, "cab.3.attention.1")
        self.excite = conv(dim, 1, "cab.3.attention.3")

    def build(self, input_shape):
        self.compress.build(input_shape)
        self.expand.build(tuple(input_shape[:-1]) + (self.dim // self.compress_ratio,))
        self.squeeze.build((None, 1, 1, self.dim))
        self.excite.build((None, 1, 1, self.dim // self.squeeze_factor))

    def call(self, x):
        x = self.expand(gelu(self.compress(x)))
        pooled = ops.cast(ops.mean(ops.cast(x, "float32"), axis=(1, 2), keepdims=True), x.dtype)
        return x * ops.sigmoid(self.excite(ops.relu(self.squeeze(pooled))))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "compress_ratio": self.compress_ratio,
                                       "squeeze_factor": self.squeeze_factor}


@keras.saving.register_keras_serializable(package="sr_tf")
class HybridAttentionBlock(SwinTransformerBlock):
    """HAB: a Swin block whose attention branch gets ``conv_scale`` x a channel-attention
    convolution of the same normalised input added."""

    def __init__(self, dim: int, num_heads: int, window_size: int, shift_size: int = 0,
                 mlp_ratio: float = 2.0, compress_ratio: int = 3, squeeze_factor: int = 30,
                 conv_scale: float = 0.01, **kwargs):
        super().__init__(dim, num_heads, window_size, shift_size, mlp_ratio, **kwargs)
        self.compress_ratio = compress_ratio
        self.squeeze_factor = squeeze_factor
        self.conv_scale = conv_scale
        self.conv_block = ChannelAttentionBlock(dim, compress_ratio, squeeze_factor,
                                                name="conv_block")

    def build(self, input_shape):
        super().build(input_shape)
        self.conv_block.build(input_shape)

    def branches(self, x):
        return self.window_attention(x) + self.conv_block(x) * self.conv_scale

    def get_config(self):
        return super().get_config() | {"compress_ratio": self.compress_ratio,
                                       "squeeze_factor": self.squeeze_factor,
                                       "conv_scale": self.conv_scale}


@keras.saving.register_keras_serializable(package="sr_tf")
class OverlappingCrossAttention(layers.Layer):
    """OCAB: queries from each window attend to keys/values from the larger overlapping window
    around it; then an MLP. Both pre-norm with residuals, on ``[B, H, W, C]``."""

    def __init__(self, dim: int, num_heads: int, window_size: int, overlap_ratio: float = 0.5,
                 mlp_ratio: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.window_size = window_size
        self.overlap_ratio = overlap_ratio
        self.mlp_ratio = mlp_ratio
        self.size = overlapping_window_size(window_size, overlap_ratio)
        if (self.size - window_size) % 2:
            raise ValueError(f"window_size {window_size} x overlap_ratio {overlap_ratio} must "
                             "grow the window by an even number of pixels (as in HAT's unfold)")
        self.index = overlap_position_index(window_size, self.size)
        self.norm1 = layer_norm("norm1")
        self.qkv = linear(3 * dim, "qkv")
        self.proj = linear(dim, "proj")
        self.norm2 = layer_norm("norm2")
        self.mlp = Mlp(dim, int(dim * mlp_ratio), name="mlp")

    def build(self, input_shape):
        self.relative_position_bias_table = self.add_weight(
            name="relative_position_bias_table",
            shape=((self.window_size + self.size - 1) ** 2, self.num_heads),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        for layer in (self.norm1, self.qkv, self.proj, self.norm2, self.mlp):
            layer.build(input_shape)

    def call(self, x):
        shape = ops.shape(x)
        qkv = self.qkv(self.norm1(x))
        q = window_partition(qkv[..., :self.dim], self.window_size, shape)
        k, v = ops.split(overlapping_windows(qkv[..., self.dim:], self.window_size, self.size),
                         2, axis=-1)
        bias = bias_from_table(self.relative_position_bias_table, self.index)
        attended = multi_head_attention(q, k, v, bias, self.num_heads)
        x = x + self.proj(window_reverse(attended, self.window_size, shape))
        return x + self.mlp(self.norm2(x))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {
            "dim": self.dim, "num_heads": self.num_heads, "window_size": self.window_size,
            "overlap_ratio": self.overlap_ratio, "mlp_ratio": self.mlp_ratio}


def hat(scale: int = 4, embed_dim: int = 180, depths: Sequence[int] = (6,) * 6,
        num_heads: Sequence[int] = (6,) * 6, window_size: int = 16, compress_ratio: int = 3,
        squeeze_factor: int = 30, conv_scale: float = 0.01, overlap_ratio: float = 0.5,
        mlp_ratio: float = 2.0, resi_connection: str = "1conv", img_range: float = 1.0,
        num_feat: int = 64) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. Defaults: HAT (HAT-S: ``embed_dim=144,
    compress_ratio=24, squeeze_factor=24``; HAT-L: 12 groups). Pixel-shuffle reconstruction.

    ``resi_connection``: ``1conv`` (every released model) or ``identity``.
    """
    check_scale("hat", scale, (2, 3, 4, 8))
    if resi_connection not in ("1conv", "identity"):
        raise ValueError(f"hat resi_connection must be 1conv or identity, not {resi_connection!r}")
    check_stages(embed_dim, depths, num_heads)

    def group(i: int):
        def run(y: keras.KerasTensor) -> keras.KerasTensor:
            prefix = f"layers.{i}.residual_group"
            for j in range(depths[i]):
                y = HybridAttentionBlock(embed_dim, num_heads[i], window_size,
                                         0 if j % 2 == 0 else window_size // 2, mlp_ratio,
                                         compress_ratio, squeeze_factor, conv_scale,
                                         name=f"{prefix}.blocks.{j}")(y)
            return OverlappingCrossAttention(embed_dim, num_heads[i], window_size, overlap_ratio,
                                             mlp_ratio, name=f"{prefix}.overlap_attn")(y)
        return run

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(x)
        x = deep_features(x, [group(i) for i in range(len(depths))], resi_connection)
        return pixel_shuffle_reconstruction(x, scale, num_feat)

    return window_model(f"hat_x{scale}", scale, window_size, img_range, network)
