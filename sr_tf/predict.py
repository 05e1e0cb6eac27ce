"""Upscale image files or folders: atomic writes, inputs never overwritten, bad files reported."""

from __future__ import annotations

import os
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


def output_path(path: Path, output_dir: Path, scale: int) -> Path:
    """``<output_dir>/<stem>_x<scale>.png``."""
    return output_dir / f"{path.stem}_x{scale}.png"


def predict(upscaler: Upscaler, source: str | os.PathLike, output_dir: str | os.PathLike,
            progress: bool = True) -> tuple[list[Path], list[str]]:
    """Upscale every input to PNG in ``output_dir``; returns (written files, problems)."""
    files = input_files(source)
    output_dir = Path(output_dir)
    inputs = {f.resolve() for f in files}
    written, problems = [], []
    for path in tqdm(files, desc=f"upscale x{upscaler.scale}", disable=not progress):
        target = output_path(path, output_dir, upscaler.scale)
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
