"""IMDN (Hui et al. 2019), information multi-distillation network. Layer names follow the
official Zheng222/IMDN ``model/architecture.py`` (``IMDN``): ``fea_conv``, ``IMDB1.c1``,
``IMDB1.cca.conv_du.0``, ``c.0``, ``LR_conv``, ``upsampler.0``.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.channel_attention import contrast_channel_attention
from sr_tf.layers.common import check_scale, conv

SLOPE = 0.05              # the official activation('lrelu') negative slope
DISTILLATION_RATE = 0.25
CCA_REDUCTION = 16


def _lrelu() -> layers.LeakyReLU:
    return layers.LeakyReLU(negative_slope=SLOPE)


def _imd_module(x: keras.KerasTensor, nf: int, prefix: str) -> keras.KerasTensor:
    """Information multi-distillation block: three 3x3 convs each keep a quarter of their output
    ("distilled") and pass the rest on, a fourth makes the last quarter; then CCA, a 1x1 fusion
    conv and the residual."""
    distilled = int(nf * DISTILLATION_RATE)
    kept, remaining = [], x
    for i in (1, 2, 3):
        out = _lrelu()(conv(nf, 3, f"{prefix}.c{i}")(remaining))
        kept.append(out[..., :distilled])
        remaining = out[..., distilled:]
    kept.append(conv(distilled, 3, f"{prefix}.c4")(remaining))
    out = contrast_channel_attention(layers.Concatenate()(kept), f"{prefix}.cca", CCA_REDUCTION)
    return layers.Add()([conv(nf, 1, f"{prefix}.c5")(out), x])


def imdn(scale: int = 4, nf: int = 64, num_modules: int = 6) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. The official IMDN has 6 modules (its constructor takes
    ``num_modules`` but always builds six); ``nf`` must be a multiple of 4 (the distillation split)
    and at least 16 (CCA reduces the channels by 16).
    """
    check_scale("imdn", scale, (2, 3, 4))
    if nf % 4 or nf < 16:
        raise ValueError(f"imdn needs nf a multiple of 4 and >= 16; got {nf}")
    lr = keras.Input((None, None, 3), name="lr")
    features = conv(nf, 3, "fea_conv")(lr)
    x, outputs = features, []
    for m in range(1, num_modules + 1):
        x = _imd_module(x, nf, f"IMDB{m}")
        outputs.append(x)
    x = _lrelu()(conv(nf, 1, "c.0")(layers.Concatenate()(outputs)))
    x = layers.Add()([conv(nf, 3, "LR_conv")(x), features])
    x = ops.depth_to_space(conv(3 * scale * scale, 3, "upsampler.0")(x), scale)
    return keras.Model(lr, x, name=f"imdn_x{scale}")
