"""Upscale image files or folders: atomic writes, inputs never overwritten, bad files reported.

Outputs are ``<stem>_x<scale>.png``; inputs that share a stem (``a.png`` and ``a.jpg``) keep their
suffix in the name (``a_png_x4.png``, ``a_jpg_x4.png``), and any name still taken gets a number,
so no output replaces another.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from absl import logging
from tqdm import tqdm

from sr_tf.image_io import ImageError, list_images, read_image, write_image
from sr_tf.inference import Upscaler


def input_files(source: str | os.PathLike) -> list[Path]:
    """A single image file, or the images directly inside a folder."""
    source = Path(source)
    if source.is_file():
        return [source]
    if source.is_dir():
        files = list_images(source)
        if not files:
            raise FileNotFoundError(f"{source}: no .png/.jpg/.bmp images to upscale")
        return files
    raise FileNotFoundError(f"{source}: no such file or folder")


def output_paths(files: list[Path], output_dir: Path, scale: int) -> list[Path]:
    """One distinct output path per input (see the module docstring)."""
    stems = Counter(f.stem for f in files)
    taken: set[str] = set()
    paths = []
    for f in files:
        base = f.stem if stems[f.stem] == 1 else f"{f.stem}_{f.suffix.lstrip('.')}"
        name, n = f"{base}_x{scale}.png", 1
        while name.lower() in taken:
            n += 1
            name = f"{base}_{n}_x{scale}.png"
        taken.add(name.lower())
        paths.append(output_dir / name)
    return paths


def predict(upscaler: Upscaler, source: str | os.PathLike, output_dir: str | os.PathLike,
            progress: bool = True) -> tuple[list[Path], list[str]]:
    """Upscale every input to PNG in ``output_dir``; returns (written files, problems)."""
    files = input_files(source)
    output_dir = Path(output_dir)
    inputs = {f.resolve() for f in files}
    written, problems = [], []
    targets = output_paths(files, output_dir, upscaler.scale)
    for path, target in tqdm(list(zip(files, targets)), desc=f"upscale x{upscaler.scale}",
                             disable=not progress):
        if target.resolve() in inputs:
            problems.append(f"{path}: output {target} would overwrite an input; skipped")
            continue
        try:
            image = read_image(path)
        except ImageError as err:
            problems.append(str(err))
            continue
        write_image(target, upscaler(image))
        written.append(target)
    for problem in problems:
        logging.warning("%s", problem)
    return written, problems
