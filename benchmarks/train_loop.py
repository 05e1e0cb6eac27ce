"""Host overhead of the training loop: steps/s of the whole ``train()`` loop (data pipeline,
augmentation, loss, optimizer, EMA, distribution strategy, logging) against the bare compiled
step on a fixed batch, IMDN x4 at batch 16 and LR patches of 48 px, for several
``train.steps_per_call``. Precision and XLA as ``auto`` picks them on this machine.

    python benchmarks/train_loop.py [--steps 30] [--steps_per_call 1 8]
        [--result_name train_loop]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks.common import print_table, write_json  # noqa: E402
from configs import imdn  # noqa: E402
from sr_tf.hardware import choose_precision, choose_xla, cpu_flags, gpu_capabilities  # noqa: E402
from sr_tf.train_loop import build_trainer, train  # noqa: E402


def config(steps: int, steps_per_call: int):
    c = imdn.get_config()
    c.data.train = "demo"
    c.data.val = ""
    c.data.patch_size = 192              # LR 48 px at x4; batch 16 (the IMDN config's)
    c.train.steps = steps
    c.train.steps_per_call = steps_per_call
    c.train.progress = False
    return c


def bare_steps_per_s(steps: int, precision: str, xla: bool) -> float:
    """The compiled train step alone, on one fixed batch (no data, EMA or strategy)."""
    keras.mixed_precision.set_global_policy(precision)
    c = config(steps, 1)
    trainer, _ = build_trainer(c, steps)
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (c.train.batch_size, 192, 192, 3)).astype(np.uint8)
    batch = (tf.constant(hr[:, ::4, ::4]), tf.constant(hr),
             tf.constant(rng.integers(0, 8, c.train.batch_size).astype(np.uint8)))
    step = tf.function(trainer.train_step, jit_compile=xla)
    float(step(batch)["loss"])                       # trace and compile
    start = time.perf_counter()
    for _ in range(steps):
        logs = step(batch)
    float(logs["loss"])
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--steps_per_call", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--result_name", default="train_loop")
    args = parser.parse_args()
    gpus = gpu_capabilities()
    precision, why = choose_precision("auto", cpu_flags(), gpus)
    xla, why_xla = choose_xla(None, gpus)
    print(f"precision {precision} ({why}), XLA {xla} ({why_xla})", flush=True)
    bare = bare_steps_per_s(args.steps, precision, xla)
    rows = [{"loop": "bare compiled step", "steps_per_call": "", "steps_per_s": bare,
             "vs_bare": 1.0}]
    print(f"  bare step: {bare:.3f} steps/s", flush=True)
    for count in args.steps_per_call:
        with tempfile.TemporaryDirectory() as workdir:
            # The first call (tracing) is not timed: run count more steps than measured.
            measured = train(config(args.steps + count, count), workdir)["steps_per_s"]
        rows.append({"loop": "train()", "steps_per_call": count, "steps_per_s": measured,
                     "vs_bare": measured / bare})
        print(f"  train() steps_per_call={count}: {measured:.3f} steps/s", flush=True)
    columns = ["loop", "steps_per_call", "steps_per_s", "vs_bare"]
    print()
    print_table(rows, columns)
    write_json(args.result_name, {"model": "imdn x4", "batch": 16, "lr_patch": 48,
                                  "precision": precision, "xla": xla, "steps": args.steps,
                                  "rows": rows})


if __name__ == "__main__":
    main()
