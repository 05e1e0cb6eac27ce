"""Benchmark evaluation: per-image PSNR/SSIM (Y, shaved) and RGB PSNR for model and bicubic."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from pipelines.validation import EvalPair, iter_eval_pairs
from sr_tf import metrics
from sr_tf.image_io import DEFAULT_MAX_PIXELS, atomic_write_bytes, printable_name, to_uint8
from sr_tf.imresize import imresize_uint8
from sr_tf.inference import TiledUpscaler

COLUMNS = ("psnr_y", "ssim_y", "psnr_rgb", "bicubic_psnr_y", "bicubic_ssim_y", "bicubic_psnr_rgb")


def score(sr: tf.Tensor, hr: tf.Tensor, scale: int) -> dict[str, float]:
    """PSNR-Y, SSIM-Y and RGB PSNR of a uint8 SR image against HR, ``scale`` pixels shaved."""
    return {"psnr_y": float(metrics.psnr_y(sr, hr, scale)),
            "ssim_y": float(metrics.ssim_y(sr, hr, scale)),
            "psnr_rgb": float(metrics.psnr_rgb(sr, hr, scale))}


def super_resolve(upscaler: TiledUpscaler, lr: np.ndarray, ensemble: bool | None = None
                  ) -> tf.Tensor:
    """uint8 SR of an LR image; a greyscale (1-channel) LR runs as RGB and comes back grey."""
    if lr.shape[-1] == 1:
        sr = upscaler.upscale_float(np.repeat(lr, 3, axis=-1), ensemble=ensemble)
        return to_uint8(tf.reduce_mean(sr, axis=-1, keepdims=True))
    return upscaler(lr, ensemble=ensemble)


def evaluate_pair(upscaler: TiledUpscaler, pair: EvalPair, ensemble: bool | None = None
                  ) -> tuple[dict, tf.Tensor, tf.Tensor]:
    """(row of model and bicubic scores, SR image, bicubic image) for one benchmark image."""
    scale = upscaler.scale
    sr = super_resolve(upscaler, pair.lr, ensemble)
    bicubic = imresize_uint8(pair.lr, scale)
    row = {"image": printable_name(pair.path), **score(sr, pair.hr, scale)}
    row.update({f"bicubic_{k}": v for k, v in score(bicubic, pair.hr, scale).items()})
    return row, sr, bicubic


def mean_row(rows: list[dict]) -> dict:
    """The ``mean`` row over per-image rows."""
    return {"image": "mean", **{c: float(np.mean([r[c] for r in rows])) for c in COLUMNS}}


def evaluate_folder(upscaler: TiledUpscaler, folder: str | os.PathLike,
                    ensemble: bool | None = None, progress: bool = True,
                    max_pixels: int | None = DEFAULT_MAX_PIXELS) -> list[dict]:
    """Rows (one per image, then ``mean``) of model and bicubic scores on an HR-only folder;
    an HR image over ``max_pixels`` is skipped with a warning, like any unreadable file."""
    pairs = list(iter_eval_pairs(folder, upscaler.scale, max_pixels))
    desc = f"eval {Path(str(folder)).name} x{upscaler.scale}"
    rows = [evaluate_pair(upscaler, pair, ensemble)[0]
            for pair in tqdm(pairs, desc=desc, disable=not progress)]
    return rows + [mean_row(rows)] if rows else rows


def format_table(rows: list[dict]) -> str:
    """A plain-text table of evaluation rows."""
    header = f"{'image':<20}" + "".join(f"{c:>18}" for c in COLUMNS)
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(f"{row['image']:<20}" + "".join(f"{row[c]:>18.4f}" for c in COLUMNS))
    return "\n".join(lines)


def write_report(rows: list[dict], out_prefix: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``<prefix>.csv`` and ``<prefix>.json`` atomically (UTF-8); returns both paths.

    Image names are quoted as CSV needs (a name may hold a comma or a quote).
    """
    prefix = Path(out_prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = prefix.with_suffix(".csv"), prefix.with_suffix(".json")
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(("image",) + COLUMNS)
    writer.writerows([row["image"]] + [f"{row[c]:.6f}" for c in COLUMNS] for row in rows)
    atomic_write_bytes(csv_path, table.getvalue().encode())
    atomic_write_bytes(json_path, json.dumps(rows, indent=2).encode())
    return csv_path, json_path
