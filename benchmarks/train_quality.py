"""EDSR-baseline x4 trained on T91, scored on Set5 and Set14: a fixed-step run and a wall-clock run.

1. Fixed steps (default 2,000, cosine schedule over exactly that many): Set5 PSNR-Y at each
   validation. It does not depend on the machine's speed, so it compares code versions across
   machines.
2. Wall clock (default 30 minutes): the cosine schedule is sized from the speed measured in run 1
   so it anneals within the budget; Set5/Set14 at the end and the Set5 curve over time.

Needs ../shared/data (T91, Set5, Set14). Target: >= 30.5 dB PSNR-Y on Set5 after 30 minutes on a
2-core CPU (SRCNN's published level; bicubic is 28.42).

    python benchmarks/train_quality.py [--minutes 30] [--fixed_steps 2000] [--precision float32]
        [--result_name train_quality]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table, write_json  # noqa: E402
from configs import edsr  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def config(steps: int, precision: str, minutes: float = 0.0, val_every: int | None = None):
    c = edsr.get_config()
    c.data.train = str(DATA / "train" / "T91")
    c.data.val = str(DATA / "val" / "Set5")
    c.data.patch_size = 64
    c.data.crops_per_image = 16
    c.train.batch_size = 16
    c.train.lr = 5e-4
    c.train.schedule = "cosine"
    c.train.steps = steps
    c.train.max_minutes = minutes
    c.train.precision = precision
    c.train.ema_decay = 0.999
    c.train.log_every = 50
    c.train.ckpt_every = 500
    c.train.val_every = val_every or max(steps // 10, 1)
    c.train.image_every = max(steps // 2, 1)
    c.train.progress = False
    return c


def curve(workdir: Path) -> list[dict]:
    return [json.loads(line) for line in (workdir / "validation.jsonl").read_text().splitlines()]


def score(workdir: Path) -> list[dict]:
    """Set5 and Set14 means of the run's EMA generator (model.keras), model and bicubic."""
    import keras

    from sr_tf.evaluate import evaluate_folder
    from sr_tf.inference import Upscaler
    model = keras.saving.load_model(workdir / "model.keras", compile=False)
    rows = []
    for name in ("Set5", "Set14"):
        mean = evaluate_folder(Upscaler(model, 4), DATA / "val" / name, progress=False)[-1]
        rows.append({"set": name, "psnr_y": mean["psnr_y"], "ssim_y": mean["ssim_y"],
                     "bicubic_psnr_y": mean["bicubic_psnr_y"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--fixed_steps", type=int, default=2000)
    parser.add_argument("--precision", default="float32",
                        help="mixed_bfloat16 is faster only on CPUs with AMX/AVX512-BF16")
    parser.add_argument("--workdir", default="runs/train_quality")
    parser.add_argument("--result_name", default="train_quality",
                        help="benchmarks/results/<name>.json (e.g. train_quality_before)")
    args = parser.parse_args()
    if not (DATA / "train" / "T91").is_dir():
        sys.exit(f"needs {DATA} (T91, Set5, Set14)")
    from sr_tf.train_loop import train

    workdir = Path(args.workdir)
    fixed_dir, clock_dir = workdir / "fixed", workdir / "clock"
    start = time.time()
    fixed = train(config(args.fixed_steps, args.precision, val_every=args.fixed_steps // 4),
                  fixed_dir)
    fixed_minutes = (time.time() - start) / 60
    rate = fixed["steps_per_s"]
    steps = int(rate * args.minutes * 60 * 0.97)
    print(f"fixed run: {args.fixed_steps} steps in {fixed_minutes:.1f} min ({rate:.2f} steps/s); "
          f"planning {steps} steps for {args.minutes} minutes")
    start = time.time()
    clock = train(config(steps, args.precision, args.minutes), clock_dir)
    elapsed = time.time() - start

    fixed_rows, clock_rows = score(fixed_dir), score(clock_dir)
    print(f"\nEDSR-baseline x4 on T91, {args.precision}")
    print(f"\n1. fixed {args.fixed_steps} steps (cosine over {args.fixed_steps}), "
          f"{fixed_minutes:.1f} min:")
    print_table(fixed_rows, ["set", "psnr_y", "ssim_y", "bicubic_psnr_y"])
    print_table([{"step": c["step"], "psnr_y": c["psnr_y"]} for c in curve(fixed_dir)],
                ["step", "psnr_y"])
    print(f"\n2. {args.minutes} minutes: {clock['step']} steps ({clock['step'] / elapsed:.2f} "
          "steps/s)")
    print_table(clock_rows, ["set", "psnr_y", "ssim_y", "bicubic_psnr_y"])
    print("\nvalidation curve (Set5, EMA weights):")
    print_table([{"step": c["step"], "minutes": c["time_s"] / 60, "psnr_y": c["psnr_y"]}
                 for c in curve(clock_dir)], ["step", "minutes", "psnr_y"])
    write_json(args.result_name, {
        "precision": args.precision, "target_set5_psnr_y": 30.5,
        "fixed": {"steps": args.fixed_steps, "minutes": fixed_minutes, "steps_per_s": rate,
                  "results": fixed_rows, "curve": curve(fixed_dir)},
        "clock": {"minutes": args.minutes, "steps": clock["step"],
                  "steps_per_s": clock["step"] / elapsed, "results": clock_rows,
                  "curve": curve(clock_dir)}})


if __name__ == "__main__":
    main()
