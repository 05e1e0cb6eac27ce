"""DITN weights: yongliuy/DITN names, which our layers use.

Read from keys and shapes: ``dim``, ``UFONE_blocks``, ``ITL_blocks``, ``SAL_blocks``,
``ffn_expansion_factor``, ``bias``, scale. Not stored: ``patch_size`` (the ITL patches), the
config's (official default 8) is used.
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices
from sr_tf.archs.window_keys import check_rgb, ratio

NAME = "ditn"
ITL = "UFONE.0.ITLs.0"
MARKERS = ("sft.weight", f"{ITL}.attn.temperature", f"{ITL}.ffn.project_in.weight",
           f"{ITL}.ffn.dwconv.weight", f"{ITL}.ffn.project_out.weight", "conv_after_body.weight",
           "upsample.0.weight")


def detect(state: StateDict) -> Detected | None:
    if not set(MARKERS) <= set(state):
        return None
    check_rgb(state, "DITN", "sft.weight")
    dim = int(state["sft.weight"].shape[0])
    kwargs = {
        "dim": dim,
        "UFONE_blocks": count_indices(state, r"^UFONE\.(\d+)\.ITLs\.0\.conv1\.weight$"),
        "ITL_blocks": count_indices(state, r"^UFONE\.0\.ITLs\.(\d+)\.conv1\.weight$"),
        "SAL_blocks": count_indices(state, r"^UFONE\.0\.SALs\.(\d+)\.conv1\.weight$"),
        "ffn_expansion_factor": ratio(state[f"{ITL}.ffn.project_in.weight"].shape[0] // 2, dim),
        "bias": f"{ITL}.attn.project_out.bias" in state}
    scale = math.isqrt(int(state["upsample.0.weight"].shape[0]) // 3)
    return Detected(NAME, scale, kwargs,
                    f"DITN x{scale}, dim {dim}, {kwargs['UFONE_blocks']} units of "
                    f"{kwargs['ITL_blocks']} ITL + {kwargs['SAL_blocks']} SAL blocks; patch_size "
                    "not stored: the config's (default 8) is used "
                    "(--model=ditn --config.model.kwargs.patch_size)")
