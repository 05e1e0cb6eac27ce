"""RCAN weights: EDSR-PyTorch names (``head.0``, ``body.G.body.B.body.3.conv_du.0``, ``tail.0.0``,
``sub_mean``; the official checkpoints), which our layers use, and BasicSR names (``conv_first``,
``body.G.residual_group.B.rcab.3.attention.1``, ``body.G.conv``, ``upsample.0``)."""

from __future__ import annotations

import numpy as np

from sr_tf.archs.spec import Detected, count_indices, drop, rename
from sr_tf.archs.mean_shift_keys import BASICSR_IMG_RANGE, mean_shift_weights, stored_rgb_range

NAME = "rcan"
_OFFICIAL = ("head.0.weight", "body.0.body.0.body.0.weight",
             "body.0.body.0.body.3.conv_du.0.weight", "tail.0.0.weight", "tail.1.weight")
_BASICSR = ("conv_first.weight", "body.0.residual_group.0.rcab.0.weight",
            "body.0.residual_group.0.rcab.3.attention.1.weight", "upsample.0.weight",
            "conv_last.weight")


def _basicsr(state: dict[str, np.ndarray]) -> bool:
    return set(_BASICSR) <= set(state)


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """BasicSR names -> EDSR-PyTorch names, which our layers use, plus BasicSR's mean shift.

    EDSR-PyTorch files store the mean shifts as frozen convs; they are imported as stored.
    """
    if not _basicsr(state):
        return state
    groups = count_indices(state, r"^body\.(\d+)\.conv\.weight$")
    blocks = count_indices(state, r"^body\.0\.residual_group\.(\d+)\.rcab\.0\.weight$")
    state = rename(drop(state, r"^mean$"), [
        (r"^conv_first\.", "head.0."),
        (r"^body\.(\d+)\.residual_group\.(\d+)\.rcab\.3\.attention\.1\.",
         r"body.\1.body.\2.body.3.conv_du.0."),
        (r"^body\.(\d+)\.residual_group\.(\d+)\.rcab\.3\.attention\.3\.",
         r"body.\1.body.\2.body.3.conv_du.2."),
        (r"^body\.(\d+)\.residual_group\.(\d+)\.rcab\.(\d+)\.", r"body.\1.body.\2.body.\3."),
        (r"^body\.(\d+)\.conv\.", rf"body.\1.body.{blocks}."),
        (r"^conv_after_body\.", f"body.{groups}."),
        (r"^upsample\.(\d+)\.", r"tail.0.\1."),
        (r"^conv_last\.", "tail.1.")])
    return {**state, **mean_shift_weights(BASICSR_IMG_RANGE)}


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if _basicsr(state):
        names, rgb_range = "BasicSR", BASICSR_IMG_RANGE
        note = "img_range 255 assumed: BasicSR files do not store it"
    elif set(_OFFICIAL) <= set(state) and "sub_mean.bias" in state:
        names, rgb_range = "EDSR-PyTorch", stored_rgb_range(state)
        note = "rgb_range read from the stored mean shift"
    else:
        return None
    state = normalise(state)
    groups = count_indices(state, r"^body\.(\d+)\.body\.0\.body\.0\.weight$")
    blocks = count_indices(state, r"^body\.0\.body\.(\d+)\.body\.0\.weight$")
    filters = state["head.0.weight"].shape[0]
    reduction = filters // state["body.0.body.0.body.3.conv_du.0.weight"].shape[0]
    stages = count_indices(state, r"^tail\.0\.(\d+)\.weight$") // 2 + 1
    scale = 3 if state["tail.0.0.weight"].shape[0] == 9 * filters else 2 ** stages
    kwargs = {"num_groups": groups, "num_blocks": blocks, "filters": filters,
              "reduction": reduction, "rgb_range": rgb_range}
    return Detected(NAME, scale, kwargs, f"RCAN ({names} names), {groups} groups x {blocks} "
                    f"blocks, {filters} filters, reduction {reduction}, x{scale}, rgb_range "
                    f"{rgb_range:g} ({note})")
