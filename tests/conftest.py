"""Shared fixtures. Tests needing ../shared skip with a reason when it is absent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"

needs_shared = pytest.mark.skipif(not (DATA / "val" / "Set5").is_dir(),
                                  reason="../shared/data is absent (public benchmark images)")


def run_python(args: list[str], env: dict | None = None, timeout: int = 600,
               check: bool = True) -> subprocess.CompletedProcess:
    """Run ``python args...`` from the repository root (a fresh process, TF not yet initialised)."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT),
                **(env or {})}
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env, timeout=timeout,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                             f"{result.stderr[-3000:]}")
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark ``extended`` the cases a module lists in ``EXTENDED_CASES`` (test name -> parameter
    ids whose call took over ~10 s on the 2-core CI machine, while the same check runs by
    default on other cases); the default run deselects them (``-m "not extended"`` in
    pyproject.toml), ``python -m pytest -m extended`` runs them."""
    for item in items:
        extended = getattr(item.module, "EXTENDED_CASES", {}).get(item.originalname, ())
        callspec = getattr(item, "callspec", None)
        if callspec and set(callspec.id.split("-")) & set(extended):
            item.add_marker(pytest.mark.extended)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _seed_keras():
    """Deterministic weight initialisation in every test."""
    import keras
    keras.utils.set_random_seed(0)


def write_png(path: Path, image: np.ndarray) -> Path:
    """Write a uint8/uint16 image (H, W[, C]) as PNG with OpenCV (RGB order in, BGR on disk)."""
    import cv2
    path.parent.mkdir(parents=True, exist_ok=True)
    if image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_RGB2BGR if image.shape[2] == 3 else cv2.COLOR_RGBA2BGRA
        image = cv2.cvtColor(image, code)
    assert cv2.imwrite(str(path), image)
    return path
