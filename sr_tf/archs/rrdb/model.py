"""RRDBNet, the ESRGAN generator (Wang et al. 2018). Layer names follow Real-ESRGAN/BasicSR.

One builder covers the layouts the released and community files use: x1, x2, x4 and x8 by
nearest x2 + conv steps (the original ESRGAN code: none at x1, one at x2), Real-ESRGAN's
pixel-unshuffled inputs (x2 unshuffles by 2 and x1 by 4, then the x4 body), and ESRGAN+'s extra
residual paths (``plus``).
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from sr_tf.layers.common import (CropToScale, NearestUpsample, PadToMultiple, check_scale,
                                 conv)

SCALES = (1, 2, 4, 8)
# Real-ESRGAN/BasicSR's pixel unshuffle of the input at each scale (the body then runs x4).
DEFAULT_SHUFFLE = {1: 4, 2: 2}


def _lrelu() -> layers.LeakyReLU:
    return layers.LeakyReLU(negative_slope=0.2)


def _dense_block(x: keras.KerasTensor, filters: int, growth: int, prefix: str,
                 plus: bool) -> keras.KerasTensor:
    """Residual dense block: five convs with dense connections, output scaled by 0.2.

    ``plus`` (ESRGAN+): a 1x1 conv of the input is added to the second conv's output, and that
    sum to the fourth's.
    """
    features = [x]
    for i in range(1, 5):
        inp = features[0] if len(features) == 1 else layers.Concatenate()(features)
        out = _lrelu()(conv(growth, 3, f"{prefix}.conv{i}")(inp))
        if plus and i == 2:
            out = layers.Add()([out, conv(growth, 1, f"{prefix}.conv1x1", use_bias=False)(x)])
        elif plus and i == 4:
            out = layers.Add()([out, features[2]])
        features.append(out)
    out = conv(filters, 3, f"{prefix}.conv5")(layers.Concatenate()(features))
    return layers.Add()([x, layers.Rescaling(0.2)(out)])


def rrdb(scale: int = 4, num_blocks: int = 23, filters: int = 64, growth: int = 32,
         shuffle_factor: int | None = None, plus: bool = False) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]: RRDB trunk, then nearest x2 + conv per factor of 2.

    ``shuffle_factor``: the pixel unshuffle of the input; ``None`` is Real-ESRGAN's rule (x2 by
    2, x1 by 4, else none), 1 is none (the original ESRGAN x1 and x2 layouts). The trunk runs at
    ``1 / shuffle_factor`` resolution and upsamples by ``scale * shuffle_factor``; as in the
    official forward the input is reflect-padded to a multiple of the factor and the output
    cropped, so any input size works.
    """
    check_scale("rrdb", scale, SCALES)
    factor = DEFAULT_SHUFFLE.get(scale, 1) if shuffle_factor is None else shuffle_factor
    steps = math.log2(scale * factor)
    if factor not in (1, 2, 4) or not steps.is_integer() or scale * factor > 8:
        raise ValueError(f"rrdb x{scale} cannot pixel-unshuffle by {shuffle_factor}")
    lr = keras.Input((None, None, 3), name="lr")
    x = lr
    if factor > 1:
        x = ops.space_to_depth(PadToMultiple(factor)(lr), factor)
    first = conv(filters, 3, "conv_first")(x)
    x = first
    for b in range(num_blocks):
        y = x
        for r in range(1, 4):
            y = _dense_block(y, filters, growth, f"body.{b}.rdb{r}", plus)
        x = layers.Add()([x, layers.Rescaling(0.2)(y)])
    x = layers.Add()([first, conv(filters, 3, "conv_body")(x)])
    for i in range(1, int(steps) + 1):
        x = NearestUpsample(2)(x)
        x = _lrelu()(conv(filters, 3, f"conv_up{i}")(x))
    x = _lrelu()(conv(filters, 3, "conv_hr")(x))
    x = conv(3, 3, "conv_last")(x)
    if factor > 1:
        x = CropToScale(scale)([x, lr])
    return keras.Model(lr, x, name=f"rrdb_x{scale}")
