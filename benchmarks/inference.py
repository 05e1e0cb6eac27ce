"""Inference throughput and memory: whole image vs tiles, self-ensemble, float32 vs bfloat16.

Output megapixels per second for EDSR-baseline and RRDB (x4) on this CPU, each configuration
in its own process (peak RSS is its own). bfloat16 is scored by its PSNR against the float32
output of the same weights (and against HR, on the demo photo, when --weights gives a trained
EDSR). Target: tiling overhead <= 15% at the default tile size.

    python benchmarks/inference.py [--edsr_size 600] [--rrdb_size 160] [--weights model.keras]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def lr_image(size: int):
    """A real photo (retina, 1411x1411) cropped to size x size, as uint8."""
    from pipelines.discovery import demo_files
    from sr_tf.image_io import read_image
    photo = read_image(next(p for p in demo_files("train") if p.name == "retina.jpg"))
    y0 = (photo.shape[0] - size) // 2
    return photo[y0:y0 + size, y0:y0 + size]


def child(spec: dict) -> dict:
    import keras
    import numpy as np
    keras.mixed_precision.set_global_policy(spec["precision"])
    from sr_tf.inference import Upscaler
    from sr_tf.models import build_generator
    keras.utils.set_random_seed(0)
    model = build_generator(spec["arch"], 4, **spec.get("kwargs", {}))
    if spec.get("weights"):
        # Copy weights into a model built under this precision: a loaded .keras file keeps the
        # dtype policy it was saved with, whatever the global policy says.
        model.set_weights(keras.saving.load_model(spec["weights"], compile=False).get_weights())
    image = lr_image(spec["size"])
    tile = spec["tile"] or 10 * spec["size"]          # None: one tile = whole image
    upscaler = Upscaler(model, 4, tile, spec["overlap"], spec["batch"], spec["ensemble"])
    upscaler(image[:64, :64])                         # trace
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(spec["repeats"]):
        start = time.perf_counter()
        out = upscaler.upscale_float(image).numpy()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    np.save(spec["out"], out)
    megapixels = out.shape[0] * out.shape[1] / 1e6
    return {"seconds": min(times), "mp_per_s": megapixels / min(times),
            "peak_rss_mb": peak / 1024, "run_extra_rss_mb": (peak - base) / 1024}


def psnr(a, b) -> float:
    import numpy as np
    mse = np.mean((np.clip(np.round(a), 0, 255) - np.clip(np.round(b), 0, 255)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255**2 / mse))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edsr_size", type=int, default=600)
    parser.add_argument("--ensemble_size", type=int, default=200)
    parser.add_argument("--rrdb_size", type=int, default=160)
    parser.add_argument("--weights", default=None, help="trained EDSR-baseline x4 .keras")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return

    import tempfile

    import numpy as np

    from benchmarks.common import print_table, write_json
    from sr_tf.inference import DEFAULT_OVERLAP, DEFAULT_TILE

    edsr = {"arch": "edsr", "size": args.edsr_size, "weights": args.weights}
    small = {**edsr, "size": args.ensemble_size}
    rrdb = {"arch": "rrdb", "size": args.rrdb_size}
    plan = [
        ("edsr_baseline", edsr, None, "float32", False),
        ("edsr_baseline", edsr, DEFAULT_TILE, "float32", False),
        ("edsr_baseline", edsr, 256, "float32", False),
        ("edsr_baseline", edsr, None, "mixed_bfloat16", False),
        ("edsr_baseline", edsr, DEFAULT_TILE, "mixed_bfloat16", False),
        ("edsr_baseline", small, None, "mixed_bfloat16", False),
        ("edsr_baseline", small, None, "mixed_bfloat16", True),
        ("rrdb", rrdb, None, "float32", False),
        ("rrdb", rrdb, 96, "float32", False),
        ("rrdb", rrdb, None, "mixed_bfloat16", False),
        ("rrdb", rrdb, 96, "mixed_bfloat16", False),
        # Memory vs image size: tiled peak memory follows the tile, whole-image grows with it.
        ("rrdb", {**rrdb, "size": 2 * args.rrdb_size}, None, "mixed_bfloat16", False),
        ("rrdb", {**rrdb, "size": 2 * args.rrdb_size}, 64, "mixed_bfloat16", False),
        ("rrdb", rrdb, 64, "mixed_bfloat16", False),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, base, tile, precision, ensemble) in enumerate(plan):
            spec = {**base, "tile": tile, "overlap": DEFAULT_OVERLAP, "batch": 4,
                    "precision": precision, "ensemble": ensemble, "repeats": args.repeats,
                    "out": f"{tmp}/{i}.npy"}
            out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                                 capture_output=True, text=True)
            if out.returncode:
                sys.exit(out.stderr[-3000:])
            row = {"model": name, "lr_size": base["size"], "tiles": tile or "whole",
                   "precision": precision, "ensemble": ensemble,
                   **json.loads(out.stdout.strip().splitlines()[-1])}
            rows.append(row)
            print(f"  {name} tiles={row['tiles']} {precision} ens={ensemble}: "
                  f"{row['seconds']:.2f} s", flush=True)
        outputs = [np.load(f"{tmp}/{i}.npy") for i in range(len(plan))]
        for i, row in enumerate(rows):
            same = [j for j, r in enumerate(rows) if r["model"] == row["model"]
                    and r["lr_size"] == row["lr_size"]]
            whole = next((j for j in same if rows[j]["tiles"] == "whole" and not
                          rows[j]["ensemble"] and rows[j]["precision"] == row["precision"]), None)
            fp32 = next((j for j in same if rows[j]["tiles"] == row["tiles"]
                         and rows[j]["precision"] == "float32" and not rows[j]["ensemble"]), None)
            if whole is not None:
                row["time_vs_whole"] = row["seconds"] / rows[whole]["seconds"]
                row["max_diff_vs_whole"] = float(np.abs(
                    np.clip(np.round(outputs[i]), 0, 255)
                    - np.clip(np.round(outputs[whole]), 0, 255)).max())
            if row["precision"] != "float32" and fp32 is not None:
                row["psnr_vs_fp32_db"] = psnr(outputs[i], outputs[fp32])
    print(f"\nx4 inference on a real photo crop (EDSR {args.edsr_size}^2, RRDB {args.rrdb_size}^2 "
          f"LR), default tile {DEFAULT_TILE}, overlap {DEFAULT_OVERLAP}, batch 4"
          + ("" if args.weights else "; random weights"))
    print_table(rows, ["model", "lr_size", "tiles", "precision", "ensemble", "mp_per_s",
                       "time_vs_whole", "max_diff_vs_whole", "psnr_vs_fp32_db", "peak_rss_mb"])
    write_json("inference", {"default_tile": DEFAULT_TILE, "overlap": DEFAULT_OVERLAP,
                             "weights": args.weights, "rows": rows})


if __name__ == "__main__":
    main()
