"""EDSR-baseline x4 trained on T91 for a fixed wall-clock budget, then scored on Set5 and Set14.

Needs ../shared/data (T91, Set5, Set14). Target: >= 30.5 dB PSNR-Y on Set5 after 30 minutes on
a 2-core CPU (SRCNN's published level; bicubic is 28.42). Reports steps done, steps/s and the
validation PSNR curve.

    python benchmarks/train_quality.py [--minutes 30] [--precision mixed_bfloat16]
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


def config(minutes: float, precision: str, steps: int, workdir_val: str):
    c = edsr.get_config()
    c.data.train = str(DATA / "train" / "T91")
    c.data.val = workdir_val
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
    c.train.val_every = max(steps // 10, 1)
    c.train.image_every = max(steps // 2, 1)
    return c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--precision", default="mixed_bfloat16")
    parser.add_argument("--workdir", default="runs/train_quality")
    parser.add_argument("--steps_per_s", type=float, default=None,
                        help="expected speed, to size the cosine schedule (default: measured)")
    args = parser.parse_args()
    if not (DATA / "train" / "T91").is_dir():
        sys.exit(f"needs {DATA} (T91, Set5, Set14)")

    from sr_tf.evaluate import evaluate_folder
    from sr_tf.inference import Upscaler
    from sr_tf.train_loop import train

    workdir = Path(args.workdir)
    rate = args.steps_per_s
    if rate is None:      # a short timed run sizes the schedule so it anneals within the budget
        probe = config(1.5, args.precision, 100_000, "")
        probe.train.progress = False
        rate = train(probe, workdir / "probe")["steps_per_s"]
    steps = int(rate * args.minutes * 60 * 0.97)
    print(f"planning {steps} steps at ~{rate:.2f} steps/s for {args.minutes} minutes")
    start = time.time()
    result = train(config(args.minutes, args.precision, steps, str(DATA / "val" / "Set5")),
                   workdir / "run")
    elapsed = time.time() - start

    import keras
    model = keras.saving.load_model(workdir / "run" / "model.keras", compile=False)
    rows = []
    for name in ("Set5", "Set14"):
        mean = evaluate_folder(Upscaler(model, 4), DATA / "val" / name, progress=False)[-1]
        rows.append({"set": name, "psnr_y": mean["psnr_y"], "ssim_y": mean["ssim_y"],
                     "bicubic_psnr_y": mean["bicubic_psnr_y"]})
    curve = [json.loads(line) for line in
             (workdir / "run" / "validation.jsonl").read_text().splitlines()]
    print(f"\nEDSR-baseline x4 on T91, {args.precision}, {result['step']} steps in "
          f"{elapsed / 60:.1f} min ({result['step'] / elapsed:.2f} steps/s)")
    print_table(rows, ["set", "psnr_y", "ssim_y", "bicubic_psnr_y"])
    print("\nvalidation curve (Set5, EMA weights):")
    print_table([{"step": c["step"], "minutes": c["time_s"] / 60, "psnr_y": c["psnr_y"]}
                 for c in curve], ["step", "minutes", "psnr_y"])
    write_json("train_quality", {"minutes": args.minutes, "precision": args.precision,
                                 "steps": result["step"], "steps_per_s": result["step"] / elapsed,
                                 "target_set5_psnr_y": 30.5, "results": rows, "curve": curve})


if __name__ == "__main__":
    main()
