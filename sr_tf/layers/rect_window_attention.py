"""Rectangle-window self-attention in two half-channel branches (DAT, Chen et al. 2023; RGT,
Chen et al. 2024; CRAFT, Li et al. 2023), and the spatial-gate feed-forward network.

Branch 0 attends within ``split_size = (sh, sw)`` windows, branch 1 within the transposed
``(sw, sh)`` ones. Each branch's relative position bias comes from a small MLP
(:class:`DynamicPosBias`) on the window's (dy, dx) offsets. As the official code does, ``q``,
``k`` and ``v`` (after their linear layer) are zero-padded at the bottom/right to a multiple of
``max(split_size)`` and the padded tokens take part in the attention; shifted blocks roll each
branch by half its window, with the mask built from the runtime (padded) size. Layer names are
the PyTorch module paths (``qkv``, ``attns.0.pos.pos_proj``, ``proj`` ...).
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import layers, ops

from sr_tf.layers.common import cyclic_shift
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.window_attention import (bias_from_table, layer_norm, linear,
                                           multi_head_attention, relative_position_index,
                                           shift_mask, window_partition, window_reverse)


def is_shifted(group: int, block: int) -> bool:
    """DAT's and RGT's rule for blocks with shifted windows: in even groups blocks 2, 6, 10 ...,
    in odd groups blocks 0, 4, 8 ..."""
    return block % 4 == 2 if group % 2 == 0 else block % 4 == 0


def offset_table(window: tuple[int, int]) -> np.ndarray:
    """``[(2 wh - 1)(2 ww - 1), 2]`` float (dy, dx) offsets, row-major (DAT's ``rpe_biases``)."""
    wh, ww = window
    grid = np.meshgrid(np.arange(1 - wh, wh), np.arange(1 - ww, ww), indexing="ij")
    return np.stack(grid, -1).reshape(-1, 2).astype(np.float32)


def zero_pad_to_multiple(x, multiple: int):
    """Zero-pad ``[B, H, W, C]`` at the bottom/right so H and W are multiples of ``multiple``."""
    height, width = ops.shape(x)[1], ops.shape(x)[2]
    pad_h, pad_w = (-height) % multiple, (-width) % multiple
    padded = ops.pad(x, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)))
    # A pad by runtime amounts loses even the channel count in TensorFlow's shape inference,
    # and LiteRT's converter cannot lower a convolution of an unknown channel count.
    return ops.reshape(padded, (-1, height + pad_h, width + pad_w, x.shape[-1]))


@keras.saving.register_keras_serializable(package="sr_tf")
class DynamicPosBias(layers.Layer):
    """``pos_proj`` (2 -> C) then three ``LayerNorm -> ReLU -> Linear`` stages (``pos1``,
    ``pos2``, ``pos3``; the last to one bias per head), without residuals."""

    def __init__(self, pos_dim: int, num_heads: int, **kwargs):
        super().__init__(**kwargs)
        self.pos_dim = pos_dim
        self.num_heads = num_heads
        self.pos_proj = linear(pos_dim, "pos_proj")
        self.norms = [layer_norm(f"pos{i}.0") for i in (1, 2, 3)]
        self.denses = [linear(pos_dim if i < 3 else num_heads, f"pos{i}.2") for i in (1, 2, 3)]

    def build(self, input_shape):
        self.pos_proj.build((None, 2))
        for norm, dense in zip(self.norms, self.denses):
            norm.build((None, self.pos_dim))
            dense.build((None, self.pos_dim))

    def call(self, offsets):
        x = self.pos_proj(offsets)
        for norm, dense in zip(self.norms, self.denses):
            x = dense(ops.relu(norm(x)))
        return x

    def get_config(self):
        return super().get_config() | {"pos_dim": self.pos_dim, "num_heads": self.num_heads}


@keras.saving.register_keras_serializable(package="sr_tf")
class RectWindowAttention(layers.Layer):
    """One branch: multi-head attention inside ``window = (wh, ww)`` windows with a dynamic
    position bias (``pos``). ``call(q, k, v, mask=None)`` on ``[B, H, W, dim]`` maps whose H
    and W are multiples of the window; returns ``[B, H, W, dim]``."""

    def __init__(self, dim: int, num_heads: int, window: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.window = (int(window[0]), int(window[1]))
        self.pos = DynamicPosBias(dim // 4 // 4, num_heads, name="pos")
        self.index = relative_position_index(self.window)
        self.offsets = offset_table(self.window)

    def build(self, input_shape):
        self.pos.build((None, 2))

    def call(self, q, k, v, mask=None):
        shape = ops.shape(q)
        q, k, v = (window_partition(t, self.window, shape) for t in (q, k, v))
        table = self.pos(ops.convert_to_tensor(self.offsets, dtype=self.compute_dtype))
        attended = multi_head_attention(q, k, v, bias_from_table(table, self.index),
                                        self.num_heads, mask)
        return window_reverse(attended, self.window, shape)

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "num_heads": self.num_heads,
                                       "window": self.window}


@keras.saving.register_keras_serializable(package="sr_tf")
class DualWindowAttention(layers.Layer):
    """``qkv`` -> two rectangle-window branches on half the channels each -> ``proj``, on
    ``[B, H, W, dim]``. Subclasses add a convolutional path of ``v`` in :meth:`mix`.
    ``masked=False`` (CRAFT): shifted windows attend across the wrapped-around edges too."""

    def __init__(self, dim: int, num_heads: int, split_size: Sequence[int], shifted: bool,
                 qkv_bias: bool = True, masked: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.split_size = (int(split_size[0]), int(split_size[1]))
        self.shifted = shifted
        self.qkv_bias = qkv_bias
        self.masked = masked
        self.qkv = layers.Dense(3 * dim, use_bias=qkv_bias, name="qkv",
                                kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.proj = linear(dim, "proj")
        sh, sw = self.split_size
        self.attns = [RectWindowAttention(dim // 2, num_heads // 2, window, name=f"attns.{i}")
                      for i, window in enumerate([(sh, sw), (sw, sh)])]

    def build(self, input_shape):
        self.qkv.build(input_shape)
        self.proj.build(input_shape)
        for branch in self.attns:
            branch.build((None, None, None, self.dim // 2))

    def windows(self, qkv):
        """The two branches' attention of ``qkv`` ``[B, H, W, 3 dim]`` -> ``[B, H, W, dim]``."""
        shape = ops.shape(qkv)
        qkv = zero_pad_to_multiple(qkv, max(self.split_size))
        padded = ops.shape(qkv)
        half = self.dim // 2
        outputs = []
        for i, branch in enumerate(self.attns):
            q, k, v = (qkv[..., j * self.dim + i * half:j * self.dim + (i + 1) * half]
                       for j in range(3))
            mask = None
            shift = (branch.window[0] // 2, branch.window[1] // 2)
            if self.shifted:
                q, k, v = (cyclic_shift(cyclic_shift(t, -shift[0], 1), -shift[1], 2)
                           for t in (q, k, v))
                if self.masked:
                    mask = shift_mask(padded[1], padded[2], branch.window, shift)
            out = branch(q, k, v, mask)
            if self.shifted:
                out = cyclic_shift(cyclic_shift(out, shift[0], 1), shift[1], 2)
            outputs.append(out[:, :shape[1], :shape[2]])
        return ops.concatenate(outputs, axis=-1)

    def mix(self, attended, v):
        """What goes into ``proj``: the attention output, combined with ``v`` by subclasses."""
        return attended

    def call(self, x):
        qkv = self.qkv(x)
        return self.proj(self.mix(self.windows(qkv), qkv[..., 2 * self.dim:]))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {
            "dim": self.dim, "num_heads": self.num_heads, "split_size": self.split_size,
            "shifted": self.shifted, "qkv_bias": self.qkv_bias, "masked": self.masked}


@keras.saving.register_keras_serializable(package="sr_tf")
class LocalWindowAttention(DualWindowAttention):
    """RGT's L-SA (CRAFT's SRWA): the two branches plus ``get_v``, a depthwise 3x3 conv of
    ``v``."""

    def __init__(self, dim: int, num_heads: int, split_size: Sequence[int], shifted: bool,
                 qkv_bias: bool = True, masked: bool = True, **kwargs):
        super().__init__(dim, num_heads, split_size, shifted, qkv_bias, masked, **kwargs)
        self.get_v = DepthwiseConv(3, name="get_v")

    def build(self, input_shape):
        super().build(input_shape)
        self.get_v.build(input_shape)

    def mix(self, attended, v):
        return attended + self.get_v(v)


@keras.saving.register_keras_serializable(package="sr_tf")
class SpatialGateFFN(layers.Layer):
    """DAT's SGFN (RGT's MLP): ``fc1`` -> GELU -> split in halves, the second ``sg.norm`` ->
    depthwise 3x3 ``sg.conv`` gating the first -> ``fc2``."""

    def __init__(self, dim: int, hidden: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.hidden = hidden
        self.fc1 = linear(hidden, "fc1")
        self.norm = layer_norm("sg.norm")
        self.conv = DepthwiseConv(3, name="sg.conv")
        self.fc2 = linear(dim, "fc2")

    def build(self, input_shape):
        self.fc1.build(input_shape)
        gate = (None, None, None, self.hidden // 2)
        self.norm.build(gate)
        self.conv.build(gate)
        self.fc2.build(gate)

    def call(self, x):
        x1, x2 = ops.split(gelu(self.fc1(x)), 2, axis=-1)
        return self.fc2(x1 * self.conv(self.norm(x2)))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "hidden": self.hidden}


@keras.saving.register_keras_serializable(package="sr_tf")
class ZeroPadToMultiple(layers.Layer):
    """:func:`zero_pad_to_multiple` as a model layer (OmniSR's ``check_image_size``)."""

    def __init__(self, multiple: int, **kwargs):
        super().__init__(**kwargs)
        self.multiple = multiple

    def call(self, x):
        return zero_pad_to_multiple(x, self.multiple)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"multiple": self.multiple}
