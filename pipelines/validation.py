"""Validation/evaluation data: whole images, LR made from HR by the standard degradation."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from absl import logging

from pipelines.discovery import demo_files
from sr_tf.degrade import bicubic_lr, modcrop
from sr_tf.image_io import DEFAULT_MAX_PIXELS, ImageError, list_images, read_image


@dataclass
class EvalPair:
    """One benchmark image: mod-cropped HR and its bicubic LR (uint8, grey kept as 1 channel)."""

    path: Path
    lr: np.ndarray
    hr: np.ndarray


def eval_images(source: str | os.PathLike) -> list[Path]:
    """Image files of an HR-only folder, or the demo validation photos for ``"demo"``."""
    if str(source) == "demo":
        return demo_files("val")
    folder = Path(source)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: evaluation folder not found")
    paths = list_images(folder)
    if not paths:
        raise FileNotFoundError(f"{folder}: no .png/.jpg/.bmp images in the evaluation folder")
    return paths


def iter_eval_pairs(source: str | os.PathLike, scale: int,
                    max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Iterator[EvalPair]:
    """Yield an :class:`EvalPair` per image of an HR-only folder (Set5, Set14, B100, Urban100).

    ``source="demo"`` uses the embedded demo photos. A file that cannot be read, decodes to more
    than ``max_pixels`` pixels (checked from its header), or leaves no pixel once cropped to a
    multiple of ``scale`` and shaved by ``scale`` on each side, is skipped with a warning naming
    it; an empty or missing folder is an error.
    """
    for path in eval_images(source):
        try:
            hr = read_image(path, keep_grey=True, max_pixels=max_pixels)
        except ImageError as err:
            logging.warning("skipping %s", err)
            continue
        if min(hr.shape[:2]) // scale * scale <= 2 * scale:
            logging.warning("skipping %s: %dx%d leaves no pixel to score at scale %d (border of "
                            "%d shaved)", path, hr.shape[1], hr.shape[0], scale, scale)
            continue
        hr = np.asarray(modcrop(hr, scale))
        yield EvalPair(path, bicubic_lr(hr, scale).numpy(), hr)
