"""Omni-SR (Wang et al. 2023, "Omni Aggregation Networks for Lightweight Image
Super-Resolution"; Francis0625/Omni-SR, as spandrel 0.4.2 ships it).

Each OSA block: an MBConv, then a local (window) and a meso (grid) stage, each a spatial
self-attention, a gated conv feed-forward, a channel self-attention and another feed-forward;
groups (OSAG) close with a 1x1 conv, a residual and ESA. Layer names are the official module
paths (``residual_layer.i.residual_layer.j.layer.k``). As the official forward does, the input
is zero-padded to a multiple of the window inside the model and the output cropped.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import CropToScale, check_scale, conv, swap_middle_axes
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.esa import enhanced_spatial_attention
from sr_tf.layers.gated_ffn import gated_dconv_feed_forward
from sr_tf.layers.rect_window_attention import ZeroPadToMultiple
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (bias_from_table, channel_self_attention, layer_norm,
                                           multi_head_attention, relative_position_index,
                                           window_partition, window_reverse)

CHANNEL_HEADS = 4              # Channel_Attention(heads=4)


def grid_partition(x, outer: tuple, inner: tuple, shape):
    """``[B, H, W, C]`` with ``H = outer_h * inner_h`` (outer index first) -> one map
    ``[B inner_h inner_w, outer_h, outer_w, C]`` per inner offset: the pixels ``inner`` apart."""
    (oh, ow), (ih, iw), channels = outer, inner, x.shape[-1]
    x = swap_middle_axes(x, (shape[0], oh, ih, shape[2] * channels))  # b i o (p j c)
    x = swap_middle_axes(x, (-1, ow, iw, channels))                   # (b i o) j p c
    x = swap_middle_axes(x, (-1, oh, iw, ow * channels))              # (b i) j o (p c)
    return ops.reshape(x, (-1, oh, ow, channels))


def grid_reverse(maps, outer: tuple, inner: tuple, shape):
    """Inverse of :func:`grid_partition`."""
    (oh, ow), (ih, iw), channels = outer, inner, maps.shape[-1]
    x = swap_middle_axes(maps, (-1, iw, oh, ow * channels))           # (b i) o j (p c)
    x = swap_middle_axes(x, (-1, iw, ow, channels))                   # (b i o) p j c
    x = swap_middle_axes(x, (shape[0], ih, oh, shape[2] * channels))  # b o i (p j c)
    return ops.reshape(x, (shape[0], shape[1], shape[2], channels))


def grouping(x, window: int, grid: bool, shape):
    """The official ``Rearrange`` into ``window`` x ``window`` maps: contiguous windows, or
    (``grid``) pixels ``H / window`` apart. Returns the maps and their inverse."""
    if grid:
        outer, inner = (window, window), (shape[1] // window, shape[2] // window)
        return (grid_partition(x, outer, inner, shape),
                lambda maps: grid_reverse(maps, outer, inner, shape))
    maps = ops.reshape(window_partition(x, window, shape), (-1, window, window, x.shape[-1]))
    return maps, lambda m: window_reverse(ops.reshape(m, (-1, window * window, m.shape[-1])),
                                          window, shape)


@keras.saving.register_keras_serializable(package="sr_tf")
class SpatialAttention(layers.Layer):
    """``PreNormResidual(LayerNorm, Attention)``: ``x + to_out(attn(norm(x)))`` inside each
    window (or grid group), 4 heads, with a learned relative position bias (``with_pe``)."""

    def __init__(self, dim: int, window_size: int, with_pe: bool, grid: bool, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.window_size = window_size
        self.with_pe = with_pe
        self.grid = grid
        self.heads = dim // (dim // 4)
        self.norm = layer_norm("norm")
        self.to_qkv = layers.Dense(3 * dim, use_bias=False, name="fn.to_qkv")
        self.to_out = layers.Dense(dim, use_bias=False, name="fn.to_out.0")
        self.index = relative_position_index(window_size)

    def build(self, input_shape):
        self.norm.build(input_shape)
        self.to_qkv.build(input_shape)
        self.to_out.build(input_shape)
        if self.with_pe:
            self.rel_pos_bias = self.add_weight(
                name="fn.rel_pos_bias.weight", shape=((2 * self.window_size - 1) ** 2,
                                                      self.heads),
                initializer=keras.initializers.RandomNormal(stddev=1.0))

    def call(self, x):
        shape, w = ops.shape(x), self.window_size
        maps, reverse = grouping(self.to_qkv(self.norm(x)), w, self.grid, shape)
        q, k, v = ops.split(ops.reshape(maps, (-1, w * w, 3 * self.dim)), 3, axis=-1)
        bias = bias_from_table(self.rel_pos_bias, self.index) if self.with_pe else 0.0
        out = multi_head_attention(q, k, v, bias, self.heads)
        return x + self.to_out(reverse(ops.reshape(out, (-1, w, w, self.dim))))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "window_size": self.window_size,
                                       "with_pe": self.with_pe, "grid": self.grid}


@keras.saving.register_keras_serializable(package="sr_tf")
class ChannelAttention(layers.Layer):
    """``Conv_PreNormResidual(LayerNorm2d, Channel_Attention[_grid])``: channel self-attention
    (4 heads, learned temperature) over each window's pixels, or (``grid``) over each set of
    pixels one window apart."""

    def __init__(self, dim: int, window_size: int, grid: bool, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.window_size = window_size
        self.grid = grid
        self.norm = layers.LayerNormalization(epsilon=1e-6, name="norm")
        self.qkv = conv(3 * dim, 1, "fn.qkv", use_bias=False)
        self.qkv_dwconv = DepthwiseConv(3, use_bias=False, name="fn.qkv_dwconv")
        self.project_out = conv(dim, 1, "fn.project_out", use_bias=False)

    def build(self, input_shape):
        self.norm.build(input_shape)
        self.qkv.build(input_shape)
        self.qkv_dwconv.build(tuple(input_shape[:-1]) + (3 * self.dim,))
        self.project_out.build(input_shape)
        self.temperature = self.add_weight(name="fn.temperature",
                                           shape=(CHANNEL_HEADS, 1, 1), initializer="ones")

    def call(self, x):
        shape, w = ops.shape(x), self.window_size
        qkv = self.qkv_dwconv(self.qkv(self.norm(x)))
        if self.grid:        # pixels w apart: one map per offset inside the window
            outer, inner = (shape[1] // w, shape[2] // w), (w, w)
            maps = grid_partition(qkv, outer, inner, shape)

            def reverse(m):
                return grid_reverse(m, outer, inner, shape)
        else:
            maps, reverse = grouping(qkv, w, False, shape)
        q, k, v = ops.split(maps, 3, axis=-1)
        out = channel_self_attention(q, k, v, CHANNEL_HEADS, self.temperature)
        return x + self.project_out(reverse(out))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "window_size": self.window_size,
                                       "grid": self.grid}


def mbconv(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """MBConv (expansion 1, squeeze 0.25) with its residual: ``{name}.fn.0 ... fn.5``."""
    dim = x.shape[-1]
    y = gelu(conv(dim, 1, f"{name}.fn.0")(x))
    y = gelu(DepthwiseConv(3, name=f"{name}.fn.2")(y))
    gate = layers.GlobalAveragePooling2D(keepdims=True)(y)
    gate = ops.silu(layers.Dense(int(dim * 0.25), use_bias=False, name=f"{name}.fn.4.gate.1")(gate))
    gate = layers.Dense(dim, use_bias=False, activation="sigmoid", name=f"{name}.fn.4.gate.3")(gate)
    return layers.Add()([x, conv(dim, 1, f"{name}.fn.5")(layers.Multiply()([y, gate]))])


def gated_feed_forward(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """``Conv_PreNormResidual(LayerNorm2d, Gated_Conv_FeedForward)`` (no biases)."""
    y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}.norm")(x)
    return layers.Add()([x, gated_dconv_feed_forward(y, x.shape[-1], f"{name}.fn", False)])


def osa_block(x: keras.KerasTensor, window_size: int, pe: bool, name: str) -> keras.KerasTensor:
    dim = x.shape[-1]
    x = mbconv(x, f"{name}.layer.0")
    for first, grid in ((2, False), (8, True)):     # layers 1, 3, 7, 9 are rearranges
        x = SpatialAttention(dim, window_size, pe, grid, name=f"{name}.layer.{first}")(x)
        x = gated_feed_forward(x, f"{name}.layer.{first + 2}")
        x = ChannelAttention(dim, window_size, grid, name=f"{name}.layer.{first + 3}")(x)
        x = gated_feed_forward(x, f"{name}.layer.{first + 4}")
    return x


def omnisr(scale: int = 4, num_feat: int = 64, block_num: int = 1, pe: bool = True,
           window_size: int = 8, res_num: int = 1, bias: bool = True) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (``up_scale`` is
    ``scale``; traiNNer-redux builds ``num_feat=64, res_num=5``)."""
    check_scale("omnisr", scale, (2, 3, 4, 8))
    if num_feat % 4:
        raise ValueError(f"omnisr: num_feat {num_feat} must be a multiple of 4 (4 heads)")
    lr = keras.Input((None, None, 3), name="lr")
    x = ZeroPadToMultiple(window_size, name="pad")(lr)
    residual = conv(num_feat, 3, "input", use_bias=bias)(x)
    out = residual
    for i in range(res_num):
        group = f"residual_layer.{i}"
        y = out
        for j in range(block_num):
            y = osa_block(y, window_size, pe, f"{group}.residual_layer.{j}")
        y = layers.Add()([out, conv(num_feat, 1, f"{group}.residual_layer.{block_num}",
                                    use_bias=bias)(y)])
        esa = max(num_feat // 4, 16)
        out = enhanced_spatial_attention(
            y, esa, f"{group}.esa",
            conv2=layers.Conv2D(esa, 3, strides=2, padding="valid", name=f"{group}.esa.conv2"),
            refine=conv(esa, 3, f"{group}.esa.conv3"))
    out = layers.Add()([conv(num_feat, 3, "output", use_bias=bias)(out), residual])
    sr = ops.depth_to_space(conv(3 * scale * scale, 3, "up.0", use_bias=bias)(out), scale)
    return keras.Model(lr, CropToScale(scale, name="crop")([sr, lr]), name=f"omnisr_x{scale}")
