"""Restormer's gated depthwise-conv feed-forward (GDFN), as Omni-SR and DITN use it."""

from __future__ import annotations

import keras

from sr_tf.layers.common import conv
from sr_tf.layers.depthwise import DepthwiseConv
from sr_tf.layers.torch_activations import gelu


def gated_dconv_feed_forward(x: keras.KerasTensor, hidden: int, name: str,
                             use_bias: bool) -> keras.KerasTensor:
    """``project_out(gelu(a) * b)`` with ``a, b`` the halves of ``dwconv(project_in(x))``
    (1x1 to ``2 hidden``, depthwise 3x3, 1x1 back): layers ``{name}.project_in`` ... (no
    residual)."""
    y = conv(2 * hidden, 1, f"{name}.project_in", use_bias=use_bias)(x)
    a, b = keras.ops.split(DepthwiseConv(3, use_bias=use_bias, name=f"{name}.dwconv")(y), 2,
                           axis=-1)
    return conv(x.shape[-1], 1, f"{name}.project_out", use_bias=use_bias)(gelu(a) * b)
