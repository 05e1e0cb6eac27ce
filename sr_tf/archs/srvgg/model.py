"""SRVGGNetCompact, Real-ESRGAN's compact model (BasicSR ``srvgg_arch.py``): a plain stack of 3x3
convs at LR resolution, one pixel shuffle, plus the nearest-upsampled input. Layer names follow
BasicSR: ``body.N`` (convs at even N, activations at odd N)."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import NearestUpsample, check_scale, conv

ACTIVATIONS = ("prelu", "relu", "leakyrelu")


def _activation(act_type: str, name: str) -> layers.Layer:
    """The official activations: PReLU per channel (PyTorch init 0.25), ReLU, LeakyReLU(0.1)."""
    if act_type == "prelu":
        return layers.PReLU(keras.initializers.Constant(0.25), shared_axes=[1, 2], name=name)
    if act_type == "relu":
        return layers.ReLU(name=name)
    return layers.LeakyReLU(negative_slope=0.1, name=name)


def srvgg(scale: int = 4, num_feat: int = 64, num_conv: int = 16,
          act_type: str = "prelu") -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]: ``num_conv + 2`` convs, each but the last followed by
    ``act_type`` (prelu, relu or leakyrelu). realesr-general-x4v3: 64 features, 32 convs, prelu."""
    check_scale("srvgg", scale, (2, 3, 4))
    if act_type not in ACTIVATIONS:
        raise ValueError(f"srvgg act_type must be one of {', '.join(ACTIVATIONS)}; "
                         f"got {act_type!r}")
    lr = keras.Input((None, None, 3), name="lr")
    x = lr
    for i in range(num_conv + 1):
        x = _activation(act_type, f"body.{2 * i + 1}")(conv(num_feat, 3, f"body.{2 * i}")(x))
    x = ops.depth_to_space(conv(3 * scale * scale, 3, f"body.{2 * num_conv + 2}")(x), scale)
    base = NearestUpsample(scale)(lr)
    return keras.Model(lr, layers.Add()([x, base]), name=f"srvgg_x{scale}")
