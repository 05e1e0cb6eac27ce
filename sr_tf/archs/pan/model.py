"""PAN (Zhao et al. 2020, "Efficient Image Super-Resolution Using Pixel Attention";
zhaohengyuan1/PAN ``codes/models/archs/PAN_arch.py``): self-calibrated blocks with pixel
attention (SCPA), then nearest-neighbour upsampling with pixel attention (U-PA), plus the
bilinear upsampled input. Layer names are the official module paths (``SCPA_trunk.N.k1.0``)."""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import NearestUpsample, check_scale, conv
from sr_tf.layers.resize import BilinearUpsample

SCALES = (2, 3, 4)


def _pixel_attention(x, name: str) -> keras.KerasTensor:
    """``x * sigmoid(conv1x1(x))``: ``PA`` (name.conv) and ``PAConv`` (name.k2) use this."""
    return layers.Multiply()([x, layers.Conv2D(x.shape[-1], 1, activation="sigmoid",
                                                name=name)(x)])


def _scpa(x, name: str) -> keras.KerasTensor:
    """Two half-width branches (a 3x3 conv; a pixel-attention conv), LeakyReLU(0.2) around
    each, concatenated, a 1x1 conv, plus the input. Only PAConv's 1x1 attention conv has a bias."""
    width = x.shape[-1] // 2
    lrelu = layers.LeakyReLU(0.2)
    a = lrelu(conv(width, 1, f"{name}.conv1_a", use_bias=False)(x))
    b = lrelu(conv(width, 1, f"{name}.conv1_b", use_bias=False)(x))
    a = lrelu(conv(width, 3, f"{name}.k1.0", use_bias=False)(a))
    attention = layers.Conv2D(width, 1, activation="sigmoid", name=f"{name}.PAConv.k2")(b)
    b = layers.Multiply()([conv(width, 3, f"{name}.PAConv.k3", use_bias=False)(b), attention])
    b = lrelu(conv(width, 3, f"{name}.PAConv.k4", use_bias=False)(b))
    out = conv(x.shape[-1], 1, f"{name}.conv3", use_bias=False)(layers.Concatenate()([a, b]))
    return layers.Add()([out, x])


def pan(scale: int = 4, in_nc: int = 3, out_nc: int = 3, nf: int = 40, unf: int = 24,
        nb: int = 16) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. The released PAN (x2/x3/x4): nf 40, unf 24, nb 16.
    x2 and x3 upsample once by ``scale`` (stage 1), x4 twice by 2 (stages 1 and 2)."""
    check_scale("pan", scale, SCALES)
    lr = keras.Input((None, None, in_nc), name="lr")
    fea = conv(nf, 3, "conv_first")(lr)
    trunk = fea
    for i in range(nb):
        trunk = _scpa(trunk, f"SCPA_trunk.{i}")
    x = layers.Add()([fea, conv(nf, 3, "trunk_conv")(trunk)])
    for stage, factor in enumerate([2, 2] if scale == 4 else [scale], start=1):
        x = conv(unf, 3, f"upconv{stage}")(NearestUpsample(factor)(x))
        x = layers.LeakyReLU(0.2)(_pixel_attention(x, f"att{stage}.conv"))
        x = layers.LeakyReLU(0.2)(conv(unf, 3, f"HRconv{stage}")(x))
    out = conv(out_nc, 3, "conv_last")(x)
    base = BilinearUpsample(scale)(lr)
    return keras.Model(lr, layers.Add()([out, base]), name=f"pan_x{scale}")
