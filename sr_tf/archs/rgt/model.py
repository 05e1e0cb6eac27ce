"""RGT, the Recursive Generalization Transformer (Chen et al. 2024): blocks alternate
rectangle-window attention (L-SA, DAT's two branches plus a depthwise conv of ``v``) and
recursive-generalization attention (RG-SA: every pixel attends to a map shrunk by repeated 4x4
stride-4 depthwise convs), spatial-gate MLPs and a layer-scaled block residual.

Layer names follow zhengchen1999/RGT ``basicsr/archs/rgt_arch.py`` (``before_RG.1`` is read as
``patch_embed.norm``, each block's ``gamma`` as ``layerscale``). RG-SA shrinks by
``4 ** max(2, floor(log4(max(H, W) // 16)))`` as the official eval forward does, chosen at run
time; the official code fails below 16 pixels, so smaller inputs are reflect-padded to 16 and
the output cropped.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import layers, ops

from sr_tf.layers.common import check_scale, conv, reflect_indices
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.rect_window_attention import (LocalWindowAttention, SpatialGateFFN,
                                                is_shifted)
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (deep_features, layer_norm, linear,
                                           pixel_shuffle_reconstruction, window_model)

MIN_SIZE = 16               # RG-SA's two 4x4 stride-4 reductions need 16 pixels
LARGER = (1024, 4096, 16384)   # max(H, W) from which RG-SA reduces 3, 4, 5 times


@keras.saving.register_keras_serializable(package="sr_tf")
class PadToMinimum(layers.Layer):
    """Reflect-pad the bottom/right of ``[B, H, W, C]`` so H and W are at least ``size``."""

    def __init__(self, size: int, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def call(self, x):
        height, width = ops.shape(x)[1], ops.shape(x)[2]
        rows = reflect_indices(height, ops.maximum(height, self.size))
        cols = reflect_indices(width, ops.maximum(width, self.size))
        return ops.take(ops.take(x, rows, axis=1), cols, axis=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"size": self.size}


@keras.saving.register_keras_serializable(package="sr_tf")
class RecursiveGeneralizationAttention(layers.Layer):
    """RG-SA on ``[B, H, W, dim]``: keys/values from ``x`` shrunk by ``reduction1`` (depthwise
    4x4, stride 4) 2+ times, ``dwconv``, 1x1 ``conv`` to ``c_ratio dim`` channels,
    ``norm_act``; ``v`` gets a depthwise positional conv ``cpe``."""

    def __init__(self, dim: int, num_heads: int, c_ratio: float = 0.5, qkv_bias: bool = True,
                 **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.c_ratio = c_ratio
        self.qkv_bias = qkv_bias
        self.reduced = int(dim * c_ratio)
        self.scale = (dim // num_heads * c_ratio) ** -0.5
        self.reduction1 = DepthwiseConv(4, strides=4, padding="valid", name="reduction1")
        self.dwconv = DepthwiseConv(3, name="dwconv")
        self.conv = conv(self.reduced, 1, "conv")
        self.norm = layer_norm("norm_act.0")
        init = keras.initializers.TruncatedNormal(stddev=0.02)
        self.q = layers.Dense(self.reduced, use_bias=qkv_bias, kernel_initializer=init, name="q")
        self.k = layers.Dense(self.reduced, use_bias=qkv_bias, kernel_initializer=init, name="k")
        self.v = layers.Dense(dim, use_bias=qkv_bias, kernel_initializer=init, name="v")
        self.cpe = DepthwiseConv(3, name="cpe")
        self.proj = linear(dim, "proj")

    def build(self, input_shape):
        full, reduced = (None, None, None, self.dim), (None, None, None, self.reduced)
        for layer in (self.reduction1, self.dwconv, self.conv, self.q, self.cpe, self.proj):
            layer.build(full)
        for layer in (self.norm, self.k, self.v):
            layer.build(reduced)

    def shrink(self, x):
        """``reduction1`` twice, and once more from each of :data:`LARGER` on."""
        x = self.reduction1(self.reduction1(x))
        size = ops.maximum(ops.shape(x)[1], ops.shape(x)[2]) * 16
        for threshold in LARGER:
            x = ops.cond(size >= threshold, lambda y=x: self.reduction1(y), lambda y=x: y)
        return x

    def call(self, x):
        shape = ops.shape(x)
        small = gelu(self.norm(self.conv(self.dwconv(self.shrink(x)))))
        v = self.v(small)
        v = v + self.cpe(v)

        def heads(t):
            t = ops.reshape(t, (shape[0], -1, self.num_heads, t.shape[-1] // self.num_heads))
            return ops.transpose(t, (0, 2, 1, 3))

        logits = ops.matmul(heads(self.q(x)), ops.transpose(heads(self.k(small)), (0, 1, 3, 2)))
        out = ops.matmul(ops.softmax(logits * self.scale, axis=-1), heads(v))
        out = ops.reshape(ops.transpose(out, (0, 2, 1, 3)),
                          (shape[0], shape[1], shape[2], self.dim))
        return self.proj(out)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads,
                                       "c_ratio": self.c_ratio, "qkv_bias": self.qkv_bias}


@keras.saving.register_keras_serializable(package="sr_tf")
class RecursiveGeneralizationBlock(layers.Layer):
    """``x + attn(norm1(x))``, ``+ mlp(norm2(.))``, ``+ layerscale * x``; L-SA in even blocks,
    RG-SA in odd ones."""

    def __init__(self, dim: int, num_heads: int, split_size: Sequence[int], local: bool,
                 shifted: bool, mlp_ratio: float, c_ratio: float, qkv_bias: bool = True,
                 **kwargs):
        super().__init__(**kwargs)
        self.settings = {"dim": dim, "num_heads": num_heads, "split_size": tuple(split_size),
                         "local": local, "shifted": shifted, "mlp_ratio": mlp_ratio,
                         "c_ratio": c_ratio, "qkv_bias": qkv_bias}
        self.norm1 = layer_norm("norm1")
        self.attn = (LocalWindowAttention(dim, num_heads, split_size, shifted, qkv_bias,
                                          name="attn") if local else
                     RecursiveGeneralizationAttention(dim, num_heads, c_ratio, qkv_bias,
                                                      name="attn"))
        self.norm2 = layer_norm("norm2")
        self.mlp = SpatialGateFFN(dim, int(dim * mlp_ratio), name="mlp")

    def build(self, input_shape):
        self.layerscale = self.add_weight(name="layerscale", shape=(self.settings["dim"],),
                                          initializer=keras.initializers.Constant(1e-4))
        for layer in (self.norm1, self.attn, self.norm2, self.mlp):
            layer.build(input_shape)

    def call(self, x):
        y = x + self.attn(self.norm1(x))
        y = y + self.mlp(self.norm2(y))
        return y + x * self.layerscale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | self.settings


def rgt(scale: int = 2, embed_dim: int = 180, depth: Sequence[int] = (2, 2, 2, 2),
        num_heads: Sequence[int] = (2, 2, 2, 2), mlp_ratio: float = 4.0, qkv_bias: bool = True,
        img_range: float = 1.0, resi_connection: str = "1conv",
        split_size: Sequence[int] = (8, 8), c_ratio: float = 0.5) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (RGT: 180,
    ``depth=num_heads=(6,)*8``, ``mlp_ratio=2``, ``split_size=(8, 32)``; RGT-S: 6 groups).
    Pixel-shuffle reconstruction with 64 features."""
    check_scale("rgt", scale, (2, 3, 4, 8))
    if len(depth) != len(num_heads) or any(embed_dim % (2 * h) for h in num_heads):
        raise ValueError(f"depth {list(depth)} / num_heads {list(num_heads)}: one head count "
                         f"per group, each even and dividing embed_dim {embed_dim} in halves")

    def group(i: int):
        def run(y: keras.KerasTensor) -> keras.KerasTensor:
            for j in range(depth[i]):
                y = RecursiveGeneralizationBlock(
                    embed_dim, num_heads[i], split_size, j % 2 == 0, is_shifted(i, j),
                    mlp_ratio, c_ratio, qkv_bias, name=f"layers.{i}.blocks.{j}")(y)
            return y
        return run

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(PadToMinimum(MIN_SIZE, name="pad_min")(x))
        x = deep_features(x, [group(i) for i in range(len(depth))], resi_connection)
        return pixel_shuffle_reconstruction(x, scale, 64)

    return window_model(f"rgt_x{scale}", scale, 1, img_range, network)
