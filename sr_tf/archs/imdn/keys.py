"""IMDN weights of Zheng222/IMDN (``model/architecture.py``, ``IMDN``): ``fea_conv``, ``IMDBk.*``,
``c.0``, ``LR_conv``, ``upsampler.0``; the released checkpoints' ``module.`` prefix is already
stripped by the loader. Our layers use these names unchanged."""

from __future__ import annotations

import math

import numpy as np

from sr_tf.archs.spec import Detected, count_indices

NAME = "imdn"
_KEYS = {"fea_conv.weight", "IMDB1.c1.weight", "IMDB1.cca.conv_du.0.weight", "c.0.weight",
         "LR_conv.weight", "upsampler.0.weight"}


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if not _KEYS <= set(state):
        return None
    nf = state["fea_conv.weight"].shape[0]
    num_modules = count_indices(state, r"^IMDB(\d+)\.c1\.weight$") - 1     # IMDB1 .. IMDBn
    scale = math.isqrt(state["upsampler.0.weight"].shape[0] // 3)
    return Detected(NAME, scale, {"nf": nf, "num_modules": num_modules},
                    f"IMDN (Zheng222/IMDN names), {num_modules} modules, nf {nf}, x{scale}")
