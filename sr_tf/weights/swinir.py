"""Placeholder: swinir weights (issue 10, in progress)."""

from __future__ import annotations

import numpy as np

from sr_tf.weights.core import Detected

NAME = "swinir"


def detect(state: dict[str, np.ndarray]) -> Detected | None:
    return None


def normalise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    raise NotImplementedError("swinir weights are not supported yet")
