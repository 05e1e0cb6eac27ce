"""ATD, the Adaptive Token Dictionary transformer (Zhang et al. 2024): each layer adds to its
input (shifted) window attention, cross-attention to a learned token dictionary (ATD-CA), and
category attention (AC-MSA: tokens sorted by their dictionary entry, attending within groups of
``category_size``); then a conv FFN; the dictionary is refined from the features layer by layer.

Layer names follow LabShuHangGU/Adaptive-Token-Dictionary ``basicsr/archs/atd_arch.py``. As the
official forward does, the input is padded by mirroring (edge repeated) to a multiple of the
window, masks are built from that size, and the output cropped.

AC-MSA's grouping depends on how equal category ids are ordered: the official code calls
``torch.sort(stable=False)``, which on CPU is libstdc++'s ``std::sort`` (introsort), whose order
of ties no tensor op reproduces; ours is stable (:func:`category_order`). With ``std::sort``'s
order substituted, our output equals the official one (tests/test_atd_sort_order.py).
"""

from __future__ import annotations

import math
from typing import Sequence

import keras
from keras import layers, ops

from sr_tf.layers.common import check_scale, conv, cyclic_shift
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (bias_from_table, check_stages, deep_features,
                                           l2_normalize, layer_norm, linear, multi_head_attention,
                                           reconstruction, relative_position_index, shift_mask,
                                           window_model, window_partition, window_reverse)

UPSAMPLERS = {"pixelshuffle": (2, 3, 4, 8), "pixelshuffledirect": (2, 3, 4, 8),
              "nearest+conv": (4,)}


def category_order(ids):
    """The token order that sorts category ids ``[B, N]`` ascending, ties in token order (a
    stable sort, made explicit by unique keys). PyTorch on CPU sorts with ``std::sort``, which
    orders ties its own way: where a category straddles a group boundary, outputs differ."""
    tokens = ops.shape(ids)[-1]
    return ops.argsort(ids * tokens + ops.arange(tokens)[None], axis=-1)


def gather_tokens(x, index):
    """``x[b, index[b, i]]`` for ``x`` ``[B, N, C]`` and integer ``index`` ``[B, M]``."""
    return ops.take_along_axis(x, ops.expand_dims(index, -1), axis=1)


@keras.saving.register_keras_serializable(package="sr_tf")
class ATDLayer(layers.Layer):
    """One ATD transformer layer on tokens ``[B, H, W, C]`` and a dictionary ``[B, M, C]``:
    ``call([x, td]) -> [x, td]`` (``td`` unchanged in the last layer of a group)."""

    def __init__(self, dim: int, num_heads: int, window_size: int, shift_size: int,
                 category_size: int, num_tokens: int, reducted_dim: int,
                 convffn_kernel_size: int, mlp_ratio: float, is_last: bool,
                 qkv_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.settings = {"dim": dim, "num_heads": num_heads, "window_size": window_size,
                         "shift_size": shift_size, "category_size": category_size,
                         "num_tokens": num_tokens, "reducted_dim": reducted_dim,
                         "convffn_kernel_size": convffn_kernel_size, "mlp_ratio": mlp_ratio,
                         "is_last": is_last, "qkv_bias": qkv_bias}
        init = keras.initializers.TruncatedNormal(stddev=0.02)

        def dense(units, name):
            return layers.Dense(units, use_bias=qkv_bias, kernel_initializer=init, name=name)

        self.hidden = int(dim * mlp_ratio)
        self.norm1, self.norm2 = layer_norm("norm1"), layer_norm("norm2")
        self.wqkv = dense(3 * dim, "wqkv")
        self.win_proj = linear(dim, "attn_win.proj")
        self.wq, self.wk = dense(reducted_dim, "attn_atd.wq"), dense(reducted_dim, "attn_atd.wk")
        self.wv = dense(dim, "attn_atd.wv")
        self.aca_proj = dense(dim, "attn_aca.proj")
        self.fc1, self.fc2 = linear(self.hidden, "convffn.fc1"), linear(dim, "convffn.fc2")
        self.dwconv = DepthwiseConv(convffn_kernel_size,
                                    name="convffn.dwconv.depthwise_conv.0")
        self.index = relative_position_index(window_size)

    def build(self, input_shape):
        s = self.settings
        dim, tokens = s["dim"], s["num_tokens"]
        self.bias_table = self.add_weight(
            name="attn_win.relative_position_bias_table",
            shape=((2 * s["window_size"] - 1) ** 2, s["num_heads"]),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.atd_scale = self.add_weight(name="attn_atd.scale", shape=(tokens,),
                                         initializer=keras.initializers.Constant(0.5))
        self.logit_scale = self.add_weight(name="attn_aca.logit_scale", shape=(1, 1),
                                           initializer=keras.initializers.Constant(math.log(10)))
        if not s["is_last"]:
            self.norm3_weight = self.add_weight(name="norm3.weight", shape=(tokens,),
                                                initializer="ones")
            self.norm3_bias = self.add_weight(name="norm3.bias", shape=(tokens,),
                                              initializer="zeros")
            self.sigma = self.add_weight(name="sigma", shape=(tokens, 1), initializer="zeros")
        full = (None, None, None, dim)
        for layer in (self.norm1, self.norm2, self.wqkv, self.win_proj, self.wq, self.wk,
                      self.wv, self.aca_proj, self.fc1):
            layer.build(full)
        self.fc2.build((None, None, None, self.hidden))
        self.dwconv.build((None, None, None, self.hidden))

    def window_attention(self, qkv, shape):
        s = self.settings
        window, shift = s["window_size"], s["shift_size"]
        mask = None
        if shift:
            qkv = cyclic_shift(cyclic_shift(qkv, -shift, 1), -shift, 2)
            mask = shift_mask(shape[1], shape[2], window, shift)
        q, k, v = ops.split(window_partition(qkv, window, shape), 3, axis=-1)
        out = multi_head_attention(q, k, v, bias_from_table(self.bias_table, self.index),
                                   s["num_heads"], mask)
        out = window_reverse(self.win_proj(out), window, shape)
        if shift:
            out = cyclic_shift(cyclic_shift(out, shift, 1), shift, 2)
        return out

    def category_attention(self, qkv, sim):
        """AC-MSA on flat ``qkv`` ``[B, N, 3C]``: tokens sorted by their most similar dictionary
        entry, cut into groups of ``min(N, category_size)`` (the last completed with the sorted
        tail mirrored), attention within each group, order restored."""
        s = self.settings
        dim, heads = s["dim"], s["num_heads"]
        tokens = ops.shape(qkv)[1]
        size = ops.minimum(tokens, s["category_size"])
        groups = (tokens + size - 1) // size
        # The first best entry, as torch.argmax; top_k, not ops.argmax, whose TensorFlow form
        # (a bitcast and a mask for -0.0) has no LiteRT or ONNX kernel.
        order = category_order(ops.top_k(sim, k=1)[1][..., 0])
        tail = tokens - 1 - ops.arange(groups * size - tokens)
        order_padded = ops.take(order, ops.concatenate([ops.arange(tokens), tail]), axis=1)
        # Batch and groups folded into one axis: 4-D tensors at most (LiteRT's GPU delegate).
        grouped = ops.reshape(gather_tokens(qkv, order_padded), (-1, size, 3 * dim))

        def split_heads(t):                              # [B groups, heads, size, C / heads]
            return ops.transpose(ops.reshape(t, (-1, size, heads, dim // heads)), (0, 2, 1, 3))

        q, k, v = (split_heads(t) for t in ops.split(grouped, 3, axis=-1))
        scale = ops.exp(ops.minimum(self.logit_scale, math.log(100.0)))
        weights = ops.softmax(ops.matmul(q, ops.swapaxes(k, -1, -2)) * scale, axis=-1)
        out = ops.reshape(ops.transpose(ops.matmul(weights, v), (0, 2, 1, 3)),
                          (-1, groups * size, dim))[:, :tokens]
        return self.aca_proj(gather_tokens(out, ops.argsort(order, axis=-1)))

    def call(self, inputs):
        x, td = inputs
        s = self.settings
        shape = ops.shape(x)
        flat_shape = (shape[0], -1, s["dim"])
        normed = self.norm1(x)
        qkv = self.wqkv(normed)
        flat = ops.reshape(normed, flat_shape)
        sim = ops.matmul(l2_normalize(self.wq(flat)),
                         ops.swapaxes(l2_normalize(self.wk(td)), -1, -2))      # B, N, M
        gain = 1 + ops.clip(self.atd_scale, 0.0, 1.0) * math.log(s["num_tokens"])
        sim = ops.softmax(sim * gain, axis=-1)
        x_atd = ops.matmul(sim, self.wv(td))
        x_aca = self.category_attention(ops.reshape(qkv, (shape[0], -1, 3 * s["dim"])), sim)
        x = x + self.window_attention(qkv, shape) + ops.reshape(x_atd + x_aca, shape)
        hidden = gelu(self.fc1(self.norm2(x)))
        x = x + self.fc2(hidden + gelu(self.dwconv(hidden)))
        if s["is_last"]:
            return x, td
        logits = ops.swapaxes(sim, -1, -2)                                     # B, M, N
        mean = ops.mean(logits, axis=-1, keepdims=True)
        var = ops.var(logits, axis=-1, keepdims=True)
        logits = ((logits - mean) / ops.sqrt(var + 1e-5) * self.norm3_weight[:, None]
                  + self.norm3_bias[:, None])
        keep = ops.sigmoid(self.sigma)
        td = keep * td + (1 - keep) * ops.matmul(ops.softmax(logits, axis=-1),
                                                 ops.reshape(x, flat_shape))
        return x, td

    def compute_output_shape(self, input_shapes):
        return input_shapes

    def get_config(self):
        return super().get_config() | self.settings


@keras.saving.register_keras_serializable(package="sr_tf")
class ATDGroup(layers.Layer):
    """A group's layers sharing its learned token dictionary ``td`` (``[num_tokens, dim]``)."""

    def __init__(self, dim: int, depth: int, num_tokens: int, layer_kwargs: dict, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.depth = depth
        self.num_tokens = num_tokens
        self.layer_kwargs = dict(layer_kwargs)
        window = layer_kwargs["window_size"]
        self.blocks = [ATDLayer(dim, shift_size=0 if j % 2 == 0 else window // 2,
                                is_last=j == depth - 1, num_tokens=num_tokens,
                                name=f"layers.{j}", **layer_kwargs) for j in range(depth)]

    def build(self, input_shape):
        self.td = self.add_weight(name="td", shape=(self.num_tokens, self.dim),
                                  initializer="random_normal")
        for block in self.blocks:
            block.build([input_shape, (None, self.num_tokens, self.dim)])

    def call(self, x):
        td = ops.broadcast_to(self.td[None], (ops.shape(x)[0], self.num_tokens, self.dim))
        for block in self.blocks:
            x, td = block([x, td])
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "depth": self.depth,
                                       "num_tokens": self.num_tokens,
                                       "layer_kwargs": self.layer_kwargs}


def atd(scale: int = 2, embed_dim: int = 96, depths: Sequence[int] = (6, 6, 6, 6),
        num_heads: Sequence[int] = (6, 6, 6, 6), window_size: int = 8, category_size: int = 128,
        num_tokens: int = 64, reducted_dim: int = 4, convffn_kernel_size: int = 5,
        mlp_ratio: float = 2.0, qkv_bias: bool = True, img_range: float = 1.0,
        upsampler: str = "pixelshuffle", resi_connection: str = "1conv") -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's (ATD: 210,
    ``depths=num_heads=(6,)*6``, window 16, category_size 256, 128 tokens, reducted_dim 20,
    mlp_ratio 2; ATD-light: 48, (6,)*4, (4,)*4, window 16, category_size 128, 64 tokens,
    reducted_dim 8, convffn_kernel_size 7, mlp_ratio 1, ``pixelshuffledirect``).
    ``category_size`` is stored in no weights file."""
    if upsampler not in UPSAMPLERS:
        raise ValueError(f"upsampler must be one of {', '.join(UPSAMPLERS)}, not {upsampler!r}")
    check_scale(f"atd with upsampler {upsampler}", scale, UPSAMPLERS[upsampler])
    check_stages(embed_dim, depths, num_heads)

    def group(i: int):
        def run(y: keras.KerasTensor) -> keras.KerasTensor:
            return ATDGroup(embed_dim, depths[i], num_tokens, {
                "num_heads": num_heads[i], "window_size": window_size,
                "category_size": category_size, "reducted_dim": reducted_dim,
                "convffn_kernel_size": convffn_kernel_size, "mlp_ratio": mlp_ratio,
                "qkv_bias": qkv_bias}, name=f"layers.{i}.residual_group")(y)
        return run

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(x)
        x = deep_features(x, [group(i) for i in range(len(depths))], resi_connection)
        return reconstruction(x, upsampler, scale)

    return window_model(f"atd_x{scale}", scale, window_size, img_range, network, "symmetric")
