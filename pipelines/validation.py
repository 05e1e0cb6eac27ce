"""Validation/evaluation data: whole images. LR is made from HR by the standard degradation
(MATLAB bicubic), or read from the folder's ``lr/`` partner when it has ``lr/`` and ``hr/``
subfolders (a fixed real-world set written by ``--mode=degrade``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from absl import logging

from pipelines.discovery import demo_files, paired_dirs
from sr_tf.degrade import bicubic_lr, modcrop
from sr_tf.image_io import DEFAULT_MAX_PIXELS, ImageError, list_images, read_image


@dataclass
class EvalPair:
    """One benchmark image: mod-cropped HR and its LR (uint8, grey kept as 1 channel)."""

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
    """Yield an :class:`EvalPair` per image of an HR-only folder (Set5, Set14, B100, Urban100)
    or of a paired folder (``lr/`` and ``hr/``; partners share a file stem, the HR is cropped at
    the bottom/right to ``scale`` x LR, as ``--mode=degrade`` makes them).

    ``source="demo"`` uses the embedded demo photos. A file that cannot be read, decodes to more
    than ``max_pixels`` pixels (checked from its header), leaves no pixel once cropped to a
    multiple of ``scale`` and shaved by ``scale`` on each side, or (paired) has no partner or
    one of another size, is skipped with a warning naming it; an empty or missing folder is an
    error.
    """
    dirs = None if str(source) == "demo" else paired_dirs(Path(source))
    if dirs is not None:
        yield from _paired_eval_pairs(*dirs, scale, max_pixels)
        return
    for path in eval_images(source):
        try:
            hr = read_image(path, keep_grey=True, max_pixels=max_pixels)
        except ImageError as err:
            logging.warning("skipping %s", err)
            continue
        if _too_small(path, hr.shape[:2], scale):
            continue
        hr = np.asarray(modcrop(hr, scale))
        yield EvalPair(path, bicubic_lr(hr, scale).numpy(), hr)


def _too_small(path: Path, hr_size: tuple[int, int], scale: int) -> bool:
    if min(hr_size) // scale * scale > 2 * scale:
        return False
    logging.warning("skipping %s: %dx%d leaves no pixel to score at scale %d (border of %d "
                    "shaved)", path, hr_size[1], hr_size[0], scale, scale)
    return True


def _paired_eval_pairs(lr_dir: Path, hr_dir: Path, scale: int,
                       max_pixels: int | None) -> Iterator[EvalPair]:
    partners = {p.stem: p for p in list_images(lr_dir)}
    for path in eval_images(hr_dir):
        if path.stem not in partners:
            logging.warning("skipping %s: no LR partner named %s.* in %s", path, path.stem, lr_dir)
            continue
        try:
            hr = read_image(path, keep_grey=True, max_pixels=max_pixels)
            lr = read_image(partners[path.stem], keep_grey=True, max_pixels=max_pixels)
        except ImageError as err:
            logging.warning("skipping %s", err)
            continue
        (h, w), (lh, lw) = hr.shape[:2], lr.shape[:2]
        if h // scale != lh or w // scale != lw or hr.shape[2] != lr.shape[2]:
            logging.warning("skipping %s: HR %dx%dx%d is not x%d of LR %s (%dx%dx%d)", path, w,
                            h, hr.shape[2], scale, partners[path.stem], lw, lh, lr.shape[2])
            continue
        if not _too_small(path, (h, w), scale):
            yield EvalPair(path, lr, hr[:lh * scale, :lw * scale])
