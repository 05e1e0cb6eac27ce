"""GRL (Li et al. 2023, "Efficient and Explicit Modelling of Image Hierarchies for Image
Restoration"; ofsoundof/GRL-Image-Restoration, as spandrel 0.4.2 ships it).

Each block mixes, on halves of one shared ``qkv`` projection, (shifted) window attention and
anchored stripe attention: stripe tokens attend to a pooled "anchor" map and the anchors back to
the stripe (two SwinV2-style cosine attentions with continuous position biases), plus an
optional channel-attention conv branch. Blocks alternate horizontal and vertical stripes.

The official model stores no position tables, indices or masks (they are non-persistent
buffers), so window, stripe and anchor sizes are hyper-parameters of the config. We build the
tables from them and the masks from the runtime feature size, so any input works; ``img_size``
(the official buffers' training size) is accepted for the official signature and unused. As
the official forward does, the input is reflect-padded to a multiple of the window/stripe size
inside the model and the output cropped.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import layers, ops

from sr_tf.archs.hat.model import ChannelAttentionBlock
from sr_tf.layers.common import check_scale, conv, cyclic_shift, pixel_shuffle_upsample
from sr_tf.layers.window_attention import (MASKED, Mlp, bias_from_table, layer_norm, linear,
                                           multi_head_attention, nearest_conv_reconstruction,
                                           residual_conv, shift_mask, shift_regions,
                                           window_model, window_partition, window_reverse)

UPSAMPLERS = {"pixelshuffle": (2, 3, 4, 8), "pixelshuffledirect": (2, 3, 4, 8),
              "nearest+conv": (4,)}
ANCHOR_POOLS = {"avgpool": layers.AveragePooling2D, "maxpool": layers.MaxPooling2D}


def coords_table(window: tuple[int, int], down_factor: int) -> np.ndarray:
    """``[Lh Lw, 2]`` log-spaced relative (dy, dx) between a window and its anchor window (the
    window divided by ``down_factor``): the official ``get_relative_coords_table_all``."""
    anchor = [w // down_factor for w in window]
    high = [w - 1 - (w - a) // 2 for w, a in zip(window, anchor)]
    low = [-(a - 1) - (w - a) // 2 for w, a in zip(window, anchor)]
    axes = [np.arange(lo, hi + 1, dtype=np.float32) / hi * 8 for lo, hi in zip(low, high)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 2)
    return (np.sign(grid) * np.log2(np.abs(grid) + 1.0) / np.log2(8)).astype(np.float32)


def anchor_position_index(window: tuple[int, int], down_factor: int,
                          window_to_anchor: bool) -> np.ndarray:
    """Rows of :func:`coords_table` for each (window token, anchor token) pair, ``[N, Na]``
    (``window_to_anchor``) or ``[Na, N]``: the official ``get_relative_position_index_simple``."""
    anchor = [w // down_factor for w in window]

    def coords(size):
        return np.stack(np.meshgrid(*map(np.arange, size), indexing="ij")).reshape(2, -1)

    if window_to_anchor:
        first, second, offset = coords(window), coords(anchor), [a - 1 for a in anchor]
    else:
        first, second, offset = coords(anchor), coords(window), [w - 1 for w in window]
    diff = first[:, :, None] - second[:, None, :]
    return (diff[0] + offset[0]) * (anchor[1] + window[1] - 1) + diff[1] + offset[1]


def roll2d(x, shift: Sequence[int]):
    """``torch.roll(x, shift, dims=(1, 2))`` for static shifts."""
    return cyclic_shift(cyclic_shift(x, shift[0], 1), shift[1], 2)


@keras.saving.register_keras_serializable(package="sr_tf")
class AffineTransform(layers.Layer):
    """GRL's ``AffineTransform``: a per-head ``logit_scale`` and a continuous position bias
    ``16 sigmoid(cpb_mlp(table))[index]`` for one pair of window shapes."""

    def __init__(self, num_heads: int, window: Sequence[int], down_factor: int,
                 window_to_anchor: bool, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.window = tuple(window)
        self.down_factor = down_factor
        self.window_to_anchor = window_to_anchor
        self.table = coords_table(self.window, down_factor)
        self.index = anchor_position_index(self.window, down_factor, window_to_anchor)
        self.cpb_hidden = linear(512, "cpb_mlp.0")
        self.cpb_out = layers.Dense(num_heads, use_bias=False, name="cpb_mlp.2",
                                    kernel_initializer=keras.initializers.TruncatedNormal(
                                        stddev=0.02))

    def build(self, input_shape=None):
        self.logit_scale = self.add_weight(name="logit_scale", shape=(self.num_heads, 1, 1),
                                           initializer=keras.initializers.Constant(np.log(10.0)))
        self.cpb_hidden.build((None, 2))
        self.cpb_out.build((None, 512))

    def bias(self):
        table = ops.convert_to_tensor(self.table, dtype=self.compute_dtype)
        return 16.0 * ops.sigmoid(bias_from_table(self.cpb_out(ops.relu(self.cpb_hidden(table))),
                                                  self.index))

    def get_config(self):
        return super().get_config() | {"num_heads": self.num_heads, "window": self.window,
                                       "down_factor": self.down_factor,
                                       "window_to_anchor": self.window_to_anchor}


@keras.saving.register_keras_serializable(package="sr_tf")
class MixedAttentionBlock(layers.Layer):
    """GRL's ``EfficientMixAttnTransformerBlock`` on ``[B, H, W, C]`` (H, W multiples of the
    window and stripe sizes): ``x + norm1(attn(x)) [+ conv(x)]``, then ``x + norm2(mlp(x))``.

    ``stripe_size`` is this block's (already transposed for vertical stripes).
    """

    def __init__(self, dim: int, num_heads_w: int, num_heads_s: int, window_size: int,
                 window_shift: bool, stripe_size: Sequence[int], stripe_shift: bool,
                 anchor_window_down_factor: int, anchor_proj_type: str = "avgpool",
                 mlp_ratio: float = 4.0, qkv_bias: bool = True, local_connection: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads_w = num_heads_w
        self.num_heads_s = num_heads_s
        self.window_size = window_size
        self.window_shift = window_shift
        self.stripe_size = tuple(stripe_size)
        self.stripe_shift = stripe_shift
        self.anchor_window_down_factor = df = anchor_window_down_factor
        self.anchor_proj_type = anchor_proj_type
        self.mlp_ratio = mlp_ratio
        self.qkv_bias = qkv_bias
        self.local_connection = local_connection
        init = keras.initializers.TruncatedNormal(stddev=0.02)
        self.qkv = layers.Dense(3 * dim, use_bias=qkv_bias, kernel_initializer=init,
                                name="attn.qkv.body")
        self.pool = ANCHOR_POOLS[anchor_proj_type](df, df)
        self.reduction = linear(dim // 2, "attn.anchor.body.0.reduction")
        window = (window_size, window_size)
        self.window_transform = AffineTransform(num_heads_w, window, 1, True,
                                                name="attn.window_attn.attn_transform")
        self.anchor_transform = AffineTransform(num_heads_s, self.stripe_size, df, False,
                                                name="attn.stripe_attn.attn_transform1")
        self.stripe_transform = AffineTransform(num_heads_s, self.stripe_size, df, True,
                                                name="attn.stripe_attn.attn_transform2")
        self.proj = linear(dim, "attn.proj")
        self.norm1 = layer_norm("norm1")
        self.cab = ChannelAttentionBlock(dim, 4, 18, name="conv") if local_connection else None
        self.mlp = Mlp(dim, int(dim * mlp_ratio), name="mlp")
        self.norm2 = layer_norm("norm2")

    def build(self, input_shape):
        self.qkv.build(input_shape)
        self.reduction.build(input_shape)
        for transform in (self.window_transform, self.anchor_transform, self.stripe_transform):
            transform.build()
        self.proj.build(input_shape)
        self.norm1.build(input_shape)
        if self.cab is not None:
            self.cab.build(input_shape)
        self.mlp.build(input_shape)
        self.norm2.build(input_shape)

    def window_attention(self, qkv, shape):
        size, shift = self.window_size, self.window_size // 2 if self.window_shift else 0
        mask = None
        if shift:
            qkv = roll2d(qkv, (-shift, -shift))
            mask = shift_mask(shape[1], shape[2], size, shift)
        q, k, v = ops.split(window_partition(qkv, size, shape), 3, axis=-1)
        out = multi_head_attention(q, k, v, self.window_transform.bias(), self.num_heads_w,
                                   mask, self.window_transform.logit_scale)
        out = window_reverse(out, size, shape)
        return roll2d(out, (shift, shift)) if shift else out

    def stripe_attention(self, qkv, anchor, shape):
        df, stripe = self.anchor_window_down_factor, self.stripe_size
        anchor_stripe = tuple(s // df for s in stripe)
        shift = tuple(s // 2 for s in stripe) if self.stripe_shift else (0, 0)
        anchor_shift = tuple(s // df for s in shift)
        mask_a2w = mask_w2a = None
        if self.stripe_shift:
            qkv = roll2d(qkv, [-s for s in shift])
            anchor = roll2d(anchor, [-s for s in anchor_shift])
            tokens = shift_regions(shape[1], shape[2], stripe, shift)
            anchors = shift_regions(shape[1] // df, shape[2] // df, anchor_stripe, anchor_shift)
            mask_w2a = ops.where(tokens[:, :, None] != anchors[:, None, :], MASKED, 0.0)
            mask_a2w = ops.transpose(mask_w2a, (0, 2, 1))
        q, k, v = ops.split(window_partition(qkv, stripe, shape), 3, axis=-1)
        anchor = window_partition(anchor, anchor_stripe)
        heads = self.num_heads_s
        pooled = multi_head_attention(anchor, k, v, self.anchor_transform.bias(), heads,
                                      mask_a2w, self.anchor_transform.logit_scale)
        out = multi_head_attention(q, anchor, pooled, self.stripe_transform.bias(), heads,
                                   mask_w2a, self.stripe_transform.logit_scale)
        out = window_reverse(out, stripe, shape)
        return roll2d(out, shift) if self.stripe_shift else out

    def call(self, x):
        shape = ops.shape(x)
        qkv = self.qkv(x)
        half = 3 * self.dim // 2
        anchor = self.reduction(self.pool(x))
        attended = ops.concatenate([self.window_attention(qkv[..., :half], shape),
                                    self.stripe_attention(qkv[..., half:], anchor, shape)], -1)
        update = self.norm1(self.proj(attended))
        if self.cab is not None:
            update = update + self.cab(x)
        x = x + update
        return x + self.norm2(self.mlp(x))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {
            "dim": self.dim, "num_heads_w": self.num_heads_w, "num_heads_s": self.num_heads_s,
            "window_size": self.window_size, "window_shift": self.window_shift,
            "stripe_size": self.stripe_size, "stripe_shift": self.stripe_shift,
            "anchor_window_down_factor": self.anchor_window_down_factor,
            "anchor_proj_type": self.anchor_proj_type, "mlp_ratio": self.mlp_ratio,
            "qkv_bias": self.qkv_bias, "local_connection": self.local_connection}


def last_conv(x: keras.KerasTensor, conv_type: str, name: str) -> keras.KerasTensor:
    """GRL's ``build_last_conv``: ``1conv``, ``3conv``, ``1conv1x1`` or ``linear``."""
    if conv_type == "1conv1x1":
        return conv(x.shape[-1], 1, name)(x)
    if conv_type == "linear":
        return linear(x.shape[-1], name)(x)
    if conv_type in ("1conv", "3conv"):
        return residual_conv(x, conv_type, name)
    raise ValueError(f"conv_type must be 1conv, 3conv, 1conv1x1 or linear, not {conv_type!r}")


def grl(scale: int = 4, img_size: int = 64, embed_dim: int = 96,
        depths: Sequence[int] = (6,) * 6, num_heads_window: Sequence[int] = (3,) * 6,
        num_heads_stripe: Sequence[int] = (3,) * 6, window_size: int = 8,
        stripe_size: Sequence[int] = (8, 8), stripe_groups: Sequence[int | None] = (None, None),
        stripe_shift: bool = False, mlp_ratio: float = 4.0, qkv_bias: bool = True,
        qkv_proj_type: str = "linear", anchor_proj_type: str = "avgpool",
        anchor_one_stage: bool = True, anchor_window_down_factor: int = 1,
        local_connection: bool = False, conv_type: str = "1conv",
        upsampler: str = "pixelshuffle", img_range: float = 1.0) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; defaults are the official constructor's, except
    ``upsampler`` (official ``""``, a restoration model without upsampling, not built here).

    Supported: linear ``qkv_proj_type``, one-stage ``avgpool``/``maxpool`` anchors, fixed stripe
    sizes (``stripe_groups`` None); ``upsampler`` ``pixelshuffle``, ``pixelshuffledirect`` or
    ``nearest+conv`` (x4).
    """
    del img_size                    # sizes the official buffers only; ours follow the input
    if upsampler not in UPSAMPLERS:
        raise ValueError(f"upsampler must be one of {', '.join(UPSAMPLERS)}, not {upsampler!r}")
    check_scale(f"grl with upsampler {upsampler}", scale, UPSAMPLERS[upsampler])
    if any(g is not None for g in stripe_groups):
        raise ValueError("grl: stripe_groups (stripes sized from the input) are not supported")
    if qkv_proj_type != "linear" or anchor_proj_type not in ANCHOR_POOLS or not anchor_one_stage:
        raise ValueError("grl supports qkv_proj_type='linear' and one-stage avgpool/maxpool "
                         f"anchors, not {qkv_proj_type!r}, {anchor_proj_type!r}, "
                         f"one_stage={anchor_one_stage}")
    stripe_size = tuple(int(s) for s in stripe_size)
    pad_size = max(window_size, *stripe_size)

    def stage(y: keras.KerasTensor, i: int) -> keras.KerasTensor:
        res = y
        for j in range(depths[i]):
            res = MixedAttentionBlock(
                embed_dim, num_heads_window[i], num_heads_stripe[i], window_size,
                window_shift=j % 2 == 0,
                stripe_size=stripe_size if j % 2 == 0 else stripe_size[::-1],
                stripe_shift=stripe_shift and j % 4 in (2, 3),
                anchor_window_down_factor=anchor_window_down_factor,
                anchor_proj_type=anchor_proj_type, mlp_ratio=mlp_ratio, qkv_bias=qkv_bias,
                local_connection=local_connection, name=f"layers.{i}.blocks.{j}")(res)
        return layers.Add()([y, last_conv(res, conv_type, f"layers.{i}.conv")])

    def network(x: keras.KerasTensor) -> keras.KerasTensor:
        x = conv(embed_dim, 3, "conv_first")(x)
        y = layer_norm("norm_start")(x)
        for i in range(len(depths)):
            y = stage(y, i)
        y = layer_norm("norm_end")(y)
        x = layers.Add()([x, last_conv(y, conv_type, "conv_after_body")])
        if upsampler == "pixelshuffle":
            x = layers.LeakyReLU(0.01)(conv(64, 3, "conv_before_upsample.0")(x))
            return conv(3, 3, "conv_last")(pixel_shuffle_upsample(x, scale, 64, "upsample.up"))
        if upsampler == "nearest+conv":
            return nearest_conv_reconstruction(x, scale, 64)
        return ops.depth_to_space(conv(3 * scale * scale, 3, "upsample.up.0")(x), scale)

    return window_model(f"grl_x{scale}", scale, pad_size, img_range, network)
