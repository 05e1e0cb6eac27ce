"""RealPLKSR (dslisleedh/PLKSR ``RealPLKSR``, neosr's real-world variant, as spandrel 0.4.2 ships
it): PLKSR blocks with a Mish DCCM mixer and GroupNorm (or a channel LayerNorm in front), pixel
shuffle or DySample out. Layer names are the official module paths."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import conv
from sr_tf.layers.dysample import dysample as dysample_upsampler
from sr_tf.layers.plk import element_attention, partial_large_kernel, shuffle_plus_nearest
from sr_tf.layers.torch_activations import mish


def realplksr(scale: int = 4, dim: int = 64, n_blocks: int = 28, kernel_size: int = 17,
              split_ratio: float = 0.25, use_ea: bool = True, norm_groups: int = 4,
              dropout: float = 0.0, dysample: bool = False,
              layer_norm: bool = False) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]. ``dropout`` (Dropout2d before the last conv) only acts in
    training, as in the official code."""
    lr = keras.Input((None, None, 3), name="lr")
    x = conv(dim, 3, "feats.0")(lr)
    for i in range(1, n_blocks + 1):
        name = f"feats.{i}"
        skip = x
        if layer_norm:
            x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}.layer_norm")(x)
        x = mish(conv(dim * 2, 3, f"{name}.channel_mixer.0")(x))
        x = conv(dim, 3, f"{name}.channel_mixer.2")(x)
        x = partial_large_kernel(x, int(dim * split_ratio), kernel_size, f"{name}.lk.conv")
        if use_ea:
            x = element_attention(x, f"{name}.attn")
        x = conv(dim, 1, f"{name}.refine")(x)
        if not layer_norm:
            x = layers.GroupNormalization(norm_groups, epsilon=1e-5, name=f"{name}.norm")(x)
        x = x + skip
    if dropout:
        x = layers.SpatialDropout2D(dropout)(x)
    features = conv(3 * scale * scale, 3, f"feats.{n_blocks + 2}")(x)
    if not dysample:
        sr = shuffle_plus_nearest(features, lr, scale)
    else:
        # repeat_interleave of the channels, as slices (ops.repeat goes through 5-D tensors)
        x = features + ops.concatenate([lr[..., c:c + 1] for c in range(3)
                                        for _ in range(scale * scale)], axis=-1)
        sr = _dysample_out(x, scale)
    return keras.Model(lr, sr, name=f"realplksr_x{scale}")


def _dysample_out(x, scale: int):
    """``DySample(3 * s^2, 3, s, groups=4 for even s else 3, end_convolution=s != 1)``."""
    return dysample_upsampler(x, 3, scale, 3 if scale % 2 else 4, "to_img",
                              end_convolution=scale != 1)
