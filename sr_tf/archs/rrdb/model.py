"""RRDBNet, the ESRGAN generator (Wang et al. 2018). Layer names follow Real-ESRGAN/BasicSR."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import check_scale, conv


def _lrelu() -> layers.LeakyReLU:
    return layers.LeakyReLU(negative_slope=0.2)


def _dense_block(x: keras.KerasTensor, filters: int, growth: int, prefix: str) -> keras.KerasTensor:
    """Residual dense block: five convs with dense connections, output scaled by 0.2."""
    features = [x]
    for i in range(1, 5):
        inp = features[0] if len(features) == 1 else layers.Concatenate()(features)
        features.append(_lrelu()(conv(growth, 3, f"{prefix}.conv{i}")(inp)))
    out = conv(filters, 3, f"{prefix}.conv5")(layers.Concatenate()(features))
    return layers.Add()([x, layers.Rescaling(0.2)(out)])


def rrdb(scale: int = 4, num_blocks: int = 23, filters: int = 64, growth: int = 32) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]: RRDB trunk, then nearest x2 + conv twice.

    x2 uses Real-ESRGAN's pixel-unshuffle of the input (the trunk then runs at half resolution),
    so an x2 input needs even height and width.
    """
    check_scale("rrdb", scale, (2, 4))
    lr = keras.Input((None, None, 3), name="lr")
    x = lr if scale == 4 else ops.space_to_depth(lr, 2)
    first = conv(filters, 3, "conv_first")(x)
    x = first
    for b in range(num_blocks):
        y = x
        for r in range(1, 4):
            y = _dense_block(y, filters, growth, f"body.{b}.rdb{r}")
        x = layers.Add()([x, layers.Rescaling(0.2)(y)])
    x = layers.Add()([first, conv(filters, 3, "conv_body")(x)])
    for i in (1, 2):
        x = layers.UpSampling2D(2, interpolation="nearest")(x)
        x = _lrelu()(conv(filters, 3, f"conv_up{i}")(x))
    x = _lrelu()(conv(filters, 3, "conv_hr")(x))
    return keras.Model(lr, conv(3, 3, "conv_last")(x), name=f"rrdb_x{scale}")
