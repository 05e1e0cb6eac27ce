"""RealPLKSR state dicts (spandrel ``RealPLKSR``): keys are our layer paths already.

Told from PLKSR by ``channel_mixer`` (PLKSR's is misspelt ``channe_mixer``); layer norm by
``feats.1.layer_norm.*``, DySample by its ``to_img.init_pos`` buffer (dropped: rebuilt from the
scale). Not stored: ``norm_groups`` (config only, default 4).
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop

NAME = "realplksr"


def detect(state: StateDict) -> Detected | None:
    required = {"feats.0.weight", "feats.1.refine.weight", "feats.1.channel_mixer.0.weight",
                "feats.1.lk.conv.weight"}
    if not required <= set(state):
        return None
    dim = state["feats.0.weight"].shape[0]
    last = count_indices(state, r"^feats\.(\d+)\.weight$") - 1
    scale = math.isqrt(state[f"feats.{last}.weight"].shape[0] // 3)
    lk = state["feats.1.lk.conv.weight"]
    kwargs = {"dim": dim, "n_blocks": last - 2, "kernel_size": lk.shape[2],
              "split_ratio": lk.shape[0] / dim, "use_ea": "feats.1.attn.f.0.weight" in state,
              "dysample": "to_img.init_pos" in state,
              "layer_norm": "feats.1.layer_norm.weight" in state}
    options = [o for o in ("dysample", "layer_norm") if kwargs[o]]
    assumed = "" if kwargs["layer_norm"] else " (assumed: norm_groups 4)"
    return Detected(NAME, scale, kwargs,
                    f"RealPLKSR, {dim} dim, {last - 2} blocks, {lk.shape[2]}x{lk.shape[2]} "
                    f"kernel{''.join(', ' + o for o in options)}{assumed}, x{scale}")


def normalise(state: StateDict) -> StateDict:
    return drop(state, r"^to_img\.init_pos$")
