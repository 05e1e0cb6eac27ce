"""PyTorch tensor layouts that the generic key rule (:mod:`sr_tf.weights.core`) does not cover."""

from __future__ import annotations

import re

import numpy as np


def depthwise_kernels(state: dict[str, np.ndarray], pattern: str) -> dict[str, np.ndarray]:
    """``state`` with the depthwise conv kernels whose keys match ``pattern`` made ready for
    ``keras.layers.DepthwiseConv2D``: PyTorch stores ``(C, 1, kh, kw)`` (groups == C), which the
    generic OIHW -> HWIO rule would turn into ``(kh, kw, 1, C)``; swapping the first two axes
    here makes it ``(kh, kw, C, 1)``, Keras's depthwise layout."""
    compiled = re.compile(pattern)
    return {k: (v.transpose(1, 0, 2, 3) if compiled.search(k) and v.ndim == 4 else v)
            for k, v in state.items()}
