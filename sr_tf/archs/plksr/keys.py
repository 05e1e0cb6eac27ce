"""PLKSR state dicts (dslisleedh/PLKSR, spandrel ``PLKSR``): keys are our layer paths already.

Told from RealPLKSR (same ``feats.N`` layout) by the official typo ``channe_mixer``. Not stored:
``with_idt`` (config only, default False).
"""

from __future__ import annotations

import math

from sr_tf.archs.plksr.model import MIXERS
from sr_tf.archs.spec import Detected, StateDict, count_indices

NAME = "plksr"
LK_KEYS = {"PLK": "feats.1.lk.conv.weight", "RectSparsePLK": "feats.1.lk.mn_conv.weight"}


def detect(state: StateDict) -> Detected | None:
    if not {"feats.0.weight", "feats.1.refine.weight", "feats.1.channe_mixer.0.weight"} <= set(
            state):
        return None
    lk_type = next((t for t, key in LK_KEYS.items() if key in state), None)
    if lk_type is None:
        return None                  # SparsePLK ablation: not ported
    mixer = (state["feats.1.channe_mixer.0.weight"].shape[2],
             state["feats.1.channe_mixer.2.weight"].shape[2])
    ccm_type = next((t for t, kernels in MIXERS.items() if kernels == mixer), None)
    if ccm_type is None:
        return None
    dim = state["feats.0.weight"].shape[0]
    last = count_indices(state, r"^feats\.(\d+)\.weight$") - 1
    scale = math.isqrt(state[f"feats.{last}.weight"].shape[0] // 3)
    lk = state[LK_KEYS[lk_type]]
    kwargs = {"dim": dim, "n_blocks": last - 1, "ccm_type": ccm_type, "kernel_size": lk.shape[2],
              "split_ratio": lk.shape[0] / dim, "lk_type": lk_type,
              "use_ea": "feats.1.attn.f.0.weight" in state}
    return Detected(NAME, scale, kwargs,
                    f"PLKSR, {dim} dim, {last - 1} blocks, {ccm_type}, {lk_type} "
                    f"{lk.shape[2]}x{lk.shape[2]} (assumed: with_idt False), x{scale}")


def normalise(state: StateDict) -> StateDict:
    return state
