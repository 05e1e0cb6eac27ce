"""RRDBNet weights in the three namings the files use: Real-ESRGAN/BasicSR (``conv_first``,
``body.N.rdbK.convJ``, ``conv_body``, ``conv_upK``, ``conv_hr``, ``conv_last``), which our layers
use; xinntao/ESRGAN's later names and BSRGAN's (``RRDB_trunk.N.RDBK``, ``trunk_conv``,
``upconvK``, ``HRconv``); and the original ESRGAN ("old-arch") sequential layout most community
files keep (``model.0``; ``model.1.sub.N.RDBK.convJ.0``; the trunk conv ``model.1.sub.<blocks>``;
per x2 step an (upsample, conv, LeakyReLU) triple ``model.3``, ``model.6``, ...; then the HR conv
and the last conv two and four places after the last step), read as spandrel's ``ESRGAN`` does.
"""

from __future__ import annotations

import math
import re

import numpy as np

from sr_tf.archs.rrdb.model import DEFAULT_SHUFFLE
from sr_tf.archs.spec import Detected, count_indices, rename
from sr_tf.errors import WeightImportError

NAME = "rrdb"
_ESRGAN = [(r"^RRDB_trunk\.(\d+)\.RDB(\d)\.", r"body.\1.rdb\2."), (r"^trunk_conv\.", "conv_body."),
           (r"^upconv(\d)\.", r"conv_up\1."), (r"^HRconv\.", "conv_hr.")]
_OLD_BLOCK = [(r"^model\.1\.sub\.(\d+)\.RDB(\d)\.conv(\d)\.0\.", r"body.\1.rdb\2.conv\3."),
              (r"^model\.1\.sub\.(\d+)\.RDB(\d)\.conv1x1\.", r"body.\1.rdb\2.conv1x1.")]
_LAYERS = ("conv_first.weight", "body.0.rdb1.conv1.weight", "conv_body.weight", "conv_hr.weight",
           "conv_last.weight")


def _old_arch(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Old-arch ``model.*`` keys -> BasicSR names (keys of other variants are left as they are)."""
    blocks = count_indices(state, r"^model\.1\.sub\.(\d+)\.RDB1\.")
    last = count_indices(state, r"^model\.(\d+)\.weight$") - 1
    steps = (last - 4) // 3                     # model.0, model.1, the triples, HR conv, act, last
    state = rename(state, _OLD_BLOCK + [(rf"^model\.1\.sub\.{blocks}\.", "conv_body."),
                                        (r"^model\.0\.", "conv_first."),
                                        (rf"^model\.{3 * steps + 2}\.", "conv_hr."),
                                        (rf"^model\.{3 * steps + 4}\.", "conv_last.")])
    return rename(state, [(rf"^model\.{3 * i}\.", f"conv_up{i}.") for i in range(1, steps + 1)])


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if "model.0.weight" in state:
        return _old_arch(state)
    return rename(state, _ESRGAN)


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    names = "original ESRGAN" if "model.0.weight" in state else (
        "ESRGAN/BSRGAN" if "trunk_conv.weight" in state else "Real-ESRGAN/BasicSR")
    state = normalise(state)
    if not set(_LAYERS) <= set(state):
        return None
    in_channels = state["conv_first.weight"].shape[1]
    out_channels = state["conv_last.weight"].shape[0]
    if out_channels != 3 or in_channels not in (3, 12, 48):
        raise WeightImportError(f"RRDBNet weights with {in_channels} input and {out_channels} "
                                "output channels: only RGB (3-channel) models are supported")
    factor = math.isqrt(in_channels // 3)
    steps = sum(1 for key in state if re.match(r"conv_up\d+\.weight$", key))
    if 2 ** steps % factor or 2 ** steps > 8:
        raise WeightImportError(f"RRDBNet weights with {steps} upsampling steps and a pixel "
                                f"unshuffle by {factor}: not a layout we build")
    scale = 2 ** steps // factor
    kwargs = {"num_blocks": count_indices(state, r"^body\.(\d+)\.rdb1\.conv1\.weight$"),
              "filters": state["conv_first.weight"].shape[0],
              "growth": state["body.0.rdb1.conv1.weight"].shape[0]}
    if factor != DEFAULT_SHUFFLE.get(scale, 1):
        kwargs["shuffle_factor"] = factor
    if "body.0.rdb1.conv1x1.weight" in state:
        kwargs["plus"] = True
    unshuffle = f", pixel-unshuffled by {factor}" if factor > 1 else ""
    plus = "ESRGAN+ " if kwargs.get("plus") else ""
    return Detected(NAME, scale, kwargs,
                    f"{plus}RRDBNet (ESRGAN, {names} names), {kwargs['num_blocks']} blocks, "
                    f"{kwargs['filters']} filters, growth {kwargs['growth']}{unshuffle}, x{scale}")
