"""What one architecture package provides, and the state-dict tools its key mapping uses.

An architecture lives in one folder, ``sr_tf/archs/<name>/``: its Keras builder (``model.py``),
its PyTorch key mapping and detection rule (``keys.py``), and an ``ARCH`` :class:`Architecture`
in its ``__init__.py``. :data:`sr_tf.archs.ARCHITECTURES` lists them; nothing registers itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import keras
import numpy as np

StateDict = dict[str, np.ndarray]


def claims_nothing(state: StateDict) -> None:
    """The ``detect`` of an architecture with no published weights layout that we read."""
    return None


def unchanged(state: StateDict) -> StateDict:
    """The ``normalise`` of an architecture whose official key names are our layer paths."""
    return state


@dataclass(frozen=True)
class Detected:
    """An architecture recognised from a state dict's keys and shapes."""

    name: str                        # the Architecture's name
    scale: int | None                # None: not stored in the weights (Y-channel models)
    kwargs: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class Architecture:
    """One generator architecture: how to build it, and how to read its PyTorch weights.

    ``detect(state)`` returns :class:`Detected` when ``state`` (an unwrapped state dict) is this
    architecture, else ``None``; it must not claim another architecture's files.
    ``normalise(state)`` renames the official keys (every naming the releases use) to our layer
    paths and drops buffers we recompute. ``config_only`` names hyper-parameters that no state
    dict stores: they come from the config (``--config.model.kwargs.NAME``), official defaults.
    """

    name: str                                    # --model name, configs/<name>.py
    build: Callable[..., keras.Model]            # build(scale=..., **kwargs); no scale for "y"
    scales: tuple[int, ...]
    detect: Callable[[StateDict], Detected | None] = claims_nothing
    normalise: Callable[[StateDict], StateDict] = unchanged
    channels: str = "rgb"                        # "rgb": RGB [0,1] in/out; "y": Y of bicubic LR
    config_only: tuple[str, ...] = ()

    @property
    def takes_scale(self) -> bool:
        return self.channels == "rgb"


def rename(state: StateDict, rules: list[tuple[str, str]]) -> StateDict:
    """Apply ``re.sub`` rules (pattern, replacement) in order to every key."""
    compiled = [(re.compile(p), r) for p, r in rules]
    out = {}
    for key, value in state.items():
        for pattern, replacement in compiled:
            key = pattern.sub(replacement, key)
        out[key] = value
    return out


def drop(state: StateDict, pattern: str) -> StateDict:
    """``state`` without the keys matching regular expression ``pattern`` (buffers we recompute)."""
    compiled = re.compile(pattern)
    return {k: v for k, v in state.items() if not compiled.search(k)}


def count_indices(state: StateDict, pattern: str) -> int:
    """1 + the largest integer captured by ``pattern`` in any key (0 when none match)."""
    compiled = re.compile(pattern)
    found = [int(m.group(1)) for k in state if (m := compiled.search(k))]
    return max(found) + 1 if found else 0
