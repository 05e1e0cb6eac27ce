"""Speed of Real-ESRGAN's on-device degradation: degraded pairs per second (batch 12, GT 256,
the training-pair pool on), per-step cost of each op, and the time it adds to an RRDB x4 and an
SRVGG (realesr-general-x4v3 size) train step.

    python benchmarks/degradation.py [--steps 3] [--rounds 3] [--models rrdb,srvgg] [--readme]

``--readme`` writes the table into README.md (section ``degradation``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks.common import machine, markdown_table, print_table, update_readme, \
    write_json  # noqa: E402
from sr_tf.degradations import filtering, jpeg, noise, resize, usm  # noqa: E402
from sr_tf.degradations.pipeline import DegradationOptions, sample_draws  # noqa: E402
from sr_tf.degradations.training_pairs import RealESRGANPairs  # noqa: E402
from sr_tf.models import build_generator  # noqa: E402
from sr_tf.trainers import SRTrainer  # noqa: E402

BATCH, GT, SCALE = 12, 256, 4
MODELS = {"rrdb": {"num_blocks": 23, "filters": 64, "growth": 32},
          "srvgg": {"num_feat": 64, "num_conv": 32, "act_type": "prelu"}}


def run(fn):
    """One call of ``fn``, waited for (its outputs read back)."""
    return tf.nest.map_structure(lambda t: t.numpy(), fn())


def timed(fn, steps: int, trace: bool = True) -> float:
    """Seconds per call of a traced function (with ``trace``, a first call, with tracing, is
    made and not counted)."""
    if trace:
        run(fn)
    start = time.perf_counter()
    for _ in range(steps - 1):
        fn()
    run(fn)
    return (time.perf_counter() - start) / steps


def batches(patch: int) -> tuple[tuple, tuple]:
    """(bicubic batch, Real-ESRGAN batch) of random uint8 patches: HR ``patch``."""
    rng = np.random.default_rng(0)
    hr = tf.constant(rng.integers(0, 256, (BATCH, patch, patch, 3), dtype=np.uint8))
    lr = tf.constant(rng.integers(0, 256, (BATCH, GT // SCALE, GT // SCALE, 3), dtype=np.uint8))
    codes = tf.zeros([BATCH], tf.uint8)
    draws = [sample_draws(tf.constant([0, i], tf.int64)) for i in range(BATCH)]
    draws = {k: tf.stack([d[k] for d in draws]) for k in draws[0]}
    return (lr, hr[:, :GT, :GT], codes), (lr, hr, codes, draws)


def op_rows(steps: int) -> list[dict]:
    """Seconds per batch of each op on 12 x 256 x 256 x 3."""
    x = tf.random.uniform([BATCH, GT, GT, 3])
    kernels = tf.random.uniform([BATCH, 21, 21])
    seed, ones = tf.constant([1, 2], tf.int64), tf.ones([BATCH])
    ops = {"USM (51-tap, twice per step)": lambda: usm.usm_sharp(x),
           "filter2D 21x21 per sample": lambda: filtering.filter2d(x, kernels),
           "resize bicubic x0.6": lambda: resize.interpolate(x, "bicubic", scale_factor=0.6),
           "Gaussian noise": lambda: noise.add_gaussian_noise(x, ones, ones * 0, seed),
           "Poisson noise": lambda: noise.add_poisson_noise(x, ones, ones * 0, seed),
           "DiffJPEG": lambda: jpeg.diff_jpeg(x, ones * 50)}
    return [{"op": name, "ms": 1000 * timed(tf.function(fn), steps)} for name, fn in ops.items()]


def pairs_per_s(patch: int, steps: int) -> float:
    pairs = RealESRGANPairs(DegradationOptions(gt_size=GT), queue_size=180, batch_size=BATCH)
    _, batch = batches(patch)
    return BATCH / timed(tf.function(lambda: pairs(batch)), steps)


def step_rows(models: list[str], rounds: int) -> list[dict]:
    """Train-step seconds with bicubic pairs and with the degradation, per model: both steps
    traced first, then timed alternately (A B A B ...) for ``rounds`` rounds, medians kept; and
    the degradation alone (the ``RealESRGANPairs`` call of the same batch), which is what a step
    waits for when nothing overlaps it (one CPU, or a GPU without host round trips)."""
    plain, degraded = batches(GT)
    rows = []
    for name in models:
        steps = {}
        for kind, batch, pairs in (("bicubic", plain, None), ("realesrgan", degraded,
                                   RealESRGANPairs(DegradationOptions(gt_size=GT), 180, BATCH))):
            trainer = SRTrainer(build_generator(name, SCALE, **MODELS[name]), SCALE, pairs=pairs)
            trainer.optimizer = keras.optimizers.Adam(1e-4)
            step = tf.function(lambda trainer=trainer, batch=batch: trainer.train_step(batch))
            run(step)                                   # trace, first run
            steps[kind] = step
        times = {kind: [] for kind in steps}
        for _ in range(rounds):
            for kind, step in steps.items():
                times[kind].append(timed(step, 1, trace=False))
        row = {"model": name, "rounds": rounds,
               **{f"{kind}_step_s": statistics.median(t) for kind, t in times.items()}}
        row["added_s"] = row["realesrgan_step_s"] - row["bicubic_step_s"]
        row["added_pct"] = 100 * row["added_s"] / row["bicubic_step_s"]
        pairs = RealESRGANPairs(DegradationOptions(gt_size=GT), 180, BATCH)
        row["degradation_s"] = timed(tf.function(lambda: pairs(degraded)), 5)
        row["degradation_pct"] = 100 * row["degradation_s"] / row["bicubic_step_s"]
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3, help="timed calls per op / pair batch")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating timed train steps per model and kind")
    parser.add_argument("--models", default="rrdb,srvgg")
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    ops = op_rows(args.steps)
    print_table(ops, ["op", "ms"])
    throughput = [{"input": f"GT {GT} (batch {BATCH})", "pairs_per_s": pairs_per_s(GT, args.steps)},
                  {"input": f"400 crops -> GT {GT} (x4plus)",
                   "pairs_per_s": pairs_per_s(400, args.steps)}]
    print_table(throughput, ["input", "pairs_per_s"])
    models = [m for m in args.models.split(",") if m]
    steps = step_rows(models, args.rounds)
    columns = ["model", "rounds", "bicubic_step_s", "realesrgan_step_s", "added_s", "added_pct",
               "degradation_s", "degradation_pct"]
    if steps:
        print_table(steps, columns)
    write_json("degradation", {"ops": ops, "throughput": throughput, "train_steps": steps,
                               "batch": BATCH, "gt": GT})
    if args.readme:
        m = machine()
        text = (f"Measured on {m['cpu']} ({m['cores']} cores), TensorFlow {m['tensorflow']}, "
                f"{m['date']}; `python benchmarks/degradation.py`.\n\n"
                + markdown_table(throughput, ["input", "pairs_per_s"]) + "\n\n"
                + markdown_table(ops, ["op", "ms"]) + "\n\n" + markdown_table(steps, columns))
        update_readme("degradation", text)


if __name__ == "__main__":
    main()
