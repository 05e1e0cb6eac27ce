"""SAFMN, spatially-adaptive feature modulation (Sun et al. 2023; sunny2109/SAFMN, as spandrel
0.4.2 ships it). The model does not pad: at sizes that are not multiples of 8 its adaptive
max-pool bins are uneven, as PyTorch's. Layer names are the official module paths."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import conv
from sr_tf.layers.torch_activations import gelu
from sr_tf.layers.torch_resize import AdaptiveMaxPoolFraction, NearestResizeLike

LEVELS = 4


def _safm(x, name: str):
    """SAFM: four channel chunks; chunk i > 0 is max-pooled to 1 / 2^i size, convolved (3x3
    depthwise) and brought back by nearest upsampling; 1x1 ``aggr``, GELU, times the input."""
    chunk = x.shape[-1] // LEVELS
    out = []
    for i in range(LEVELS):
        part = x[..., i * chunk:(i + 1) * chunk]
        if i > 0:
            part = AdaptiveMaxPoolFraction(i)(part)
        part = layers.DepthwiseConv2D(3, padding="same", name=f"{name}.mfr.{i}")(part)
        out.append(NearestResizeLike()([part, x]) if i > 0 else part)
    return gelu(conv(x.shape[-1], 1, f"{name}.aggr")(layers.Concatenate()(out))) * x


def safmn(scale: int = 4, dim: int = 36, n_blocks: int = 8,
          ffn_scale: float = 2.0) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; ``dim`` a multiple of 4 (the SAFMN release: 36)."""
    if dim % LEVELS:
        raise ValueError(f"SAFMN dim must be a multiple of {LEVELS}; got {dim}")
    lr = keras.Input((None, None, 3), name="lr")
    x = skip = conv(dim, 3, "to_feat")(lr)
    for i in range(n_blocks):
        name = f"feats.{i}"
        x = _safm(layers.LayerNormalization(epsilon=1e-6, name=f"{name}.norm1")(x),
                  f"{name}.safm") + x
        y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}.norm2")(x)
        y = gelu(conv(int(dim * ffn_scale), 3, f"{name}.ccm.ccm.0")(y))
        x = conv(dim, 1, f"{name}.ccm.ccm.2")(y) + x
    sr = ops.depth_to_space(conv(3 * scale * scale, 3, "to_img.0")(x + skip), scale)
    return keras.Model(lr, sr, name=f"safmn_x{scale}")
