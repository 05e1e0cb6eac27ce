"""(Shifted) window self-attention shared by SwinIR, HAT, Swin2SR and DRCT (Swin Transformer,
Liu et al. 2021; SwinV2's cosine attention), and the window helpers DAT and RGT build on.

Feature maps stay NHWC ``[B, H, W, C]``; a token is a pixel. H and W are read at run time with
``keras.ops.shape``, and the shifted-window mask is built from them on every call, so one model
(traced, exported with dynamic shapes, or reloaded from ``.keras``) serves every input size. The
model pads its input to a multiple of the window first (``PadToMultiple``).

Layer names are the PyTorch module paths (``norm1``, ``attn.qkv``, ``mlp.fc1`` ...), so official
state dicts load by the generic rule of :mod:`sr_tf.weights.core`.
"""

from __future__ import annotations

from typing import Callable, Sequence

import keras
import numpy as np
from keras import layers, ops

from sr_tf.layers.common import (CropToScale, NearestUpsample, PadToMultiple, conv,
                                 cyclic_shift, pixel_shuffle_upsample, swap_middle_axes)
from sr_tf.layers.torch_activations import gelu

RGB_MEAN = (0.4488, 0.4371, 0.4040)     # DIV2K mean, subtracted by SwinIR and HAT
MASKED = -100.0                         # the official attention-mask value


def layer_norm(name: str) -> layers.LayerNormalization:
    """PyTorch ``nn.LayerNorm`` over channels (eps 1e-5; Keras defaults to 1e-3)."""
    return layers.LayerNormalization(epsilon=1e-5, name=name)


def linear(units: int, name: str) -> layers.Dense:
    """PyTorch ``nn.Linear`` as SwinIR/HAT initialise it: truncated normal (std 0.02), zero bias."""
    return layers.Dense(units, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02),
                        name=name)


Size = int | Sequence[int]     # a square side, or (height, width) of a rectangular window


def pair(size: Size) -> tuple[int, int]:
    """``(height, width)`` of a window given as one side or as a pair."""
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def window_partition(x, window: Size, shape=None):
    """``[B, H, W, C]`` -> ``[B * nW, wh * ww, C]``: windows row-major, batch outermost.

    ``window``: a side, or ``(wh, ww)``. ``shape``: ``ops.shape(x)`` when the caller has it.
    Through 4-D tensors only (rows of windows, then a swap of two axes): LiteRT's GPU delegate
    holds at most 4 dimensions, where Swin's reshape goes through 6.
    """
    (wh, ww), channels = pair(window), x.shape[-1]
    batch, height, width = (shape or ops.shape(x))[:3]
    x = swap_middle_axes(x, (batch * (height // wh), wh, width // ww, ww * channels))
    return ops.reshape(x, (-1, wh * ww, channels))


def window_reverse(windows, window: Size, shape):
    """Inverse of :func:`window_partition` (4-D tensors only, as there); ``shape`` is
    ``ops.shape`` of the feature map."""
    (wh, ww), channels = pair(window), windows.shape[-1]
    batch, height, width = shape[:3]
    x = swap_middle_axes(windows, (batch * (height // wh), width // ww, wh, ww * channels))
    return ops.reshape(x, (batch, height, width, channels))


def relative_position_index(window: Size) -> np.ndarray:
    """``[N, N]`` (N = wh ww) rows of the ``(2 wh - 1)(2 ww - 1)``-row bias table (offsets
    ``(dy, dx)`` row-major) for token pairs of one window."""
    wh, ww = pair(window)
    coords = np.stack(np.meshgrid(np.arange(wh), np.arange(ww), indexing="ij")).reshape(2, -1)
    relative = coords[:, :, None] - coords[:, None, :]                    # 2, N, N
    return (relative[0] + wh - 1) * (2 * ww - 1) + relative[1] + ww - 1


def shift_mask(height, width, window: Size, shift: Size):
    """The shifted-window attention mask for a (padded) ``height`` x ``width`` map, built with
    ``keras.ops`` from those runtime values: ``[nW, N, N]``, ``-100`` between tokens that the
    cyclic shift brought together from different image regions, 0 elsewhere. ``window`` and
    ``shift``: a side each, or ``(height, width)`` pairs for rectangular windows."""
    ids = shift_regions(height, width, window, shift)
    return ops.where(ids[:, None, :] != ids[:, :, None], MASKED, 0.0)


def shift_regions(height, width, window: Size, shift: Size):
    """``[nW, N]``: for each token of each window of a ``height`` x ``width`` map, which of the
    3 x 3 image regions a cyclic shift by ``shift`` brought it from (Swin's ``img_mask``). A
    shift of 0 puts every row (column) in the last region, as the official slices do."""
    (wh, ww), (sh, sw) = pair(window), pair(shift)

    def regions(length, size, step):
        i = ops.arange(length)
        if step == 0:                   # slice(-0, None) is the whole axis
            return ops.full_like(i, 2)
        return ops.cast(i >= length - size, "int32") + ops.cast(i >= length - step, "int32")

    ids = regions(height, wh, sh)[:, None] * 3 + regions(width, ww, sw)[None, :]
    # expand_dims, not ids[None, :, :, None]: LiteRT rejects strided slices that add axes.
    return window_partition(ops.expand_dims(ops.expand_dims(ids, 0), -1), (wh, ww))[..., 0]


def l2_normalize(x, axis: int = -1):
    """PyTorch ``F.normalize``: ``x / max(||x||, 1e-12)`` along ``axis``."""
    norm = ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return x / ops.maximum(norm, 1e-12)


def multi_head_attention(q, k, v, bias, num_heads: int, mask=None, logit_scale=None):
    """Attention per head within each window.

    ``q`` ``[B', Nq, C]``, ``k``/``v`` ``[B', Nk, C]`` (Nq, Nk static), ``bias``
    ``[heads, Nq, Nk]``; ``mask`` ``[nW, Nq, Nk]`` when ``B' = B * nW``. Logits and softmax are
    computed in float32. With ``logit_scale`` (``[heads, 1, 1]``, a log) the logits are SwinV2's
    scaled cosine similarities, ``cos(q, k) * exp(min(logit_scale, log 100))``, instead of
    ``q k / sqrt(head_dim)``.
    """
    tokens, channels, keys = q.shape[1], q.shape[2], k.shape[1]
    head_dim = channels // num_heads

    def split(t):
        return ops.transpose(ops.reshape(t, (-1, t.shape[1], num_heads, head_dim)), (0, 2, 1, 3))

    q, k = split(q), split(k)
    if logit_scale is None:
        q = q * head_dim ** -0.5
    else:
        q = l2_normalize(q) * ops.exp(ops.minimum(logit_scale, float(np.log(100.0))))
        k = l2_normalize(k)
    logits = ops.cast(ops.matmul(q, ops.transpose(k, (0, 1, 3, 2))), "float32")
    logits = logits + ops.cast(bias, "float32")
    if mask is not None:
        # [B, nW, heads N, K] + [nW, heads N, K]: the mask repeated per head, 4-D at most.
        windows = ops.shape(mask)[0]
        grouped = ops.reshape(logits, (-1, windows, num_heads * tokens, keys))
        per_head = ops.tile(ops.cast(mask, "float32"), (1, num_heads, 1))
        logits = ops.reshape(grouped + per_head, (-1, num_heads, tokens, keys))
    weights = ops.cast(ops.softmax(logits, axis=-1), v.dtype)
    out = ops.transpose(ops.matmul(weights, split(v)), (0, 2, 1, 3))
    return ops.reshape(out, (-1, tokens, channels))


def channel_self_attention(q, k, v, num_heads: int, temperature):
    """Transposed (channel) attention per head over ``[B, H, W, C]`` maps (Restormer's MDTA;
    DAT, CRAFT): channels attend to channels by the cosine similarity of their whole maps,
    times a learned ``temperature`` ``[heads, 1, 1]``. Returns ``[B, H, W, C]``."""
    shape, channels = ops.shape(v), v.shape[-1]

    def heads(t, normalize: bool = False):          # [B, heads, C / heads, H W]
        t = ops.reshape(t, (shape[0], -1, num_heads, channels // num_heads))
        # Normalised over the pixels before the transpose: the same numbers, and a graph
        # tf2onnx converts right when H W is static (DITN's patches; it mis-broadcast after).
        return ops.transpose(l2_normalize(t, axis=1) if normalize else t, (0, 2, 3, 1))

    logits = ops.matmul(heads(q, True), ops.transpose(heads(k, True), (0, 1, 3, 2)))
    out = ops.matmul(ops.softmax(logits * temperature, axis=-1), heads(v))
    return ops.reshape(ops.transpose(out, (0, 3, 1, 2)), (shape[0], shape[1], shape[2], channels))


def bias_from_table(table, index: np.ndarray):
    """``[heads, Nq, Nk]`` relative position bias: rows ``index`` (``[Nq, Nk]``) of ``table``."""
    bias = ops.take(table, index.reshape(-1), axis=0)
    return ops.transpose(ops.reshape(bias, index.shape + (-1,)), (2, 0, 1))


@keras.saving.register_keras_serializable(package="sr_tf")
class Mlp(layers.Layer):
    """``fc1`` -> exact GELU -> ``fc2`` on the channel axis."""

    def __init__(self, dim: int, hidden: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.hidden = hidden
        self.fc1 = linear(hidden, "fc1")
        self.fc2 = linear(dim, "fc2")

    def build(self, input_shape):
        self.fc1.build(input_shape)
        self.fc2.build(tuple(input_shape[:-1]) + (self.hidden,))

    def call(self, x):
        return self.fc2(gelu(self.fc1(x)))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "hidden": self.hidden}


@keras.saving.register_keras_serializable(package="sr_tf")
class WindowAttention(layers.Layer):
    """Multi-head self-attention inside each window, with a learned relative position bias.

    ``call(windows, attn_mask=None)``: ``windows`` ``[B * nW, window², dim]``, ``attn_mask``
    from :func:`shift_mask`.
    """

    def __init__(self, dim: int, window_size: int, num_heads: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.window_size = window_size
        self.num_heads = num_heads
        self.qkv = linear(3 * dim, "qkv")
        self.proj = linear(dim, "proj")
        self.index = relative_position_index(window_size)

    def build(self, input_shape):
        self.relative_position_bias_table = self.add_weight(
            name="relative_position_bias_table",
            shape=((2 * self.window_size - 1) ** 2, self.num_heads),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.qkv.build(input_shape)
        self.proj.build(input_shape)

    def call(self, windows, attn_mask=None):
        q, k, v = ops.split(self.qkv(windows), 3, axis=-1)
        bias = bias_from_table(self.relative_position_bias_table, self.index)
        return self.proj(multi_head_attention(q, k, v, bias, self.num_heads, attn_mask))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "window_size": self.window_size,
                                       "num_heads": self.num_heads}


def log_spaced_coords(window: int) -> np.ndarray:
    """SwinV2's ``[(2w - 1)², 2]`` relative (dy, dx) table: scaled to [-8, 8], then
    ``sign * log2(1 + |.|) / log2(8)``; rows in the order :func:`relative_position_index` uses."""
    steps = np.arange(-(window - 1), window, dtype=np.float32) / max(window - 1, 1) * 8
    grid = np.stack(np.meshgrid(steps, steps, indexing="ij"), -1).reshape(-1, 2)
    return (np.sign(grid) * np.log2(np.abs(grid) + 1.0) / np.log2(8)).astype(np.float32)


@keras.saving.register_keras_serializable(package="sr_tf")
class CosineWindowAttention(layers.Layer):
    """SwinV2 window attention (Liu et al. 2022; Swin2SR): scaled cosine similarity with a
    learned per-head ``logit_scale``, and a continuous position bias ``16 sigmoid(cpb_mlp(t))``
    from the log-spaced coordinates ``t`` (:func:`log_spaced_coords`). ``qkv`` has no bias: a
    ``q_bias`` and a ``v_bias`` (keys none). Same call as :class:`WindowAttention`.
    """

    def __init__(self, dim: int, window_size: int, num_heads: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.window_size = window_size
        self.num_heads = num_heads
        init = keras.initializers.TruncatedNormal(stddev=0.02)
        self.qkv = layers.Dense(3 * dim, use_bias=False, kernel_initializer=init, name="qkv")
        self.proj = linear(dim, "proj")
        self.cpb_hidden = linear(512, "cpb_mlp.0")
        self.cpb_out = layers.Dense(num_heads, use_bias=False, kernel_initializer=init,
                                    name="cpb_mlp.2")
        self.index = relative_position_index(window_size)
        self.coords = log_spaced_coords(window_size)

    def build(self, input_shape):
        self.logit_scale = self.add_weight(name="logit_scale", shape=(self.num_heads, 1, 1),
                                           initializer=keras.initializers.Constant(np.log(10.0)))
        self.q_bias = self.add_weight(name="q_bias", shape=(self.dim,), initializer="zeros")
        self.v_bias = self.add_weight(name="v_bias", shape=(self.dim,), initializer="zeros")
        self.qkv.build(input_shape)
        self.proj.build(input_shape)
        self.cpb_hidden.build((None, 2))
        self.cpb_out.build((None, 512))

    def call(self, windows, attn_mask=None):
        q, k, v = ops.split(self.qkv(windows), 3, axis=-1)
        coords = ops.convert_to_tensor(self.coords, dtype=self.compute_dtype)
        table = self.cpb_out(ops.relu(self.cpb_hidden(coords)))
        bias = 16.0 * ops.sigmoid(bias_from_table(table, self.index))
        attended = multi_head_attention(q + self.q_bias, k, v + self.v_bias, bias,
                                        self.num_heads, attn_mask, self.logit_scale)
        return self.proj(attended)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"dim": self.dim, "window_size": self.window_size,
                                       "num_heads": self.num_heads}


@keras.saving.register_keras_serializable(package="sr_tf")
class SwinTransformerBlock(layers.Layer):
    """Pre-norm (shifted) window attention and MLP, each with a residual, on ``[B, H, W, C]``.

    H and W must be multiples of ``window_size``. With ``shift_size > 0`` the map is cyclically
    shifted by ``-shift_size`` before attention (and back after) and the mask is built from the
    runtime H and W.
    """

    attention_class = WindowAttention         # built as (dim, window_size, num_heads, name=)

    def __init__(self, dim: int, num_heads: int, window_size: int, shift_size: int = 0,
                 mlp_ratio: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= shift_size < window_size:
            raise ValueError(f"shift_size {shift_size} must be in [0, window_size {window_size})")
        self.dim = dim
        self.num_heads = num_heads
        self.window_size = window_size
        self.shift_size = shift_size
        self.mlp_ratio = mlp_ratio
        self.norm1 = layer_norm("norm1")
        self.attn = self.attention_class(dim, window_size, num_heads, name="attn")
        self.norm2 = layer_norm("norm2")
        self.mlp = Mlp(dim, int(dim * mlp_ratio), name="mlp")

    def build(self, input_shape):
        self.norm1.build(input_shape)
        self.attn.build((None, self.window_size ** 2, self.dim))
        self.norm2.build(input_shape)
        self.mlp.build(input_shape)

    def window_attention(self, x):
        """(Shifted) window attention over the whole map ``x`` (already normalised)."""
        shape = ops.shape(x)
        mask = None
        if self.shift_size:
            x = cyclic_shift(cyclic_shift(x, -self.shift_size, 1), -self.shift_size, 2)
            mask = shift_mask(shape[1], shape[2], self.window_size, self.shift_size)
        windows = self.attn(window_partition(x, self.window_size, shape), mask)
        x = window_reverse(windows, self.window_size, shape)
        if self.shift_size:
            x = cyclic_shift(cyclic_shift(x, self.shift_size, 1), self.shift_size, 2)
        return x

    def branches(self, x):
        """What is added to the input after ``norm1`` (HAT adds a convolution branch)."""
        return self.window_attention(x)

    def call(self, x):
        x = x + self.branches(self.norm1(x))
        return x + self.mlp(self.norm2(x))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {
            "dim": self.dim, "num_heads": self.num_heads, "window_size": self.window_size,
            "shift_size": self.shift_size, "mlp_ratio": self.mlp_ratio}


@keras.saving.register_keras_serializable(package="sr_tf")
class SwinV2Block(SwinTransformerBlock):
    """Swin2SR's block: cosine window attention, norms after (not before) the attention and the
    MLP: ``x + norm1(attn(x))``, then ``x + norm2(mlp(x))``."""

    attention_class = CosineWindowAttention

    def call(self, x):
        x = x + self.norm1(self.branches(x))
        return x + self.norm2(self.mlp(x))


def check_stages(embed_dim: int, depths: Sequence[int], num_heads: Sequence[int]) -> None:
    """One head count per stage, each dividing the embedding width."""
    if len(depths) != len(num_heads):
        raise ValueError(f"depths {list(depths)} and num_heads {list(num_heads)} differ in length")
    if any(embed_dim % h for h in num_heads):
        raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {list(num_heads)}")


def residual_conv(x: keras.KerasTensor, kind: str, name: str) -> keras.KerasTensor:
    """The conv closing a residual group (and the body): ``1conv``, ``3conv`` (3x3 to C/4,
    LeakyReLU 0.2, 1x1, LeakyReLU 0.2, 3x3 back to C) or ``identity``."""
    channels = x.shape[-1]
    if kind == "1conv":
        return conv(channels, 3, name)(x)
    if kind == "3conv":
        x = layers.LeakyReLU(0.2)(conv(channels // 4, 3, f"{name}.0")(x))
        x = layers.LeakyReLU(0.2)(conv(channels // 4, 1, f"{name}.2")(x))
        return conv(channels, 3, f"{name}.4")(x)
    if kind == "identity":
        return x
    raise ValueError(f"resi_connection must be 1conv, 3conv or identity, not {kind!r}")


def deep_features(x: keras.KerasTensor, groups: Sequence[Callable], resi_connection: str,
                  patch_proj: bool = False) -> keras.KerasTensor:
    """``conv_first`` features -> ``conv_after_body(norm(groups)) + x``.

    Each group maps a feature map to a feature map (``layers.i.residual_group``); it is closed by
    ``layers.i.conv`` and a residual connection. ``patch_proj`` (Swin2SR): 1x1 convs
    ``patch_embed.proj`` before the first norm and ``layers.i.patch_embed.proj`` after each
    ``layers.i.conv``.
    """
    channels = x.shape[-1]
    y = conv(channels, 1, "patch_embed.proj")(x) if patch_proj else x
    y = layer_norm("patch_embed.norm")(y)
    for i, group in enumerate(groups):
        update = residual_conv(group(y), resi_connection, f"layers.{i}.conv")
        if patch_proj:
            update = conv(channels, 1, f"layers.{i}.patch_embed.proj")(update)
        y = layers.Add()([y, update])
    y = layer_norm("norm")(y)
    return layers.Add()([x, residual_conv(y, resi_connection, "conv_after_body")])


def swin_groups(block: type, embed_dim: int, depths: Sequence[int], num_heads: Sequence[int],
                window_size: int, mlp_ratio: float) -> list[Callable]:
    """SwinIR's residual groups (and Swin2SR's, with ``SwinV2Block``): group ``i`` runs
    ``depths[i]`` blocks named ``layers.{i}.residual_group.blocks.{j}``, odd ones shifted by
    half a window."""
    def group(i: int) -> Callable:
        def run(y: keras.KerasTensor) -> keras.KerasTensor:
            for j in range(depths[i]):
                y = block(embed_dim, num_heads[i], window_size,
                          0 if j % 2 == 0 else window_size // 2, mlp_ratio,
                          name=f"layers.{i}.residual_group.blocks.{j}")(y)
            return y
        return run
    return [group(i) for i in range(len(depths))]


def reconstruction(x: keras.KerasTensor, upsampler: str, scale: int, num_feat: int = 64
                   ) -> keras.KerasTensor:
    """The tail the ``upsampler`` names: ``pixelshuffle`` (classical), ``nearest+conv``
    (real-world) or ``pixelshuffledirect`` (lightweight: ``upsample.0`` and one shuffle)."""
    if upsampler == "pixelshuffle":
        return pixel_shuffle_reconstruction(x, scale, num_feat)
    if upsampler == "nearest+conv":
        return nearest_conv_reconstruction(x, scale, num_feat)
    return keras.ops.depth_to_space(conv(3 * scale * scale, 3, "upsample.0")(x), scale)


def pixel_shuffle_reconstruction(x: keras.KerasTensor, scale: int, num_feat: int
                                 ) -> keras.KerasTensor:
    """Classical-SR tail: ``conv_before_upsample`` (LeakyReLU 0.01), ``upsample`` (x2 stages,
    or one x3 stage), ``conv_last``."""
    x = layers.LeakyReLU(0.01)(conv(num_feat, 3, "conv_before_upsample.0")(x))
    x = pixel_shuffle_upsample(x, scale, num_feat, "upsample")
    return conv(3, 3, "conv_last")(x)


def nearest_conv_reconstruction(x: keras.KerasTensor, scale: int, num_feat: int
                                ) -> keras.KerasTensor:
    """Real-world SR tail (SwinIR, Swin2SR): ``conv_before_upsample`` (LeakyReLU 0.01), then
    nearest x2 + ``conv_upK`` (LeakyReLU 0.2) per factor of 2, ``conv_hr``, ``conv_last``."""
    x = layers.LeakyReLU(0.01)(conv(num_feat, 3, "conv_before_upsample.0")(x))
    for i in range(1, scale.bit_length()):
        x = NearestUpsample(2)(x)
        x = layers.LeakyReLU(0.2)(conv(num_feat, 3, f"conv_up{i}")(x))
    x = layers.LeakyReLU(0.2)(conv(num_feat, 3, "conv_hr")(x))
    return conv(3, 3, "conv_last")(x)


def window_model(name: str, scale: int, window_size: int, img_range: float,
                 network: Callable[[keras.KerasTensor], keras.KerasTensor],
                 pad_mode: str = "reflect") -> keras.Model:
    """RGB [0, 1] in and out around ``network``: pad to the window multiple (``pad_mode``
    ``reflect`` or ``symmetric``), subtract the mean and scale by ``img_range``, undo that
    after, crop to ``scale`` x the input."""
    lr = keras.Input((None, None, 3), name="lr")
    x = PadToMultiple(window_size, pad_mode, name="pad")(lr)
    x = layers.Rescaling(img_range, offset=[-m * img_range for m in RGB_MEAN], name="sub_mean")(x)
    x = network(x)
    x = layers.Rescaling(1.0 / img_range, offset=list(RGB_MEAN), name="add_mean")(x)
    return keras.Model(lr, CropToScale(scale, name="crop")([x, lr]), name=name)
