"""EDSR-PyTorch's MeanShift convs in state dicts (EDSR and RCAN keys share them)."""

from __future__ import annotations

import numpy as np

from sr_tf.layers.common import DIV2K_RGB_MEAN

# BasicSR's default img_range for EDSR and RCAN (their options use it too); no file stores it.
BASICSR_IMG_RANGE = 255.0


def mean_shift_weights(rgb_range: float) -> dict[str, np.ndarray]:
    """EDSR-PyTorch's frozen ``sub_mean``/``add_mean`` convs for ``rgb_range``: BasicSR files
    subtract the same DIV2K mean in ``forward`` and store nothing."""
    mean = (rgb_range * np.asarray(DIV2K_RGB_MEAN)).astype(np.float32)
    eye = np.eye(3, dtype=np.float32).reshape(3, 3, 1, 1)
    return {"sub_mean.weight": eye, "sub_mean.bias": -mean,
            "add_mean.weight": eye, "add_mean.bias": mean}


def stored_rgb_range(state: dict[str, np.ndarray]) -> float:
    """EDSR-PyTorch's ``rgb_range``, read from the stored ``sub_mean.bias = -rgb_range * mean``."""
    mean = np.asarray(DIV2K_RGB_MEAN)
    return round(float(-np.asarray(state["sub_mean.bias"]) @ mean / (mean @ mean)), 3)
