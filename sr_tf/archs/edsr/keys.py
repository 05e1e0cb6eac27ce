"""EDSR weights: EDSR-PyTorch names (``head.0``, ``body.N.body.0``, ``tail.0.0``, the frozen
``sub_mean``/``add_mean`` convs), which our layers use, and BasicSR names (``conv_first``,
``body.N.conv1``, ``upsample.0``; the mean shift is computed in ``forward`` from ``img_range``)."""

from __future__ import annotations

import numpy as np

from sr_tf.archs.spec import Detected, count_indices, drop, rename
from sr_tf.archs.mean_shift_keys import BASICSR_IMG_RANGE, mean_shift_weights, stored_rgb_range

NAME = "edsr"


def _basicsr(state: dict[str, np.ndarray]) -> bool:
    return "conv_first.weight" in state and "body.0.conv1.weight" in state


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if not _basicsr(state) and not {"head.0.weight", "body.0.body.0.weight",
                                    "tail.0.0.weight"} <= set(state):
        return None
    names = "BasicSR" if _basicsr(state) else "EDSR-PyTorch"
    state = normalise(state)
    blocks = count_indices(state, r"^body\.(\d+)\.body\.0\.weight$")
    filters = state["head.0.weight"].shape[0]
    stages = count_indices(state, r"^tail\.0\.(\d+)\.weight$") // 2 + 1
    scale = 3 if state["tail.0.0.weight"].shape[0] == 9 * filters else 2 ** stages
    # Not stored in the weights: the residual scaling (the released paper models, 256 filters,
    # use 0.1; the baselines 1.0).
    res_scale = 0.1 if filters >= 256 else 1.0
    rgb_range = stored_rgb_range(state)
    kwargs = {"num_blocks": blocks, "filters": filters, "res_scale": res_scale,
              "rgb_range": rgb_range}
    return Detected(NAME, scale, kwargs, f"EDSR ({names} names), {blocks} blocks, {filters} "
                    f"filters, x{scale}, rgb_range {rgb_range:g}, res_scale {res_scale} (not "
                    "stored in the weights: override with --config.model.kwargs.res_scale)")


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """BasicSR names -> EDSR-PyTorch names, which our layers use. BasicSR files (and any file
    without mean-shift convs) get the standard shift for img_range 255."""
    if _basicsr(state):
        blocks = count_indices(state, r"^body\.(\d+)\.conv1\.weight$")
        state = rename(drop(state, r"^mean$"), [
            (r"^conv_first\.", "head.0."), (r"^body\.(\d+)\.conv1\.", r"body.\1.body.0."),
            (r"^body\.(\d+)\.conv2\.", r"body.\1.body.2."),
            (r"^conv_after_body\.", f"body.{blocks}."), (r"^upsample\.(\d+)\.", r"tail.0.\1."),
            (r"^conv_last\.", "tail.1.")])
    if "sub_mean.bias" not in state:
        state = {**state, **mean_shift_weights(BASICSR_IMG_RANGE)}
    return state
