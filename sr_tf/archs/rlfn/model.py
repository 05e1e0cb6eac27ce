"""RLFN (Kong et al. 2022, "Residual Local Feature Network for Efficient Super-Resolution";
bytedance/RLFN ``model/rlfn.py`` + ``model/block.py``): six residual local feature blocks (three
3x3 convs, LeakyReLU 0.05, a 1x1 conv, enhanced spatial attention), a pixel-shuffle upsampler.
Layer names are the official module paths (``block_N.c1_r``, ``block_N.esa.conv2``)."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import check_scale, conv
from sr_tf.layers.esa import enhanced_spatial_attention

SCALES = (2, 3, 4)
NUM_BLOCKS = 6        # hard-coded in RLFN.__init__ (block_1 .. block_6)
ESA_CHANNELS = 16     # RLFB's default, which RLFN keeps


def _rlfb(x, name: str) -> keras.KerasTensor:
    """Residual local feature block: (conv3x3 + LeakyReLU(0.05)) x 3 + x, conv1x1, ESA."""
    channels = x.shape[-1]
    out = x
    for conv_name in ("c1_r", "c2_r", "c3_r"):
        out = layers.LeakyReLU(0.05)(conv(channels, 3, f"{name}.{conv_name}")(out))
    out = conv(channels, 1, f"{name}.c5")(layers.Add()([out, x]))
    esa = f"{name}.esa"
    return enhanced_spatial_attention(
        out, ESA_CHANNELS, esa,
        conv2=layers.Conv2D(ESA_CHANNELS, 3, strides=2, padding="valid", name=f"{esa}.conv2"),
        refine=conv(ESA_CHANNELS, 3, f"{esa}.conv3"))


def rlfn(scale: int = 4, in_channels: int = 3, out_channels: int = 3,
         feature_channels: int = 52) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. The official model works in [0, 255] (its test script
    multiplies by 255 and divides the output by 255); that scaling is inside. ``scale`` is the
    official ``upscale``; the released RLFN has 52 feature channels."""
    check_scale("rlfn", scale, SCALES)
    lr = keras.Input((None, None, in_channels), name="lr")
    feature = conv(feature_channels, 3, "conv_1")(layers.Rescaling(255.0)(lr))
    x = feature
    for i in range(1, NUM_BLOCKS + 1):
        x = _rlfb(x, f"block_{i}")
    x = layers.Add()([conv(feature_channels, 3, "conv_2")(x), feature])
    x = ops.depth_to_space(conv(out_channels * scale * scale, 3, "upsampler.0")(x), scale)
    return keras.Model(lr, layers.Rescaling(1 / 255.0)(x), name=f"rlfn_x{scale}")
