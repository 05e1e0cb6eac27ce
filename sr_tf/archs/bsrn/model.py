"""BSRN (Li et al. 2022, "Blueprint Separable Residual Network for Efficient Image
Super-Resolution"; xiaom233/BSRN ``basicsr/archs/BSRN_arch.py`` + ``Upsamplers.py``): eight
efficient separable distillation blocks (ESDB: blueprint separable convs, ESA, contrast-aware
channel attention) and a one-step pixel-shuffle upsampler. Layer names are the official module
paths (``B1.c1_r.pw``, ``B1.esa.conv_max.dw``, ``upsampler.upsampleOneStep.0``)."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.channel_attention import contrast_channel_attention
from sr_tf.layers.common import check_scale
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.esa import enhanced_spatial_attention

SCALES = (2, 3, 4)


def _gelu(x):
    return layers.Activation("gelu")(x)       # exact (erf) GELU, as nn.GELU()


def _bsconv_u(x, filters: int, name: str, strides: int = 1, padding: str = "same"):
    """``BSConvU``: a 1x1 pointwise conv (no bias), then a 3x3 depthwise conv with bias."""
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}.pw")(x)
    return DepthwiseConv(3, strides=strides, padding=padding, name=f"{name}.dw")(x)


def _esa(x, name: str):
    """BSRN's ESA: conv2 is a stride-2 unpadded BSConvU, the pooled map runs through
    conv_max, conv3 (GELU after each) and conv3_; inner width ``num_feat // 4``."""
    f = x.shape[-1] // 4

    def refine(pooled):
        y = _gelu(_bsconv_u(pooled, f, f"{name}.conv_max"))
        return _bsconv_u(_gelu(_bsconv_u(y, f, f"{name}.conv3")), f, f"{name}.conv3_")

    return enhanced_spatial_attention(
        x, f, name, conv2=lambda y: _bsconv_u(y, f, f"{name}.conv2", 2, "valid"),
        refine=refine)


def _esdb(x, name: str):
    """Efficient separable distillation block: three (1x1 distil, BSConvU + residual) steps,
    a last BSConvU, 1x1 fusion of the four distilled parts, ESA, CCA, plus the input."""
    channels = x.shape[-1]
    distilled, remaining = [], x
    for step in (1, 2, 3):
        distilled.append(_gelu(layers.Conv2D(channels // 2, 1, name=f"{name}.c{step}_d")(
            remaining)))
        refined = _bsconv_u(remaining, channels, f"{name}.c{step}_r")
        remaining = _gelu(layers.Add()([refined, remaining]))
    distilled.append(_gelu(_bsconv_u(remaining, channels // 2, f"{name}.c4")))
    out = layers.Conv2D(channels, 1, name=f"{name}.c5")(layers.Concatenate()(distilled))
    out = contrast_channel_attention(_esa(out, f"{name}.esa"), f"{name}.cca")
    return layers.Add()([out, x])


def bsrn(scale: int = 4, num_in_ch: int = 3, num_feat: int = 64, num_block: int = 8,
         num_out_ch: int = 3, conv: str = "BSConvU",
         upsampler: str = "pixelshuffledirect") -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. The released BSRN x2/x3/x4: 64 features, 8 blocks,
    BSConvU, pixelshuffledirect (the only conv and upsampler ported). ``scale`` is the official
    ``upscale``. The official class always builds B1..B8 and runs only with ``num_block=8``
    (it sizes c1's input); here ``num_block`` blocks are built, the same model at 8."""
    check_scale("bsrn", scale, SCALES)
    if conv != "BSConvU" or upsampler != "pixelshuffledirect":
        raise ValueError(f"bsrn is ported for conv='BSConvU', upsampler='pixelshuffledirect'; "
                         f"got {conv!r}, {upsampler!r}")
    lr = keras.Input((None, None, num_in_ch), name="lr")
    fea = _bsconv_u(layers.Concatenate()([lr] * 4), num_feat, "fea_conv")
    outputs, x = [], fea
    for i in range(1, num_block + 1):
        x = _esdb(x, f"B{i}")
        outputs.append(x)
    trunk = _gelu(layers.Conv2D(num_feat, 1, name="c1")(layers.Concatenate()(outputs)))
    x = layers.Add()([_bsconv_u(trunk, num_feat, "c2"), fea])
    x = layers.Conv2D(num_out_ch * scale * scale, 3, padding="same",
                      name="upsampler.upsampleOneStep.0")(x)
    return keras.Model(lr, ops.depth_to_space(x, scale), name=f"bsrn_x{scale}")
