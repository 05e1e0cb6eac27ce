"""EDSR weights: EDSR-PyTorch names (``head.0``, ``body.N.body.0``, ``tail.0.0``; inputs in
[0, 255]) and BasicSR names (``conv_first``, ``body.N.conv1``, ``upsample.0``; ``img_range``)."""

from __future__ import annotations

import numpy as np

from sr_tf.weights.core import Detected, count_indices, drop, rename

NAME = "edsr"


def _basicsr(state: dict[str, np.ndarray]) -> bool:
    return "conv_first.weight" in state and "body.0.conv1.weight" in state


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if _basicsr(state):
        blocks = count_indices(state, r"^body\.(\d+)\.conv1\.weight$")
        first, names = state["conv_first.weight"], "BasicSR"
        stages = count_indices(state, r"^upsample\.(\d+)\.weight$") // 2 + 1
        up = state["upsample.0.weight"]
    elif {"head.0.weight", "body.0.body.0.weight", "tail.0.0.weight"} <= set(state):
        blocks = count_indices(state, r"^body\.(\d+)\.body\.0\.weight$")
        first, names = state["head.0.weight"], "EDSR-PyTorch"
        stages = count_indices(state, r"^tail\.0\.(\d+)\.weight$") // 2 + 1
        up = state["tail.0.0.weight"]
    else:
        return None
    filters = first.shape[0]
    ratio = up.shape[0] // filters
    scale = 3 if ratio == 9 else 2 ** stages
    # Not stored in the weights: the residual scaling (the released paper models, 256 filters,
    # use 0.1; the baselines 1.0) and the value range (both codebases run on [0, 255]).
    res_scale = 0.1 if filters >= 256 else 1.0
    kwargs = {"num_blocks": blocks, "filters": filters, "res_scale": res_scale, "rgb_range": 255.0}
    return Detected(NAME, scale, kwargs, f"EDSR ({names} names), {blocks} blocks, {filters} "
                    f"filters, x{scale}, res_scale {res_scale} (not stored in the weights: "
                    "override with --config.model.kwargs.res_scale)")


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """BasicSR names -> EDSR-PyTorch names, which our layers use; mean shifts dropped."""
    if _basicsr(state):
        blocks = count_indices(state, r"^body\.(\d+)\.conv1\.weight$")
        state = rename(state, [(r"^conv_first\.", "head.0."),
                               (r"^body\.(\d+)\.conv1\.", r"body.\1.body.0."),
                               (r"^body\.(\d+)\.conv2\.", r"body.\1.body.2."),
                               (r"^conv_after_body\.", f"body.{blocks}."),
                               (r"^upsample\.(\d+)\.", r"tail.0.\1."),
                               (r"^conv_last\.", "tail.1.")])
    return drop(state, r"^(sub_mean|add_mean|mean)(\.|$)")
