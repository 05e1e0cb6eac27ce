"""``main.py --mode=degrade``: degrade a folder of HR images with the training pipeline's
Real-ESRGAN degradation, for a fixed real-world validation set or to see what a model trains on.

Image ``i`` (in sorted order) is degraded with the draws of seed ``(seed, i)``: the same images
and seed give the same LR files. Each LR is written as ``<name>.png`` with ``<name>.json``
beside it holding every drawn parameter. Existing files are never overwritten; an unreadable or
too small image is skipped with a warning.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import ml_collections
import numpy as np
import tensorflow as tf
from absl import logging

from sr_tf.degradations.config import degradation_options, kernel_options, min_side
from sr_tf.degradations.kernels import TYPES
from sr_tf.degradations.pipeline import (ORDERS, UPDOWN, degrade, draw_samples, plan_from_seed,
                                         sample_draws)
from sr_tf.degradations.resize import MODES
from sr_tf.errors import UserError
from sr_tf.image_io import ImageError, atomic_write_bytes, list_images, read_image, write_image


def _plain(value):
    """A JSON value of a tensor / numpy scalar (NaN -> None)."""
    value = np.asarray(value).item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def drawn_parameters(plan, params: dict) -> dict:
    """Every choice of one image's degradation, named as BasicSR's options name them."""
    b, s = plan.batch, {k: float(v[0]) for k, v in plan.samples.items()}
    noise = lambda stage: ({"type": "gaussian", "sigma": s[f"{stage}_sigma"]}
                           if int(b[f"{stage}_noise"]) == 0 else
                           {"type": "poisson", "scale": s[f"{stage}_poisson"]}) | {
        "gray": bool(s[f"{stage}_gray"])}
    kernel = lambda stage: {k.split("__")[1]: _plain(v) for k, v in params.items()
                            if k.startswith(f"{stage}__")} | {
        "type": TYPES[int(params[f"{stage}__type"])]}
    return {
        "kernel1": kernel("kernel1"), "kernel2": kernel("kernel2"), "sinc": kernel("final"),
        "stage1": {"resize": UPDOWN[int(b["s1_updown"])], "scale": float(b["s1_scale"]),
                   "mode": MODES[int(b["s1_mode"])], "noise": noise("s1"), "jpeg": s["s1_jpeg"]},
        "stage2": {"second_blur": bool(b["second_blur"]),
                   "resize": UPDOWN[int(b["s2_updown"])], "scale": float(b["s2_scale"]),
                   "mode": MODES[int(b["s2_mode"])], "noise": noise("s2")},
        "final": {"order": ORDERS[int(b["final_order"])], "mode": MODES[int(b["final_mode"])],
                  "jpeg": s["final_jpeg"]},
    }


def degrade_image(hr: np.ndarray, seed: tf.Tensor, config: ml_collections.ConfigDict
                  ) -> tuple[np.ndarray, dict]:
    """(uint8 LR, drawn parameters) of one uint8 ``[H, W, 3]`` HR image."""
    scale = config.model.scale
    options = degradation_options(config.degradation, scale)
    draws = sample_draws(seed, kernel_options(config.degradation), with_params=True)
    kernels = {k: draws[k][None] for k in ("kernel1", "kernel2", "sinc_kernel")}
    samples = draw_samples(draws["sample_u"][None], options)
    plan = plan_from_seed(seed, kernels, samples, hr.shape[:2], options)
    lq, _ = degrade(tf.constant(hr[None], tf.float32) / 255.0, plan)
    lr = tf.cast(tf.round(lq[0] * 255.0), tf.uint8).numpy()
    return lr, {"seed": [int(v) for v in seed.numpy()], "scale": scale,
                **drawn_parameters(plan, draws["kernel_params"])}


def degrade_folder(source: str | os.PathLike, output: str | os.PathLike,
                   config: ml_collections.ConfigDict) -> tuple[list[Path], list[str]]:
    """Degrade every image of ``source`` into ``output``; (written LR paths, problems)."""
    source, output = Path(source), Path(output)
    if not source.is_dir():
        raise UserError(f"{source}: HR folder not found")
    paths = list_images(source)
    if not paths:
        raise UserError(f"{source}: no .png/.jpg/.bmp images")
    written, problems = [], []
    smallest = min_side(config.degradation, config.model.scale)
    for index, path in enumerate(paths):
        target = output / f"{path.stem}.png"
        if target.exists() or target.with_suffix(".json").exists():
            problems.append(f"{target}: exists, not overwritten")
            logging.warning(problems[-1])
            continue
        try:
            hr = read_image(path)
        except ImageError as err:
            problems.append(str(err))
            logging.warning("skipping %s", err)
            continue
        if min(hr.shape[:2]) < smallest:
            problems.append(f"{path}: {hr.shape[1]}x{hr.shape[0]} is smaller than {smallest}")
            logging.warning("skipping %s", problems[-1])
            continue
        seed = tf.constant([config.train.seed, index], tf.int64)
        lr, params = degrade_image(hr, seed, config)
        write_image(target, lr)
        atomic_write_bytes(target.with_suffix(".json"),
                           json.dumps({"hr": str(path), **params}, indent=2).encode())
        written.append(target)
    return written, problems
