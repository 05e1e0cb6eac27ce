"""Parameters, forward time and peak memory of every model on a 128x128 input, float32 vs bf16.

Each (model, precision) runs in its own process so peak RSS is its own. The new architectures
take their size from configs/<name>.py (the official released sizes).

    python benchmarks/models.py [--size 128] [--repeats 3] [--models swinir,hat]
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

MODELS = {
    "srcnn": ("srcnn", {}),
    "vdsr": ("vdsr", {}),
    "srresnet": ("srresnet", {}),
    "edsr_baseline": ("edsr", {}),
    "edsr_paper": ("edsr", {"num_blocks": 32, "filters": 256, "res_scale": 0.1}),
    "rrdb": ("rrdb", {}),
    **{name: (name, None) for name in ("rcan", "rdn", "imdn", "srvgg", "swinir", "hat")},
}


def architecture(name: str) -> tuple[str, dict]:
    """(generator name, kwargs); ``None`` kwargs mean: those of configs/<name>.py."""
    import importlib
    arch, kwargs = MODELS[name]
    if kwargs is None:
        kwargs = importlib.import_module(f"configs.{arch}").get_config().model.kwargs.to_dict()
    return arch, kwargs


def measure(name: str, precision: str, size: int, repeats: int) -> dict:
    """Run in a child process: build, warm up, time forward passes, report peak RSS."""
    import keras
    import numpy as np
    import tensorflow as tf

    from sr_tf.models import build_generator
    keras.mixed_precision.set_global_policy(precision)
    arch, kwargs = architecture(name)
    model = build_generator(arch, 4, **kwargs)
    channels = model.input_shape[-1]
    side = size * 4 if channels == 1 else size      # Y models take the bicubic-upscaled input
    x = tf.constant(np.random.default_rng(0).uniform(0, 1, (1, side, side, channels)), tf.float32)
    forward = tf.function(lambda t: model(t, training=False))
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    forward(x).numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        forward(x).numpy()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"model": name, "precision": precision, "params": model.count_params(),
            "forward_s": min(times), "peak_rss_mb": peak / 1024,
            "forward_extra_rss_mb": (peak - base_rss) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "PRECISION"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args.size, args.repeats)))
        return

    from benchmarks.common import print_table, write_json
    rows = []
    for name in args.models.split(","):
        for precision in ("float32", "mixed_bfloat16"):
            out = subprocess.run([sys.executable, __file__, "--child", name, precision,
                                  "--size", str(args.size), "--repeats", str(args.repeats)],
                                 capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"  {name} {precision}: {rows[-1]['forward_s']:.3f} s", flush=True)
    for row in rows:
        if row["precision"] == "mixed_bfloat16":
            fp32 = next(r for r in rows if r["model"] == row["model"] and r["precision"] == "float32")
            row["speedup_vs_fp32"] = fp32["forward_s"] / row["forward_s"]
    print(f"\nx4 models, one {args.size}x{args.size} LR input (Y models: its bicubic upscale)")
    print_table(rows, ["model", "precision", "params", "forward_s", "speedup_vs_fp32",
                       "peak_rss_mb", "forward_extra_rss_mb"])
    write_json("models", {"lr_size": args.size, "scale": 4, "rows": rows})


if __name__ == "__main__":
    main()
