"""DCTLSA (Zeng et al. 2023, "Densely Connected Transformer with Linear Self-Attention for
Lightweight Image Super-Resolution"; zengkun301/DCTLSA, as spandrel 0.4.2 ships it).

Six LSAB modules, densely connected through 1x1 convs; each LSAB is two Swin layers of two
blocks whose window attention is linear (keys softmaxed over the window's tokens, then
``q (k^T v)``) and carries a local conv branch (BN, 1x1, depthwise 3x3, BN, 1x1). The shifted
blocks have no attention mask. Each Swin layer reflect-pads its input to a multiple of the
hard-coded window 16 and crops back. Layer names are the official module paths.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import check_scale, conv, cyclic_shift, reflect_pad_to_multiple
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.window_attention import (Mlp, layer_norm, linear, window_partition,
                                           window_reverse)

WINDOW = 16                    # SwinT: window_size = 16 (not a constructor argument)
MODULES = 6                    # B1 ... B6 are hard-coded in the official forward


def batch_norm(name: str) -> layers.BatchNormalization:
    """PyTorch ``nn.BatchNorm2d`` (eps 1e-5, momentum 0.1)."""
    return layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)


@keras.saving.register_keras_serializable(package="sr_tf")
class LinearWindowBlock(layers.Layer):
    """DCTLSA's ``SwinTransformerBlock`` on a ``[B, H, W, C]`` map (multiples of the window):
    ``y = attn(roll(x))`` rolled back, ``y + mlp(y)``; ``attn`` adds its local branch (which
    includes the input) to the linear window attention of it. No norms, no mask."""

    def __init__(self, dim: int, num_heads: int, shift_size: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.shift_size = shift_size
        local = "attn.local."
        self.local = [batch_norm(local + "pointwise_prenorm_0"),
                      conv(dim, 1, local + "pointwise_conv_0", use_bias=False),
                      DepthwiseConv(3, use_bias=False, name=local + "depthwise_conv"),
                      batch_norm(local + "pointwise_prenorm_1"),
                      conv(dim, 1, local + "pointwise_conv_1", use_bias=False)]
        self.qkv = linear(3 * dim, "attn.qkv")
        self.proj = linear(dim, "attn.proj")
        self.mlp = Mlp(dim, 2 * dim, name="mlp")

    def build(self, input_shape):
        for layer in self.local:
            layer.build(input_shape)
        self.qkv.build(input_shape)
        self.proj.build(input_shape)
        self.mlp.build(input_shape)

    def linear_attention(self, windows):
        """``q (softmax_tokens(k)^T v)`` per head on ``[B', N, 3C]`` windows."""
        heads, head_dim = self.num_heads, self.dim // self.num_heads

        def split(t):
            return ops.transpose(ops.reshape(t, (-1, t.shape[1], heads, head_dim)), (0, 2, 1, 3))

        q, k, v = (split(t) for t in ops.split(windows, 3, axis=-1))
        context = ops.matmul(ops.transpose(ops.softmax(k, axis=-2), (0, 1, 3, 2)), v)
        out = ops.transpose(ops.matmul(q * head_dim ** -0.5, context), (0, 2, 1, 3))
        return ops.reshape(out, (-1, windows.shape[1], self.dim))

    def call(self, x):
        shape, s = ops.shape(x), self.shift_size
        if s:
            x = cyclic_shift(cyclic_shift(x, -s, 1), -s, 2)
        local = x
        for layer in self.local:          # BatchNorm follows the outer call's ``training``
            local = layer(local)
        local = local + x
        windows = window_partition(self.qkv(local), WINDOW, shape)
        y = window_reverse(self.proj(self.linear_attention(windows)), WINDOW, shape) + local
        if s:
            y = cyclic_shift(cyclic_shift(y, s, 1), s, 2)
        return y + self.mlp(y)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads,
                                       "shift_size": self.shift_size}


@keras.saving.register_keras_serializable(package="sr_tf")
class LinearSwinLayer(layers.Layer):
    """``SwinT``: reflect-pad to the window, ``patch_embed.norm``, two blocks (the second
    shifted by half a window), crop back. The padding is inside this layer, not at the model
    input (where the tiler would take it for the model's own input alignment)."""

    def __init__(self, dim: int, num_heads: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.norm = layer_norm("patch_embed.norm")
        self.blocks = [LinearWindowBlock(dim, num_heads, k * WINDOW // 2, name=f"blocks.{k}")
                       for k in range(2)]

    def build(self, input_shape):
        self.norm.build(input_shape)
        for block in self.blocks:
            block.build(input_shape)

    def call(self, x):
        y = self.norm(reflect_pad_to_multiple(x, WINDOW))
        for block in self.blocks:
            y = block(y)
        return y[:, :ops.shape(x)[1], :ops.shape(x)[2]]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads}


def fuse(x: keras.KerasTensor, nf: int, name: str) -> keras.KerasTensor:
    """``conv_block(.., nf, 1, act_type="lrelu")``: 1x1 conv, LeakyReLU 0.05."""
    return layers.LeakyReLU(0.05)(conv(nf, 1, f"{name}.0")(x))


def dctlsa(scale: int = 4, nf: int = 55, num_modules: int = 6, num_head: int = 5
           ) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (``upscale``
    is ``scale``). ``num_head`` must divide ``nf``; ``num_modules`` must be 6."""
    check_scale("dctlsa", scale, (2, 3, 4, 8))
    if num_modules != MODULES:
        raise ValueError(f"dctlsa: the official forward hard-codes {MODULES} modules, "
                         f"not {num_modules}")
    if nf % num_head:
        raise ValueError(f"dctlsa: num_head {num_head} does not divide nf {nf}")
    lr = keras.Input((None, None, 3), name="lr")
    features = conv(nf, 3, "fea_conv")(lr)
    dense, x, outs = features, features, []
    for i in range(1, MODULES + 1):
        for j in range(2):
            x = LinearSwinLayer(nf, num_head, name=f"B{i}.body.{j}.transformer_body.0")(x)
        outs.append(x)
        if i < MODULES:
            dense = layers.Concatenate()([dense, x])
            x = fuse(dense, nf, f"c{i}")
    out = fuse(layers.Concatenate()(outs), nf, "c")
    out = layers.Add()([conv(nf, 3, "LR_conv")(out), features])
    sr = ops.depth_to_space(conv(3 * scale * scale, 3, "upsampler.0")(out), scale)
    return keras.Model(lr, sr, name=f"dctlsa_x{scale}")
