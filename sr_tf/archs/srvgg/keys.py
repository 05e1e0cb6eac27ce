"""SRVGGNetCompact weights (Real-ESRGAN compact models, BasicSR ``srvgg_arch.py``): only
``body.N.weight`` and ``body.N.bias``, convs at even N, PReLU weights (``act_type='prelu'``) at
odd N. Our layers use these names unchanged."""

from __future__ import annotations

import math
import re

import numpy as np

from sr_tf.archs.spec import Detected, count_indices

NAME = "srvgg"
_KEY = re.compile(r"^body\.(\d+)\.(weight|bias)$")


def _is_layout(state: dict[str, np.ndarray]) -> bool:
    """Every key is ``body.N.weight|bias``: 4-D conv kernels at even N, 1-D PReLU weights at odd N.

    Bare ``body.N`` keys also occur in other layouts (EDSR-PyTorch's ``body.16`` conv); those have
    further keys (``head.*``, ``tail.*``, ``body.N.body.*``) and are not claimed.
    """
    if "body.0.weight" not in state:
        return False
    for key, value in state.items():
        match = _KEY.match(key)
        if not match:
            return False
        odd = int(match.group(1)) % 2
        if (odd and (match.group(2) == "bias" or value.ndim != 1)) or \
                (not odd and match.group(2) == "weight" and value.ndim != 4):
            return False
    return True


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    if not _is_layout(state):
        return None
    last = count_indices(state, r"^body\.(\d+)\.weight$") - 1
    num_feat = state["body.0.weight"].shape[0]
    num_conv = (last - 2) // 2
    outputs = state[f"body.{last}.weight"].shape[0]
    scale = math.isqrt(outputs // 3)
    # A PReLU has weights; ReLU and LeakyReLU(0.1) have none, so those two cannot be told apart.
    act_type = "prelu" if "body.1.weight" in state else "relu"
    note = "" if act_type == "prelu" else (" (ReLU or LeakyReLU: not stored in the weights; "
                                           "override with --config.model.kwargs.act_type)")
    return Detected(NAME, scale, {"num_feat": num_feat, "num_conv": num_conv, "act_type": act_type},
                    f"SRVGGNetCompact (Real-ESRGAN compact), {num_conv} convs, {num_feat} "
                    f"features, {act_type}{note}, x{scale}")
