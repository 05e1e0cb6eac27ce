"""Real-ESRGAN's second-order degradation (``RealESRGANModel.feed_data``), batched, in TF ops.

The sequence, with the step names the fixtures use::

    gt_usm  = USM(gt)
    s1_blur = filter2D(gt_usm, kernel1)            s2_blur = filter2D(., kernel2) if second blur
    s1_resize = interpolate(scale_factor=s)        s2_resize = interpolate(size=int(H/scale*s))
    s1_noise = Gaussian | Poisson (clipped)        s2_noise = Gaussian | Poisson
    s1_jpeg = DiffJPEG(clamp(.), q1)               final: [resize to H/scale + sinc] and JPEG,
                                                   in either order; lq = round(clamp(.) * 255)

Randomness is split as the official code splits it. Once per batch (:func:`draw_batch`):
resize up/down/keep and its scale, resize mode, Gaussian-or-Poisson, second blur, final order
and final mode, and the noise fields. Once per sample (:func:`draw_samples`, made in tf.data with
the kernels): sigma / Poisson scale, gray flag and the JPEG qualities (continuous floats).
Everything is a stateless function of seeds, so a resumed run degrades exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import tensorflow as tf

from sr_tf.degradations.filtering import filter2d
from sr_tf.degradations.jpeg import diff_jpeg
from sr_tf.degradations.kernels import X4PLUS_KERNELS, sample_kernels
from sr_tf.degradations.noise import add_gaussian_noise, add_poisson_noise, quantised
from sr_tf.degradations.resize import batch_mode
from sr_tf.degradations.usm import usm_sharp

UPDOWN = ("up", "down", "keep")
NOISE = ("gaussian", "poisson")
ORDERS = ("resize_sinc_then_jpeg", "jpeg_then_resize_sinc")
STEP_NAMES = ("gt_usm", "s1_blur", "s1_resize", "s1_noise", "s1_jpeg", "s2_blur", "s2_resize",
              "s2_noise", "final_first", "final_unrounded", "lq")


@dataclass(frozen=True)
class StageOptions:
    """One stage of ``feed_data`` (the yml's ``resize_prob``, ``noise_range`` ... or ``...2``)."""

    resize_prob: tuple[float, float, float] = (0.2, 0.7, 0.1)      # up, down, keep
    resize_range: tuple[float, float] = (0.15, 1.5)
    gaussian_noise_prob: float = 0.5
    noise_range: tuple[float, float] = (1.0, 30.0)
    poisson_scale_range: tuple[float, float] = (0.05, 3.0)
    gray_noise_prob: float = 0.4
    jpeg_range: tuple[float, float] = (30.0, 95.0)


@dataclass(frozen=True)
class DegradationOptions:
    """``train_realesrgan_x4plus.yml`` values by default."""

    scale: int = 4
    stage1: StageOptions = field(default_factory=StageOptions)
    stage2: StageOptions = field(default_factory=lambda: StageOptions(
        (0.3, 0.4, 0.3), (0.3, 1.2), 0.5, (1.0, 25.0), (0.05, 2.5), 0.4, (30.0, 95.0)))
    second_blur_prob: float = 0.8
    gt_size: int = 256


BATCH_UNIFORMS = 11
SAMPLE_UNIFORMS = 6


def _between(u: tf.Tensor, lo: float, hi: float) -> tf.Tensor:
    return lo + (hi - lo) * u


def _choice(u: tf.Tensor, probs) -> tf.Tensor:
    """Index drawn with probabilities ``probs`` from one uniform (``random.choices``)."""
    total, edges = sum(probs), []
    for p in probs[:-1]:
        edges.append((edges[-1] if edges else 0.0) + p / total)
    return tf.reduce_sum(tf.cast(u[..., None] >= tf.constant(edges, u.dtype), tf.int32), -1)


def _resize_scale(u_kind: tf.Tensor, u_scale: tf.Tensor, opt: StageOptions):
    updown = _choice(u_kind, opt.resize_prob)
    lo, hi = opt.resize_range
    scale = tf.where(updown == 0, _between(u_scale, 1.0, hi),
                     tf.where(updown == 1, _between(u_scale, lo, 1.0), tf.ones_like(u_scale)))
    return updown, scale


def draw_batch(u: tf.Tensor, options: DegradationOptions) -> dict[str, tf.Tensor]:
    """Per-batch choices from ``u[..., 11]`` uniforms (float64): see the module docstring."""
    u = tf.unstack(tf.cast(u, tf.float64), axis=-1)
    s1, s2 = options.stage1, options.stage2
    s1_updown, s1_scale = _resize_scale(u[0], u[1], s1)
    s2_updown, s2_scale = _resize_scale(u[5], u[6], s2)
    mode = lambda v: tf.minimum(tf.cast(v * 3, tf.int32), 2)
    return {"s1_updown": s1_updown, "s1_scale": s1_scale, "s1_mode": mode(u[2]),
            "s1_noise": tf.cast(u[3] >= s1.gaussian_noise_prob, tf.int32),
            "second_blur": u[4] < options.second_blur_prob,
            "s2_updown": s2_updown, "s2_scale": s2_scale, "s2_mode": mode(u[7]),
            "s2_noise": tf.cast(u[8] >= s2.gaussian_noise_prob, tf.int32),
            "final_order": tf.cast(u[9] >= 0.5, tf.int32), "final_mode": mode(u[10])}


def draw_samples(u: tf.Tensor, options: DegradationOptions) -> dict[str, tf.Tensor]:
    """Per-sample values from ``u[..., 6]`` uniforms: noise strengths, gray flags, qualities."""
    u = tf.cast(u, tf.float32)
    s1, s2 = options.stage1, options.stage2
    return {"s1_sigma": _between(u[..., 0], *s1.noise_range),
            "s1_poisson": _between(u[..., 0], *s1.poisson_scale_range),
            "s1_gray": tf.cast(u[..., 1] < s1.gray_noise_prob, tf.float32),
            "s1_jpeg": _between(u[..., 2], *s1.jpeg_range),
            "s2_sigma": _between(u[..., 3], *s2.noise_range),
            "s2_poisson": _between(u[..., 3], *s2.poisson_scale_range),
            "s2_gray": tf.cast(u[..., 4] < s2.gray_noise_prob, tf.float32),
            "final_jpeg": _between(u[..., 5], *s2.jpeg_range)}


@dataclass
class Plan:
    """Everything one batch's degradation uses: kernels ``[B, 21, 21]``, the per-batch and
    per-sample draws, the GT size and the noise seeds (shape ``[2]`` each)."""

    kernels: dict[str, tf.Tensor]
    batch: dict[str, tf.Tensor]
    samples: dict[str, tf.Tensor]
    gt_hw: tuple[tf.Tensor, tf.Tensor]
    seeds: tuple[tf.Tensor, tf.Tensor]
    scale: int = 4


def _noise(x: tf.Tensor, kind: tf.Tensor, sigma, poisson, gray, seed) -> tf.Tensor:
    return tf.cond(kind == 0, lambda: add_gaussian_noise(x, sigma, gray, seed),
                   lambda: add_poisson_noise(x, poisson, gray, seed))


def _jpeg(x: tf.Tensor, quality: tf.Tensor) -> tf.Tensor:
    return diff_jpeg(tf.clip_by_value(x, 0.0, 1.0), quality)


def _resize_sinc(x: tf.Tensor, plan: Plan) -> tf.Tensor:
    h, w = plan.gt_hw
    x = batch_mode(plan.batch["final_mode"], x, size=(h // plan.scale, w // plan.scale))
    return filter2d(x, plan.kernels["sinc_kernel"])


def _stage2_size(length: tf.Tensor, plan: Plan) -> tf.Tensor:
    """``int(length / scale * s)`` in float64, as Python computes it (float32 can differ)."""
    value = tf.cast(length, tf.float64) / plan.scale * tf.cast(plan.batch["s2_scale"], tf.float64)
    return tf.cast(value, tf.int32)


def _final(x: tf.Tensor, plan: Plan, first: bool) -> tf.Tensor:
    resize_first = tf.equal(plan.batch["final_order"], 0)
    if not first:
        resize_first = tf.logical_not(resize_first)
    return tf.cond(resize_first, lambda: _resize_sinc(x, plan),
                   lambda: _jpeg(x, plan.samples["final_jpeg"]))


STEPS: tuple[tuple[str, Callable[[tf.Tensor, Plan], tf.Tensor]], ...] = (
    ("s1_blur", lambda x, p: filter2d(x, p.kernels["kernel1"])),
    ("s1_resize", lambda x, p: batch_mode(p.batch["s1_mode"], x, scale_factor=p.batch["s1_scale"])),
    ("s1_noise", lambda x, p: _noise(x, p.batch["s1_noise"], p.samples["s1_sigma"],
                                     p.samples["s1_poisson"], p.samples["s1_gray"], p.seeds[0])),
    ("s1_jpeg", lambda x, p: _jpeg(x, p.samples["s1_jpeg"])),
    ("s2_blur", lambda x, p: tf.cond(p.batch["second_blur"],
                                     lambda: filter2d(x, p.kernels["kernel2"]), lambda: x)),
    ("s2_resize", lambda x, p: batch_mode(p.batch["s2_mode"], x, size=(
        _stage2_size(p.gt_hw[0], p), _stage2_size(p.gt_hw[1], p)))),
    ("s2_noise", lambda x, p: _noise(x, p.batch["s2_noise"], p.samples["s2_sigma"],
                                     p.samples["s2_poisson"], p.samples["s2_gray"], p.seeds[1])),
    ("final_first", lambda x, p: _final(x, p, first=True)),
    ("final_unrounded", lambda x, p: _final(x, p, first=False)),
    ("lq", lambda x, p: quantised(x)),
)


def degrade(gt: tf.Tensor, plan: Plan, stages: dict | None = None) -> tuple[tf.Tensor, tf.Tensor]:
    """(lq, gt_usm) of float ``[B, H, W, 3]`` GT in [0, 1]: the whole ``feed_data`` sequence.
    ``stages``, when given, receives every intermediate under its :data:`STEP_NAMES` name."""
    gt_usm = usm_sharp(gt)
    x = gt_usm
    for name, step in STEPS:
        x = tf.ensure_shape(step(x, plan), [None, None, None, 3])
        if stages is not None:
            stages[name] = x
    if stages is not None:
        stages["gt_usm"] = gt_usm
    return x, gt_usm


def paired_crop(lq: tf.Tensor, gts: list[tf.Tensor], gt_size: int, scale: int,
                u: tf.Tensor) -> tuple[tf.Tensor, list[tf.Tensor]]:
    """``paired_random_crop``: one (top, left) for the whole batch, drawn from ``u[2]``."""
    p = gt_size // scale
    room = tf.shape(lq)[1:3] - p + 1
    top, left = tf.unstack(tf.minimum(tf.cast(u * tf.cast(room, tf.float64), tf.int32), room - 1))
    lq = lq[:, top:top + p, left:left + p]
    return lq, [g[:, top * scale:top * scale + gt_size, left * scale:left * scale + gt_size]
                for g in gts]


def plan_from_seed(seed: tf.Tensor, kernels: dict[str, tf.Tensor], samples: dict[str, tf.Tensor],
                   gt_hw, options: DegradationOptions) -> Plan:
    """The batch's :class:`Plan` with its per-batch draws made from stateless ``seed``."""
    fold = lambda i: tf.random.experimental.stateless_fold_in(seed, i)
    u = tf.random.stateless_uniform([BATCH_UNIFORMS], fold(0), dtype=tf.float64)
    return Plan(kernels, draw_batch(u, options), samples, gt_hw, (fold(1), fold(2)),
                options.scale)


def crop_uniforms(seed: tf.Tensor) -> tf.Tensor:
    """The two uniforms of :func:`paired_crop` for the batch of ``seed``."""
    return tf.random.stateless_uniform(
        [2], tf.random.experimental.stateless_fold_in(seed, 3), dtype=tf.float64)


def degrade_batch(gt: tf.Tensor, kernels: dict[str, tf.Tensor], sample_u: tf.Tensor,
                  seed: tf.Tensor, options: DegradationOptions = DegradationOptions()):
    """One training batch: ``gt [B, H, W, 3]`` float in [0, 1] (H, W >= gt_size), its
    per-sample kernels and uniforms (``[B, 6]``) and the batch seed -> (lq, gt) cropped to
    ``gt_size`` (the pool and the USM of the crop are the caller's)."""
    gt = tf.convert_to_tensor(gt, tf.float32)
    shape = tf.shape(gt)
    plan = plan_from_seed(seed, kernels, draw_samples(sample_u, options), (shape[1], shape[2]),
                          options)
    lq, _ = degrade(gt, plan)
    lq, (gt,) = paired_crop(lq, [gt], options.gt_size, options.scale, crop_uniforms(seed))
    return lq, gt


def sample_draws(seed: tf.Tensor, kernel_options=X4PLUS_KERNELS,
                 with_params: bool = False) -> dict[str, tf.Tensor]:
    """One patch's per-sample draws, a stateless function of ``seed`` (made in tf.data): its
    three 21x21 kernels, the uniforms of :func:`draw_samples` and the seed itself (the first
    sample's seed keys the batch's own draws); ``with_params`` adds the drawn kernel parameters
    under ``kernel_params``."""
    fold = lambda i: tf.random.experimental.stateless_fold_in(seed, i)
    kernels, params = sample_kernels(fold(0), kernel_options)
    draws = {**kernels, "sample_u": tf.random.stateless_uniform([SAMPLE_UNIFORMS], fold(1)),
             "seed": seed}
    return {**draws, "kernel_params": params} if with_params else draws
