"""PyTorch activations as the official code calls them, for functional Keras graphs."""

from __future__ import annotations

import keras
from keras import layers


def gelu(x):
    """``nn.GELU()``: the exact erf form (``keras.ops.gelu`` defaults to the tanh one)."""
    return keras.activations.gelu(x, approximate=False)


def mish(x):
    """``nn.Mish()``: ``x * tanh(softplus(x))``."""
    return layers.Activation("mish")(x)
