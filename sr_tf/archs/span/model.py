"""SPAN, Swift Parameter-free Attention Network (Wan et al. 2024; hongyuanyu/SPAN
``basicsr/archs/span_arch.py``, as spandrel 0.4.2 ships it).

Each ``Conv3XC`` is trained as a 1x1 -> 3x3 -> 1x1 branch plus a 1x1 skip, all linear, and run
as the single 3x3 conv they compose to (the official ``update_params``, redone on every eval
forward). :class:`Conv3XC` holds the branch weights under their official names and composes the
3x3 kernel on every call: trained, it has the official training gradients; in inference it is one
conv. Layer names are the official module paths.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import layers, ops

from sr_tf.layers.common import DIV2K_RGB_MEAN, conv


@keras.saving.register_keras_serializable(package="sr_tf")
class Conv3XC(layers.Layer):
    """``Conv3XC(c_in, filters, gain1=gain, s=1)``: ``sk`` (1x1) + ``conv.0`` (1x1, c_in * gain)
    -> ``conv.1`` (3x3 on the zero-padded input) -> ``conv.2`` (1x1), run as one 3x3 conv."""

    def __init__(self, filters: int, gain: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.gain = gain

    def build(self, input_shape):
        c_in = input_shape[-1]
        self.sk = layers.Conv2D(self.filters, 1, name="sk")
        self.branch = [layers.Conv2D(c_in * self.gain, 1, name="conv.0"),
                       layers.Conv2D(self.filters * self.gain, 3, name="conv.1"),
                       layers.Conv2D(self.filters, 1, name="conv.2")]
        self.sk.build(input_shape)
        channels = c_in
        for branch_conv in self.branch:
            branch_conv.build((None, None, None, channels))
            channels = branch_conv.filters

    def fused(self):
        """(3x3 kernel HWIO, bias) of the whole block: the official ``update_params``."""
        first, middle, last = self.branch
        w1, w3 = first.kernel[0, 0], last.kernel[0, 0]
        kernel = ops.einsum("im,hwmn,no->hwio", w1, middle.kernel, w3)
        kernel = kernel + ops.pad(self.sk.kernel, [[1, 1], [1, 1], [0, 0], [0, 0]])
        bias = middle.bias + ops.einsum("hwmn,m->n", middle.kernel, first.bias)
        return kernel, last.bias + ops.matmul(bias, w3) + self.sk.bias

    def call(self, x):
        kernel, bias = self.fused()
        return ops.conv(x, kernel, padding="same") + bias

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return super().get_config() | {"filters": self.filters, "gain": self.gain}


def _spab(x, prefix: str):
    """SPAB: three Conv3XC (SiLU between), parameter-free attention ``sigmoid(out3) - 0.5``;
    returns (block output, SiLU of the first conv's output: the official in-place SiLU turns
    the ``out1`` it returns into that)."""
    channels = x.shape[-1]
    out1 = ops.silu(Conv3XC(channels, name=f"{prefix}.c1_r")(x))
    out2 = ops.silu(Conv3XC(channels, name=f"{prefix}.c2_r")(out1))
    out3 = Conv3XC(channels, name=f"{prefix}.c3_r")(out2)
    return (out3 + x) * (ops.sigmoid(out3) - 0.5), out1


def span(scale: int = 4, feature_channels: int = 48, bias: bool = True, norm: bool = True,
         img_range: float = 255.0,
         rgb_mean: Sequence[float] = DIV2K_RGB_MEAN) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR. With ``norm`` the input becomes ``(x - rgb_mean) * img_range``
    and, as in the official code, the output is not mapped back (the weights learn the range).
    ``bias`` is accepted and unused, as in the official code (every conv has a bias)."""
    del bias
    lr = keras.Input((None, None, 3), name="lr")
    x = layers.Rescaling(img_range, offset=[-m * img_range for m in rgb_mean])(lr) if norm else lr
    feature = Conv3XC(feature_channels, name="conv_1")(x)
    out, out_b1 = feature, None
    for i in range(1, 7):
        out, first = _spab(out, f"block_{i}")
        out_b1 = out if i == 1 else out_b1
    out_b6 = Conv3XC(feature_channels, name="conv_2")(out)
    out = layers.Concatenate()([feature, out_b6, out_b1, first])
    out = layers.Conv2D(feature_channels, 1, name="conv_cat")(out)
    sr = ops.depth_to_space(conv(3 * scale * scale, 3, "upsampler.0")(out), scale)
    return keras.Model(lr, sr, name=f"span_x{scale}")
