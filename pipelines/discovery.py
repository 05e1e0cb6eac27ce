"""Find LR/HR training pairs in the layouts users have, and check them before training starts.

Layouts (``layout="auto"`` picks the first that fits):
- ``paired``: ``root/lr/NAME`` with ``root/hr/NAME`` (the 512->2048 competition layout).
- ``div2k``: ``root/DIV2K_train_HR/0001.png`` with ``root/DIV2K_train_LR_bicubic/X4/0001x4.png``
  (also ``DIV2K_valid_*``).
- ``hr_only``: a folder of HR images; LR is made on the fly by MATLAB bicubic downscaling.
- ``demo``: scikit-image's bundled sample photos (HR-only), so a fresh install can train at once.

Skip-or-stop rule: a problem with one file (unreadable, not an image, a folder or symlink loop
named like an image, HR not exactly scale x LR, smaller than the patch, missing partner) skips
that file with a warning naming it; a missing or empty folder, or no usable pair at all, stops
with an error. ``strict=True`` stops at the first bad file instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from absl import logging

from sr_tf.errors import UserError
from sr_tf.image_io import ImageError, image_size, list_images

DEMO_TRAIN = ("chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
              "hubble_deep_field.jpg", "ihc.png", "retina.jpg")
DEMO_VAL = ("astronaut.png",)


class DataError(UserError):
    """The data cannot be used; the message names the folder or file and the problem."""


@dataclass(frozen=True)
class Pair:
    """One training example: an HR file and its LR partner (``None``: make LR from HR)."""

    hr: Path
    lr: Path | None = None


def demo_files(split: str = "train") -> list[Path]:
    """Paths of scikit-image's bundled photos used as the embedded default dataset."""
    import skimage
    root = Path(skimage.__file__).parent / "data"
    return [root / name for name in (DEMO_TRAIN if split == "train" else DEMO_VAL)]


def _div2k_pairs(root: Path, scale: int) -> list[Pair] | None:
    for split in ("train", "valid"):
        hr_dir = root / f"DIV2K_{split}_HR"
        lr_dir = root / f"DIV2K_{split}_LR_bicubic" / f"X{scale}"
        if hr_dir.is_dir() and lr_dir.is_dir():
            pairs = []
            for hr in list_images(hr_dir):
                pairs.append(Pair(hr, lr_dir / f"{hr.stem}x{scale}{hr.suffix}"))
            return pairs
    return None


def paired_dirs(root: Path) -> tuple[Path, Path] | None:
    """``(root/lr, root/hr)`` (or ``LR``/``HR``) when both folders exist."""
    for lr_name, hr_name in (("lr", "hr"), ("LR", "HR")):
        if (root / lr_name).is_dir() and (root / hr_name).is_dir():
            return root / lr_name, root / hr_name
    return None


def find_pairs(root: str | os.PathLike, scale: int, layout: str = "auto") -> list[Pair]:
    """List candidate pairs under ``root`` (``"demo"`` for the embedded photos)."""
    if str(root) == "demo" or layout == "demo":
        return [Pair(p) for p in demo_files("train")]
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: data folder not found")
    if layout in ("auto", "div2k"):
        pairs = _div2k_pairs(root, scale)
        if pairs is not None:
            return pairs
        if layout == "div2k":
            raise DataError(f"{root}: no DIV2K_train_HR + DIV2K_train_LR_bicubic/X{scale} folders")
    if layout in ("auto", "paired"):
        dirs = paired_dirs(root)
        if dirs is not None:
            lr_dir, hr_dir = dirs
            lr_names = {p.name for p in list_images(lr_dir)}
            pairs = [Pair(hr, lr_dir / hr.name) for hr in list_images(hr_dir)]
            for orphan in sorted(lr_names - {p.hr.name for p in pairs}):
                logging.warning("skipping %s: no HR partner in %s", lr_dir / orphan, hr_dir)
            return pairs
        if layout == "paired":
            raise DataError(f"{root}: expected lr/ and hr/ subfolders with equal file names")
    if layout not in ("auto", "hr_only"):
        raise DataError(f"unknown data layout {layout!r} (auto, paired, div2k, hr_only, demo)")
    return [Pair(p) for p in list_images(root)]


def check_pair(pair: Pair, scale: int, patch_size: int) -> str | None:
    """The problem with a pair (header-only checks), or ``None`` when it is usable."""
    try:
        hr_h, hr_w = image_size(pair.hr)
    except ImageError as err:
        return str(err)
    if pair.lr is None:
        if min(hr_h, hr_w) // scale * scale < patch_size:
            return f"{pair.hr}: {hr_w}x{hr_h} is smaller than the HR patch {patch_size}"
        return None
    if not pair.lr.is_file():
        return f"{pair.hr}: LR partner {pair.lr} is missing"
    try:
        lr_h, lr_w = image_size(pair.lr)
    except ImageError as err:
        return str(err)
    if (hr_h, hr_w) != (lr_h * scale, lr_w * scale):
        return (f"{pair.hr}: HR is {hr_w}x{hr_h} but LR {pair.lr.name} is {lr_w}x{lr_h}; "
                f"expected exactly x{scale}")
    if min(hr_h, hr_w) < patch_size:
        return f"{pair.hr}: {hr_w}x{hr_h} is smaller than the HR patch {patch_size}"
    return None


def usable_pairs(root: str | os.PathLike, scale: int, patch_size: int, layout: str = "auto",
                 strict: bool = False) -> list[Pair]:
    """Discover and check pairs; warn about (or, if ``strict``, stop at) each bad one."""
    if patch_size % scale:
        raise DataError(f"HR patch size {patch_size} must be a multiple of scale {scale}")
    pairs = find_pairs(root, scale, layout)
    if not pairs:
        raise DataError(f"{root}: no .png/.jpg/.bmp images found")
    good = []
    for pair in pairs:
        problem = check_pair(pair, scale, patch_size)
        if problem is None:
            good.append(pair)
        elif strict:
            raise DataError(problem)
        else:
            logging.warning("skipping %s", problem)
    if not good:
        raise DataError(f"{root}: none of the {len(pairs)} images is usable (see warnings above)")
    logging.info("%s: %d usable pairs (%d skipped)", root, len(good), len(pairs) - len(good))
    return good
