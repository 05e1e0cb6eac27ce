"""Check a config before any work starts, so a bad value ends with one clear line."""

from __future__ import annotations

import ml_collections

from sr_tf import archs
from sr_tf.degradations.config import min_side
from sr_tf.degradations.kernels import GRID
from sr_tf.degradations.usm import RADIUS
from sr_tf.errors import ConfigError
from sr_tf.models import DISCRIMINATORS

CHOICES = {
    "data.mode": ("random", "grid"),
    "data.layout": ("auto", "paired", "div2k", "hr_only", "demo"),
    "data.cache": ("auto", "memory", "none"),
    "data.degradation": ("bicubic", "realesrgan"),
    "train.optimizer": ("adam", "adamw"),
    "train.schedule": ("constant", "step", "cosine"),
    "train.precision": ("auto", "float32", "mixed_bfloat16", "mixed_float16"),
    "train.distribute": ("auto", "mirrored", "multi_worker", "default"),
    "gan.adversarial": ("vanilla", "relativistic"),
    "gan.discriminator": tuple(DISCRIMINATORS),
}


def check_config(c: ml_collections.ConfigDict, mode: str = "train") -> None:
    """Raise :class:`ConfigError` naming the first invalid config value (data and training
    settings are checked in ``train`` mode only)."""
    def need(ok: bool, message: str) -> None:
        if not ok:
            raise ConfigError(f"invalid config: {message}")

    for key, choices in CHOICES.items():
        section, name = key.split(".")
        value = c[section][name]
        need(value in choices, f"{key}={value!r}; choose from {', '.join(choices)}")

    arch = archs.find(c.model.name)
    need(arch is not None, f"model.name={c.model.name!r}; choose from "
         f"{', '.join(a.name for a in archs.ARCHITECTURES)}")
    scales = arch.scales
    need(c.model.scale in scales, f"model.scale={c.model.scale}; {c.model.name} supports {scales}")
    need(c.infer.tile_size > 0, f"infer.tile_size={c.infer.tile_size} must be positive")
    need(0 <= c.infer.overlap < c.infer.tile_size,
         f"infer.overlap={c.infer.overlap} must be >= 0 and smaller than infer.tile_size")
    need(c.infer.max_pixels > 0, f"infer.max_pixels={c.infer.max_pixels} must be positive")
    if mode != "train":
        return
    need(c.data.patch_size > 0 and c.data.patch_size % c.model.scale == 0,
         f"data.patch_size={c.data.patch_size} must be a positive multiple of model.scale")
    need(c.train.steps > 0, f"train.steps={c.train.steps} must be positive")
    need(c.train.batch_size > 0, f"train.batch_size={c.train.batch_size} must be positive")
    need(c.train.lr > 0, f"train.lr={c.train.lr} must be positive")
    need(0.0 <= c.train.ema_decay < 1.0, f"train.ema_decay={c.train.ema_decay} must be in [0, 1)")
    for key in ("log_every", "ckpt_every", "val_every", "image_every", "steps_per_call"):
        need(c.train[key] > 0, f"train.{key}={c.train[key]} must be positive")
    if c.data.degradation == "realesrgan":
        d = c.degradation
        need(arch.channels == "rgb",
             f"data.degradation=realesrgan needs an RGB generator, not {c.model.name}")
        need(d.gt_size % c.model.scale == 0 and d.gt_size <= c.data.patch_size,
             f"degradation.gt_size={d.gt_size} must be a multiple of model.scale and at most "
             f"data.patch_size={c.data.patch_size}")
        need(d.gt_size > RADIUS // 2,
             f"degradation.gt_size={d.gt_size} must be over {RADIUS // 2}: the {RADIUS}-tap USM "
             f"of the training targets reflect-pads by {RADIUS // 2}")
        smallest = min_side(d, c.model.scale)
        need(c.data.patch_size >= smallest,
             f"data.patch_size={c.data.patch_size} is too small for the Real-ESRGAN "
             f"degradation: its {GRID}x{GRID} blurs need images over {GRID // 2} px, and the "
             f"crop shrinks to {int(c.data.patch_size * d.resize_range[0])} px (x "
             f"degradation.resize_range[0]={d.resize_range[0]}) or "
             f"{c.data.patch_size // c.model.scale} px (/ model.scale); at least {smallest}")
