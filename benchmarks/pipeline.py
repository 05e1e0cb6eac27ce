"""LR/HR patch pairs per second for 512->2048 PNG pairs (x4, HR patch 128, batch 16).

Compares the tf.data pipeline (in memory, both cropping modes; streamed, decoding every pass) with
a naive Python loop that decodes with cv2 and crops per sample, in one run on this machine.
Target: >= 1,500 pairs/s on 2 cores.

    python benchmarks/pipeline.py [--pairs 16] [--batches 150]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.common import print_table, write_json  # noqa: E402
from pipelines.discovery import demo_files  # noqa: E402
from pipelines.training import TrainingData  # noqa: E402

SCALE, PATCH, BATCH = 4, 128, 16


def make_pairs(root: Path, count: int) -> None:
    """2048x2048 HR photos (demo photos resized, varied crops) and their 512x512 LR partners."""
    photos = [cv2.imread(str(p)) for p in demo_files("train")]
    rng = np.random.default_rng(0)
    (root / "hr").mkdir(parents=True)
    (root / "lr").mkdir()
    for i in range(count):
        photo = photos[i % len(photos)]
        h, w = photo.shape[:2]
        side = int(min(h, w) * rng.uniform(0.6, 1.0))
        y, x = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        hr = cv2.resize(photo[y:y + side, x:x + side], (2048, 2048), interpolation=cv2.INTER_CUBIC)
        lr = cv2.resize(hr, (512, 512), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(root / "hr" / f"{i:04d}.png"), hr)
        cv2.imwrite(str(root / "lr" / f"{i:04d}.png"), lr)


def time_tf(root: Path, mode: str, cache: str, batches: int) -> float:
    """Patch pairs per second after a warm-up (in memory, decoding happens before it)."""
    data = TrainingData(str(root), SCALE, PATCH, mode, crops_per_image=64, cache=cache)
    it = iter(data.dataset(BATCH))
    for _ in range(10):
        next(it)
    start = time.perf_counter()
    for _ in range(batches):
        next(it)
    return batches * BATCH / (time.perf_counter() - start)


def time_naive(root: Path, batches: int) -> float:
    """Decode LR and HR with cv2 for every sample, crop, stack: what a first script does."""
    names = sorted(p.name for p in (root / "hr").iterdir())
    rng = np.random.default_rng(0)
    p_lr = PATCH // SCALE
    start = time.perf_counter()
    for _ in range(batches):
        lrs, hrs = [], []
        for _ in range(BATCH):
            name = names[rng.integers(len(names))]
            lr = cv2.cvtColor(cv2.imread(str(root / "lr" / name)), cv2.COLOR_BGR2RGB)
            hr = cv2.cvtColor(cv2.imread(str(root / "hr" / name)), cv2.COLOR_BGR2RGB)
            y, x = rng.integers(0, lr.shape[0] - p_lr + 1, 2)
            lrs.append(lr[y:y + p_lr, x:x + p_lr])
            hrs.append(hr[y * SCALE:(y + p_lr) * SCALE, x * SCALE:(x + p_lr) * SCALE])
        np.stack(lrs), np.stack(hrs)
    return batches * BATCH / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=16)
    parser.add_argument("--batches", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_pairs(root, args.pairs)
        rows = [{"pipeline": name, "pairs_per_s": time_tf(root, mode, cache, args.batches)}
                for name, mode, cache in (
                    ("tf.data random crops, in memory", "random", "memory"),
                    ("tf.data grid, every patch, in memory", "grid", "memory"),
                    ("tf.data random crops, streamed (decode every pass)", "random", "none"))]
        rows.append({"pipeline": "naive python loop (cv2 decode per sample)",
                     "pairs_per_s": time_naive(root, 4)})
    naive = rows[-1]["pairs_per_s"]
    for row in rows:
        row["vs_naive"] = row["pairs_per_s"] / naive
    print(f"\n{args.pairs} PNG pairs 512->2048, x{SCALE}, HR patch {PATCH}, batch {BATCH}")
    print_table(rows, ["pipeline", "pairs_per_s", "vs_naive"])
    write_json("pipeline", {"pairs": args.pairs, "scale": SCALE, "patch": PATCH, "batch": BATCH,
                            "target_pairs_per_s": 1500, "rows": rows})


if __name__ == "__main__":
    main()
