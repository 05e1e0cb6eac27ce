"""CARN / CARN-M weights (nmhkahn/CARN-pytorch): bare state dicts whose keys are our layer
names, including the frozen MeanShift convs (``sub_mean.shifter``, ``add_mean.shifter``)."""

from __future__ import annotations

from sr_tf.archs.carn.model import WIDTH
from sr_tf.archs.spec import Detected, StateDict, count_indices

NAME = "carn"


def detect(state: StateDict) -> Detected | None:
    """``sub_mean.shifter``, ``entry``, ``b1.c1.body.0`` and an ``upsample`` block. CARN-M
    has ``b1.b1.body.4`` (the efficient residual block's 1x1 conv); ``group`` is read from the
    grouped convs' input width. Multi-scale files (``upsample.up2/up3/up4``) serve x2, x3 and
    x4; x4 is assumed."""
    needed = {"sub_mean.shifter.weight", "entry.weight", "b1.c1.body.0.weight",
              "add_mean.shifter.weight"}
    if not needed <= set(state):
        return None
    multi_scale = "upsample.up2.body.0.weight" in state
    variant = "carn_m" if "b1.b1.body.4.weight" in state else "carn"
    if multi_scale:
        scale, first = 4, state["upsample.up4.body.0.weight"]
    else:
        first = state["upsample.up.body.0.weight"]
        convs = count_indices(state, r"^upsample\.up\.body\.(\d+)\.weight$") // 3 + 1
        scale = 3 if first.shape[0] == 9 * WIDTH else 2 ** convs
    group = WIDTH // first.shape[1]
    scales = "multi-scale x2/x3/x4 (x4 assumed; one file serves all three)" if multi_scale \
        else f"x{scale}"
    return Detected(NAME, scale, {"variant": variant, "multi_scale": multi_scale,
                                  "group": group},
                    f"{'CARN-M' if variant == 'carn_m' else 'CARN'}, group {group}, {scales}")


def normalise(state: StateDict) -> StateDict:
    return state
