"""Upscale image files or folders: atomic writes, inputs never overwritten, bad files reported.

Outputs are ``<stem>_x<scale>.png``; inputs that share a stem (``a.png`` and ``a.jpg``) keep their
suffix in the name (``a_png_x4.png``, ``a_jpg_x4.png``), and any name still taken gets a number,
so no output replaces another.

One bad image never stops a batch: an unreadable file, an image over ``max_pixels`` (refused
from its header, before decoding), or one that runs out of memory or cannot be written is one
line in the problems and the next image goes on. When the output folder is the input folder,
the PNGs we wrote there before (marked by :func:`~sr_tf.image_io.write_image`) are not inputs,
so a rerun refreshes ``a_x4.png`` instead of making ``a_x4_x4.png``.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import tensorflow as tf
from absl import logging
from tqdm import tqdm

from sr_tf.errors import UserError
from sr_tf.image_io import (DEFAULT_MAX_PIXELS, list_images, read_image, write_image,
                            written_by_sr_tf)
from sr_tf.inference import TiledUpscaler


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


def _real(path: str | os.PathLike) -> Path:
    """The path with symlinks resolved; a symlink loop stays as it is (Path.resolve raises)."""
    return Path(os.path.realpath(path))


def _failure(path: Path, target: Path, err: BaseException) -> str:
    """One line for an image that could not be upscaled."""
    if isinstance(err, UserError):
        return str(err)
    if isinstance(err, (MemoryError, tf.errors.ResourceExhaustedError)):
        return f"{path}: out of memory while upscaling (lower infer.tile_size or infer.max_pixels)"
    return f"{target}: could not be written ({err.strerror or err})"     # OSError


def predict(upscaler: TiledUpscaler, source: str | os.PathLike, output_dir: str | os.PathLike,
            progress: bool = True, max_pixels: int | None = DEFAULT_MAX_PIXELS
            ) -> tuple[list[Path], list[str]]:
    """Upscale every input to PNG in ``output_dir``; returns (written files, problems)."""
    files = input_files(source)
    output_dir = Path(output_dir)
    if Path(source).is_dir() and _real(output_dir) == _real(source):
        ours = [f for f in files if written_by_sr_tf(f)]
        files = [f for f in files if f not in ours]
        if ours:
            logging.info("%s: %d images written here by sr_tf before are not inputs",
                         source, len(ours))
    inputs = {_real(f) for f in files}
    written, problems = [], []
    targets = output_paths(files, output_dir, upscaler.scale)
    for path, target in tqdm(list(zip(files, targets)), desc=f"upscale x{upscaler.scale}",
                             disable=not progress):
        if _real(target) in inputs:
            problems.append(f"{path}: output {target} would overwrite an input; skipped")
            continue
        try:
            write_image(target, upscaler(read_image(path, max_pixels=max_pixels)))
        except (UserError, OSError, MemoryError, tf.errors.ResourceExhaustedError) as err:
            problems.append(_failure(path, target, err))
            continue
        except Exception:   # a bug: its traceback is shown, and the batch still goes on
            logging.exception("%s: unexpected failure while upscaling; skipped", path)
            problems.append(f"{path}: unexpected failure (traceback above)")
            continue
        written.append(target)
    for problem in problems:
        logging.warning("%s", problem)
    return written, problems
