"""VDSR weights of twtygqyy/pytorch-vdsr: ``input``, ``residual_layer.N.conv``, ``output``."""

from __future__ import annotations

import numpy as np

from sr_tf.archs.spec import Detected, count_indices

NAME = "vdsr"


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if not {"input.weight", "output.weight", "residual_layer.0.conv.weight"} <= set(state):
        return None
    depth = count_indices(state, r"^residual_layer\.(\d+)\.conv\.weight$") + 2
    filters = state["input.weight"].shape[0]
    return Detected(NAME, None, {"depth": depth, "filters": filters},
                    f"VDSR (pytorch-vdsr names), {depth} layers, {filters} filters, Y channel")
