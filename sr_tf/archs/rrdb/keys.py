"""RRDBNet weights: Real-ESRGAN/BasicSR names (``body.N.rdbK.convJ``), which our layers use, and
the original ESRGAN names (``RRDB_trunk.N.RDBK``, ``trunk_conv``, ``upconvK``, ``HRconv``)."""

from __future__ import annotations

import numpy as np

from sr_tf.archs.spec import Detected, count_indices, rename

NAME = "rrdb"
_ESRGAN = [(r"^RRDB_trunk\.(\d+)\.RDB(\d)\.", r"body.\1.rdb\2."), (r"^trunk_conv\.", "conv_body."),
           (r"^upconv(\d)\.", r"conv_up\1."), (r"^HRconv\.", "conv_hr.")]


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    state = normalise(state)
    if not {"conv_first.weight", "body.0.rdb1.conv1.weight", "conv_up1.weight"} <= set(state):
        return None
    blocks = count_indices(state, r"^body\.(\d+)\.rdb1\.conv1\.weight$")
    filters = state["conv_first.weight"].shape[0]
    growth = state["body.0.rdb1.conv1.weight"].shape[0]
    # BasicSR pixel-unshuffles x2 (x1) inputs: 3 * 4 (3 * 16) input channels.
    scale = {3: 4, 12: 2, 48: 1}.get(state["conv_first.weight"].shape[1])
    return Detected(NAME, scale, {"num_blocks": blocks, "filters": filters, "growth": growth},
                    f"RRDBNet (ESRGAN), {blocks} blocks, {filters} filters, growth {growth}, "
                    f"x{scale}")


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return rename(state, _ESRGAN)
