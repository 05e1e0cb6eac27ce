"""RDN weights: EDSR-PyTorch names (``SFENet1``, ``RDBs.d.convs.c.conv.0``, ``RDBs.d.LFF``,
``GFF.0``, ``UPNet.0``), which our layers use as they are."""

from __future__ import annotations

import numpy as np

from sr_tf.archs.rdn.model import CONFIGS
from sr_tf.archs.spec import Detected, count_indices

NAME = "rdn"
_KEYS = ("SFENet1.weight", "SFENet2.weight", "RDBs.0.convs.0.conv.0.weight", "RDBs.0.LFF.weight",
         "GFF.0.weight", "UPNet.0.weight")


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if not set(_KEYS) <= set(state):
        return None
    arch = {"num_blocks": count_indices(state, r"^RDBs\.(\d+)\.LFF\.weight$"),
            "num_layers": count_indices(state, r"^RDBs\.0\.convs\.(\d+)\.conv\.0\.weight$"),
            "growth": state["RDBs.0.convs.0.conv.0.weight"].shape[0]}
    filters = state["SFENet1.weight"].shape[0]
    if "UPNet.4.weight" in state:
        scale = 4
    else:
        scale = round(np.sqrt(state["UPNet.0.weight"].shape[0] / arch["growth"]))
    named = [f"config {k}, " for k, v in CONFIGS.items() if v == arch and filters == 64]
    # Not stored in the weights: the value range. EDSR-PyTorch runs on [0, 255].
    kwargs = {**arch, "filters": filters, "rgb_range": 255.0}
    return Detected(NAME, scale, kwargs, f"RDN (EDSR-PyTorch names), {''.join(named)}"
                    f"D={arch['num_blocks']} blocks, C={arch['num_layers']} layers, "
                    f"G={arch['growth']}, G0={filters}, x{scale}, rgb_range 255 (not stored in "
                    "the weights: override with --config.model.kwargs.rgb_range)")
