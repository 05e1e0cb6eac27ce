"""EDSR-baseline x4 trained on T91, scored on Set5 and Set14: a fixed-step run and a wall-clock run.

1. Fixed steps (default 2,000, cosine schedule over exactly that many): Set5 PSNR-Y at each
   validation. It does not depend on the machine's speed, so it compares code versions across
   machines.
2. Wall clock (default 30 minutes): the cosine schedule is sized from the speed measured in run 1
   so it anneals within the budget; Set5/Set14 at the end and the Set5 curve over time.
3. ``--compare_precisions``: instead of 1 and 2, the fixed-step run in float32 and in
   mixed_bfloat16 (same seed, same batches), Set5/Set14 PSNR-Y of each EMA generator and their
   difference. Goal: bfloat16 within 0.05 dB of float32 on Set5.

Needs ../shared/data (T91, Set5, Set14). Target: >= 30.5 dB PSNR-Y on Set5 after 30 minutes on a
2-core CPU (SRCNN's published level; bicubic is 28.42).

    python benchmarks/train_quality.py [--minutes 30] [--fixed_steps 2000] [--precision float32]
        [--result_name train_quality]
    python benchmarks/train_quality.py --compare_precisions [--fixed_steps 2000]
        [--only float32|mixed_bfloat16]
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


# precision -> XLA. On CPUs without native bfloat16 (this project's AVX2 machines) TensorFlow's
# bfloat16 kernels are emulated: an EDSR-baseline step took 13.4 s against 1.13 s in float32,
# and 0.99 s in bfloat16 under XLA (2026-12-01). So the bfloat16 run uses XLA.
PRECISION_RUNS = {"float32": False, "mixed_bfloat16": True}


def precision_run(steps: int, precision: str, xla: bool, folder: Path) -> dict:
    """Train ``folder`` unless it holds a finished run; its minutes and steps/s."""
    finished = (folder / "model.keras").exists() and curve(folder)[-1]["step"] == steps
    if not finished:
        from sr_tf.train_loop import train
        c = config(steps, precision, val_every=steps // 4)
        c.train.xla = xla
        train(c, folder)
    seconds = curve(folder)[-1]["time_s"]
    return {"precision": precision, "xla": xla, "steps": steps, "minutes": seconds / 60,
            "steps_per_s": steps / seconds}


def compare_precisions(steps: int, workdir: Path, only: str | None) -> None:
    """Fixed-step runs in float32 and mixed_bfloat16, then (unless ``only``) both scored;
    writes results/train_precision.json. Finished runs in ``workdir`` are reused, so the two
    can be trained by separate processes."""
    runs = {p: (xla, workdir / (p + ("_xla" if xla else ""))) for p, xla in PRECISION_RUNS.items()}
    if only:
        precision_run(steps, only, *runs[only])
        return
    rows = []
    for precision, (xla, folder) in runs.items():
        run = precision_run(steps, precision, xla, folder)
        rows += [{**run, **row} for row in score(folder)]
    for row in rows:
        reference = next(r for r in rows if r["precision"] == "float32" and r["set"] == row["set"])
        row["delta_db"] = row["psnr_y"] - reference["psnr_y"]
    print(f"\nEDSR-baseline x4 on T91, {steps} steps each (cosine), EMA generator, PSNR-Y:")
    columns = ["precision", "xla", "set", "psnr_y", "ssim_y", "delta_db", "minutes", "steps_per_s"]
    print_table(rows, columns)
    set5 = next(r for r in rows if r["precision"] != "float32" and r["set"] == "Set5")
    print(f"\nSet5 bfloat16 - float32: {set5['delta_db']:+.3f} dB (goal: within 0.05 dB)")
    write_json("train_precision", {"steps": steps, "goal_db": 0.05, "results": rows,
                                   "curves": {p: curve(folder) for p, (_, folder) in runs.items()}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--fixed_steps", type=int, default=2000)
    parser.add_argument("--precision", default="float32",
                        help="mixed_bfloat16 is faster only on CPUs with AMX/AVX512-BF16")
    parser.add_argument("--workdir", default="runs/train_quality")
    parser.add_argument("--result_name", default="train_quality",
                        help="benchmarks/results/<name>.json (e.g. train_quality_before)")
    parser.add_argument("--compare_precisions", action="store_true",
                        help="fixed-step runs in float32 and mixed_bfloat16 only")
    parser.add_argument("--only", choices=sorted(PRECISION_RUNS),
                        help="with --compare_precisions: train this run, score nothing")
    args = parser.parse_args()
    if not (DATA / "train" / "T91").is_dir():
        sys.exit(f"needs {DATA} (T91, Set5, Set14)")
    if args.compare_precisions:
        compare_precisions(args.fixed_steps, Path(args.workdir) / "precision", args.only)
        return
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
