"""CRAFT, the Cross-Refinement Adaptive Fusion Transformer (Li et al. 2023): each stage runs
two shifted rectangle-window attention blocks (SRWAB, unmasked) on the features, a
high-frequency branch (HFERB: conv / max-pool paths), and fuses them by channel cross-attention
(HFB: queries from the high-frequency branch).

Layer names follow AVC2-UESTC/CRAFT-SR ``basicsr/archs/CRAFT_arch.py`` (an SRWAB's attention
parts sit in our ``attn``; the restormer-style norms' ``body`` is dropped). As the official
forward does, the input is padded by mirroring (edge repeated) to ``(H // window_size + 1)
window_size`` - always at least one row and column - and the output cropped. ``window_size``
is stored in no weights file.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import layers, ops

from sr_tf.layers.common import CropToScale, check_scale, conv, symmetric_indices
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.rect_window_attention import LocalWindowAttention
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (RGB_MEAN, Mlp, channel_self_attention, layer_norm)


@keras.saving.register_keras_serializable(package="sr_tf")
class PadPastMultiple(layers.Layer):
    """Mirror-pad (edge repeated) the bottom/right of ``[B, H, W, C]`` to ``(H // m + 1) m``
    rows and ``(W // m + 1) m`` columns, as CRAFT's inference code does."""

    def __init__(self, multiple: int, **kwargs):
        super().__init__(**kwargs)
        self.multiple = multiple

    def call(self, x):
        height, width = ops.shape(x)[1], ops.shape(x)[2]
        rows = symmetric_indices(height, (height // self.multiple + 1) * self.multiple)
        cols = symmetric_indices(width, (width // self.multiple + 1) * self.multiple)
        return ops.take(ops.take(x, rows, axis=1), cols, axis=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"multiple": self.multiple}


@keras.saving.register_keras_serializable(package="sr_tf")
class ShiftedRectWindowBlock(layers.Layer):
    """SRWAB: ``x + attn(norm1(x))`` (L-SA without masks), ``x + mlp(norm2(x))``."""

    def __init__(self, dim: int, num_heads: int, split_size: Sequence[int], shifted: bool,
                 mlp_ratio: float, qkv_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.settings = {"dim": dim, "num_heads": num_heads, "split_size": tuple(split_size),
                         "shifted": shifted, "mlp_ratio": mlp_ratio, "qkv_bias": qkv_bias}
        self.norm1 = layer_norm("norm1")
        self.attn = LocalWindowAttention(dim, num_heads, split_size, shifted, qkv_bias,
                                         masked=False, name="attn")
        self.norm2 = layer_norm("norm2")
        self.mlp = Mlp(dim, int(dim * mlp_ratio), name="mlp")

    def build(self, input_shape):
        for layer in (self.norm1, self.attn, self.norm2, self.mlp):
            layer.build(input_shape)

    def call(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | self.settings


def high_frequency_branch(x: keras.KerasTensor, prefix: str) -> keras.KerasTensor:
    """HFERB: half the channels through a 3x3 conv, half through a 3x3 max-pool and a 1x1
    conv (GELU each), joined by ``last_fc`` (1x1) and added to ``x``."""
    dim = x.shape[-1]
    low, high = x[..., :dim // 2], x[..., dim // 2:]
    low = gelu(conv(dim // 2, 3, f"{prefix}.conv")(low))
    high = layers.MaxPooling2D(3, strides=1, padding="same")(high)
    high = gelu(conv(dim // 2, 1, f"{prefix}.fc")(high))
    fused = conv(dim, 1, f"{prefix}.last_fc")(layers.Concatenate()([low, high]))
    return layers.Add()([x, fused])


@keras.saving.register_keras_serializable(package="sr_tf")
class HybridFusionBlock(layers.Layer):
    """HFB: ``low + attn(norm1(low), high)`` (channel attention, queries from ``high``), then
    ``+ ffn(norm2(.))`` (gated depthwise FFN, 2.66x hidden); convs without bias.
    ``call([low, high])``."""

    def __init__(self, dim: int, num_heads: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.hidden = int(dim * 2.66)

        def plain(filters, name):
            return conv(filters, 1, name, use_bias=False)

        self.norm1, self.norm2 = layer_norm("norm1"), layer_norm("norm2")
        self.q, self.kv = plain(dim, "attn.q"), plain(2 * dim, "attn.kv")
        self.q_dw = DepthwiseConv(3, use_bias=False, name="attn.q_dwconv")
        self.kv_dw = DepthwiseConv(3, use_bias=False, name="attn.kv_dwconv")
        self.project = plain(dim, "attn.project_out")
        self.ffn_in = plain(2 * self.hidden, "ffn.project_in")
        self.ffn_dw = DepthwiseConv(3, use_bias=False, name="ffn.dwconv")
        self.ffn_out = plain(dim, "ffn.project_out")

    def build(self, input_shapes):
        full = (None, None, None, self.dim)
        self.temperature = self.add_weight(name="attn.temperature", shape=(self.num_heads, 1, 1),
                                           initializer="ones")
        for layer in (self.norm1, self.norm2, self.q, self.kv, self.q_dw, self.project,
                      self.ffn_in):
            layer.build(full)
        self.kv_dw.build((None, None, None, 2 * self.dim))
        self.ffn_dw.build((None, None, None, 2 * self.hidden))
        self.ffn_out.build((None, None, None, self.hidden))

    def call(self, inputs):
        low, high = inputs
        q = self.q_dw(self.q(high))
        k, v = ops.split(self.kv_dw(self.kv(self.norm1(low))), 2, axis=-1)
        x = low + self.project(channel_self_attention(q, k, v, self.num_heads, self.temperature))
        gate, value = ops.split(self.ffn_dw(self.ffn_in(self.norm2(x))), 2, axis=-1)
        return x + self.ffn_out(gelu(gate) * value)

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads}


def craft(scale: int = 4, window_size: int = 16, embed_dim: int = 48,
          depths: Sequence[int] = (2, 2, 2, 2), num_heads: Sequence[int] = (6, 6, 6, 6),
          split_size_0: int = 4, split_size_1: int = 16, mlp_ratio: float = 2.0,
          qkv_bias: bool = True, img_range: float = 1.0, resi_connection: str = "1conv"
          ) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (the released
    CRAFT). ``window_size`` only sets the padding; a multiple of both split sizes."""
    check_scale("craft", scale, (2, 3, 4, 8))
    if window_size % split_size_0 or window_size % split_size_1:
        raise ValueError(f"window_size {window_size} must be a multiple of split_size_0 "
                         f"{split_size_0} and split_size_1 {split_size_1}")
    if resi_connection not in ("1conv", "identity"):
        raise ValueError(f"craft resi_connection must be 1conv or identity, not "
                         f"{resi_connection!r}")
    split = (split_size_0, split_size_1)
    lr = keras.Input((None, None, 3), name="lr")
    x = PadPastMultiple(window_size, name="pad")(lr)
    x = layers.Rescaling(img_range, offset=[-m * img_range for m in RGB_MEAN], name="sub_mean")(x)
    x = conv(embed_dim, 3, "conv_first")(x)
    y = x
    for i, depth in enumerate(depths):
        group = f"layers.{i}.residual_group"
        z = y
        for j in range(depth):
            low = z
            for k in (2 * j, 2 * j + 1):
                low = ShiftedRectWindowBlock(embed_dim, num_heads[i], split, k % 2 == 1,
                                             mlp_ratio, qkv_bias,
                                             name=f"{group}.srwa_blocks.{k}")(low)
            high = high_frequency_branch(z, f"{group}.hfer_blocks.{j}")
            z = HybridFusionBlock(embed_dim, num_heads[i], name=f"{group}.hf_blocks.{j}")(
                [low, high])
        y = layers.Add()([y, conv(embed_dim, 3, f"layers.{i}.conv")(z)])
    y = layer_norm("norm")(y)
    if resi_connection == "1conv":
        y = conv(embed_dim, 3, "conv_after_body")(y)
    x = ops.depth_to_space(conv(3 * scale * scale, 3, "upsample.0")(layers.Add()([x, y])), scale)
    x = layers.Rescaling(1.0 / img_range, offset=list(RGB_MEAN), name="add_mean")(x)
    return keras.Model(lr, CropToScale(scale, name="crop")([x, lr]), name=f"craft_x{scale}")
