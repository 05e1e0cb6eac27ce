"""Map one case of BasicSR's golden fixtures (``fixtures/realesrgan/cases.json``) onto this
package: the adapter the equality tests use.

``replay_fixture_case(section, case, arrays)`` takes a section name (``kernels``,
``filter2d``, ``resize``, ``jpeg``, ``usm`` or ``pipeline``), the case's dict from
``cases.json`` and a mapping from the case's array names to numpy arrays (its ``arrays``
entries, loaded), and returns what the official code returned: the 21x21 float32 kernel, the
``out`` array, or for a pipeline case a dict of stage arrays under the fixture's names.
Pipeline stages are computed from the previous *stored* stage, except in bit-deterministic cases,
which run end to end from ``gt``; the noise steps of the noisy cases are our own draws (their
statistics are what can be compared).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import tensorflow as tf

from sr_tf.degradations.filtering import filter2d
from sr_tf.degradations.jpeg import diff_jpeg
from sr_tf.degradations.kernels import kernel_from_spec
from sr_tf.degradations.pipeline import NOISE, ORDERS, STEP_NAMES, STEPS, Plan, degrade
from sr_tf.degradations.resize import MODES, interpolate
from sr_tf.degradations.usm import usm_sharp

SECTIONS = ("kernels", "filter2d", "resize", "jpeg", "usm", "pipeline")


def _noise_fields(stage: dict, batch: int, prefix: str) -> tuple[dict, dict]:
    """Per-batch noise kind and per-sample strengths of one stage; ``none`` is Gaussian with
    sigma 0 (a clamp), as the fixtures define it."""
    noise = stage["noise"]
    kind = noise["type"]
    zeros = [0.0] * batch
    sigma = noise.get("sigma", zeros) if kind == "gaussian" else zeros
    poisson = noise.get("scale", zeros) if kind == "poisson" else zeros
    gray = noise.get("gray", zeros)
    return ({f"{prefix}_noise": tf.constant(NOISE.index("poisson" if kind == "poisson"
                                                       else "gaussian"))},
            {f"{prefix}_sigma": tf.constant(sigma, tf.float32),
             f"{prefix}_poisson": tf.constant(poisson, tf.float32),
             f"{prefix}_gray": tf.constant(gray, tf.float32)})


def pipeline_plan(case: dict, arrays: Mapping[str, np.ndarray], seed: int = 0) -> Plan:
    """The :class:`Plan` a pipeline case spells out (every random choice explicit)."""
    s1, s2, final = case["stage1"], case["stage2"], case["final"]
    batch_size = arrays["gt"].shape[0]
    batch = {"s1_scale": tf.constant(float(s1["scale"]), tf.float64),
             "s1_mode": tf.constant(MODES.index(s1["mode"])),
             "second_blur": tf.constant(bool(s2["second_blur"])),
             "s2_scale": tf.constant(float(s2["scale"]), tf.float64),
             "s2_mode": tf.constant(MODES.index(s2["mode"])),
             "final_order": tf.constant(ORDERS.index(final["order"])),
             "final_mode": tf.constant(MODES.index(final["mode"]))}
    samples = {"s1_jpeg": tf.constant(s1["jpeg"], tf.float32),
               "final_jpeg": tf.constant(final["jpeg"], tf.float32)}
    for prefix, stage in (("s1", s1), ("s2", s2)):
        per_batch, per_sample = _noise_fields(stage, batch_size, prefix)
        batch.update(per_batch)
        samples.update(per_sample)
    kernels = {k: tf.constant(arrays[k]) for k in ("kernel1", "kernel2", "sinc_kernel")}
    height, width = arrays["gt"].shape[1:3]
    seeds = (tf.constant([seed, 1], tf.int64), tf.constant([seed, 2], tf.int64))
    return Plan(kernels, batch, samples, (tf.constant(height), tf.constant(width)), seeds,
                scale=height // case["sizes"]["lq"][0])


def _replay_pipeline(case: dict, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    plan = pipeline_plan(case, arrays)
    gt = tf.constant(arrays["gt"])
    out: dict[str, tf.Tensor] = {}
    if case["bit_deterministic"]:
        degrade(gt, plan, out)
    else:
        out["gt_usm"] = usm_sharp(gt)
        for (name, step), previous in zip(STEPS, STEP_NAMES):
            out[name] = step(tf.constant(arrays[previous]), plan)
    crop = case["crop"]
    size, (top, left) = crop["gt_size"], crop["gt_top_left"]
    lq_size, (lq_top, lq_left) = size // plan.scale, crop["lq_top_left"]
    gt_crop = gt[:, top:top + size, left:left + size]
    out["gt_crop"] = gt_crop
    out["gt_usm_crop"] = usm_sharp(gt_crop)
    out["lq_crop"] = out["lq"][:, lq_top:lq_top + lq_size, lq_left:lq_left + lq_size]
    return {k: v.numpy() for k, v in out.items()}


def replay_fixture_case(section: str, case: dict, arrays: Mapping[str, np.ndarray]):
    """What the official code returned for ``case`` of ``section``, computed by sr_tf."""
    if section == "kernels":
        return kernel_from_spec(case).numpy().astype(np.float32)
    if section == "filter2d":
        return filter2d(arrays["image"], arrays["kernel"]).numpy()
    if section == "resize":
        how = {case["how"]: case["arg"]}
        return interpolate(arrays["image"], case["mode"], **how).numpy()
    if section == "jpeg":
        return diff_jpeg(arrays["image"], np.asarray(case["qualities"], np.float32)).numpy()
    if section == "usm":
        return usm_sharp(arrays["image"]).numpy()
    if section == "pipeline":
        return _replay_pipeline(case, arrays)
    raise ValueError(f"section must be one of {SECTIONS}, got {section!r}")
