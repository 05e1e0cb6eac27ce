"""SeemoRe, "See more details" (Zamfir et al. 2024; eduardzamfir/seemoredetails, as spandrel 0.4.2
ships it): residual groups of a local mixture-of-experts block (experts of growing rank, top-k
routed per image) and a global striped depthwise-conv block. Layer names are the official module
paths. The router's top-k runs as a mask over every expert (the official training path), which
equals the official eval path (only the chosen experts) image by image, for any batch size."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from sr_tf.layers.common import DIV2K_RGB_MEAN, conv
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.torch_resize import BilinearResizeLike

# low_dim of expert i for each lr_space
LR_SPACES = {"linear": lambda i: i + 2, "exp": lambda i: 2 ** (i + 1),
             "double": lambda i: 2 * i + 2}
CALIBRATION_STRIDE = 4


@keras.saving.register_keras_serializable(package="sr_tf")
class EdgePadToAtLeast(layers.Layer):
    """Repeat the last row/column until H and W are at least ``size``; identity otherwise. The
    official stride-4 calibration conv refuses inputs under 4 pixels (spandrel asks for 16)."""

    def __init__(self, size: int, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def call(self, x):
        for axis in (1, 2):
            n = ops.shape(x)[axis]
            x = ops.take(x, ops.minimum(ops.arange(ops.maximum(n, self.size)), n - 1), axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"size": self.size}


@keras.saving.register_keras_serializable(package="sr_tf")
class TopKMask(layers.Layer):
    """Softmax router weights with all but the ``k`` largest per image set to zero."""

    def __init__(self, k: int, **kwargs):
        super().__init__(**kwargs)
        self.k = k

    def call(self, logits):
        weights = ops.softmax(logits, axis=-1)
        _, chosen = ops.top_k(weights, self.k)
        return weights * ops.sum(ops.one_hot(chosen, weights.shape[-1]), axis=1)

    def get_config(self):
        return super().get_config() | {"k": self.k}


def _striped(x, kernel_size: int, name: str):
    """``StripedConv2d`` (depthwise): a 1 x k then a k x 1 depthwise conv."""
    x = layers.DepthwiseConv2D((1, kernel_size), padding="same", name=f"{name}.conv.0")(x)
    return layers.DepthwiseConv2D((kernel_size, 1), padding="same", name=f"{name}.conv.1")(x)


def _gated_ffn(x, name: str):
    """``GatedFFN`` (mlp_ratio 2, 3x3 depthwise gate, GELU)."""
    dim = x.shape[-1]
    y = gelu(conv(2 * dim, 1, f"{name}.fn_1.0")(x))
    gate = layers.DepthwiseConv2D(3, padding="same", name=f"{name}.gate")(y[..., dim:])
    return gelu(conv(dim, 1, f"{name}.fn_2.0")(y[..., :dim] * gate))


def _calibrate(k, name: str, recursive: int):
    """``MoEBlock.calibrate``: the stride-4 depthwise 4x4 conv (+GELU) ``recursive`` times, a
    depthwise 3x3 and a 1x1 conv, bilinear back to full size, plus the input."""
    aggregate = layers.DepthwiseConv2D(CALIBRATION_STRIDE, strides=CALIBRATION_STRIDE,
                                       name=f"{name}.agg_conv.0")      # one conv, applied again
    small = k
    for _ in range(recursive):
        small = gelu(aggregate(EdgePadToAtLeast(CALIBRATION_STRIDE)(small)))
    small = layers.DepthwiseConv2D(3, padding="same", name=f"{name}.conv.0")(small)
    small = conv(k.shape[-1], 1, f"{name}.conv.1")(small)
    return BilinearResizeLike()([small, k]) + k


def _moe_block(x, name: str, num_experts: int, topk: int, use_shuffle: bool, lr_space: str,
               recursive: int):
    dim = x.shape[-1]
    x = conv(2 * dim, 1, f"{name}.conv_1.2")(gelu(conv(dim, 3, f"{name}.conv_1.0")(x)))
    if use_shuffle:             # channel_shuffle(groups=2): new n <- old (n % 2) * C + n // 2
        order = np.arange(2 * dim)
        x = ops.take(x, (order % 2) * dim + order // 2, axis=-1)
    x, k = gelu(_striped(x[..., :dim], 3, f"{name}.conv_2.0")), x[..., dim:]
    k = _calibrate(k, name, recursive)
    moe = f"{name}.moe_layer"
    pooled = layers.GlobalAveragePooling2D()(x)
    weights = TopKMask(topk)(layers.Dense(num_experts, use_bias=False,
                                          name=f"{moe}.gate.body.2")(pooled))
    out = x
    for i in range(num_experts):
        low, expert = LR_SPACES[lr_space](i), f"{moe}.experts.{i}"
        y = conv(low, 1, f"{expert}.conv_1")(x) * conv(low, 1, f"{expert}.conv_2")(k)
        out = out + conv(dim, 1, f"{expert}.conv_3")(y) * weights[:, None, None, i:i + 1]
    return conv(dim, 1, f"{name}.proj")(out)


def _residual_pair(x, name: str, block):
    """``x = block(norm_1(x)) + x; x = ffn(norm_2(x)) + x`` (RME and SME)."""
    x = block(layers.LayerNormalization(epsilon=1e-6, name=f"{name}.norm_1")(x)) + x
    y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}.norm_2")(x)
    return _gated_ffn(y, f"{name}.ffn") + x


def _striped_former(x, name: str, kernel_size: int):
    """``StripedConvFormer``: ``proj(striped(q) * v)``, (q, v) = GELU(1x1 conv)."""
    dim = x.shape[-1]
    qv = gelu(conv(2 * dim, 1, f"{name}.to_qv.0")(x))
    return conv(dim, 1, f"{name}.proj")(_striped(qv[..., :dim], kernel_size, f"{name}.attn")
                                        * qv[..., dim:])


def seemore(scale: int = 4, num_experts: int = 6, num_layers: int = 6, embedding_dim: int = 64,
            img_range: float = 1.0, use_shuffle: bool = True, global_kernel_size: int = 11,
            recursive: int = 2, lr_space: str = "linear", topk: int = 1) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; ``lr_space`` linear, exp or double (expert ranks)."""
    if lr_space not in LR_SPACES:
        raise ValueError(f"SeemoRe lr_space must be one of {', '.join(LR_SPACES)}; "
                         f"got {lr_space!r}")
    lr = keras.Input((None, None, 3), name="lr")
    x = layers.Rescaling(img_range, offset=[-m * img_range for m in DIV2K_RGB_MEAN])(lr)
    x = res = conv(embedding_dim, 3, "conv_1")(x)
    for i in range(num_layers):
        name = f"body.{i}"
        x = _residual_pair(x, f"{name}.local_block", lambda y: _moe_block(
            y, f"{name}.local_block.block", num_experts, topk, use_shuffle, lr_space, recursive))
        x = _residual_pair(x, f"{name}.global_block", lambda y: _striped_former(
            y, f"{name}.global_block.block", global_kernel_size))
    x = layers.LayerNormalization(epsilon=1e-6, name="norm")(x)
    x = conv(embedding_dim, 3, "conv_2")(x) + res
    sr = ops.depth_to_space(conv(3 * scale * scale, 3, "upsampler.0")(x), scale)
    sr = layers.Rescaling(1 / img_range, offset=list(DIV2K_RGB_MEAN))(sr)
    return keras.Model(lr, sr, name=f"seemore_x{scale}")
