"""Parameters, forward time and peak memory of every model on a 128x128 input, float32 vs bf16.

Each (model, precision) runs in its own process so peak RSS is its own. The new architectures
take their size from configs/<name>.py (the official released sizes); the parameter count of
each is shown next to that of the official release it loads.

    python benchmarks/models.py [--size 128] [--repeats 3] [--models swinir,hat] [--readme]
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
# Every tensor of the official PyTorch model's parameters(), x4 (the EDSR-PyTorch mean shifts are
# 1x1 convs there, 24 parameters; BasicSR keeps them as buffers). SRResNet has no official code.
OFFICIAL_PARAMS = {
    "srcnn": (8_129, "SRCNN 9-1-5 (paper: 8,032 weights, + 97 biases)"),
    "vdsr": (664_704, "pytorch-vdsr"),
    "edsr_baseline": (1_517_595, "EDSR-PyTorch baseline"),
    "edsr_paper": (43_089_947, "EDSR-PyTorch, 32 blocks of 256"),
    "rrdb": (16_697_987, "ESRGAN RRDB_ESRGAN_x4"),
    "rcan": (15_592_379, "RCAN_BIX4"),
    "rdn": (22_271_107, "RDN_BIX4 (config B)"),
    "imdn": (715_176, "IMDN_x4"),
    "srvgg": (1_213_296, "realesr-general-x4v3"),
    "swinir": (11_900_199, "SwinIR-M classical x4"),
    "hat": (20_772_507, "HAT_SRx4"),
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
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "PRECISION"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args.size, args.repeats)))
        return

    from benchmarks.common import (machine, markdown_table, print_table, update_readme,
                                   write_json)
    runs = []
    for name in args.models.split(","):
        for precision in ("float32", "mixed_bfloat16"):
            out = subprocess.run([sys.executable, __file__, "--child", name, precision,
                                  "--size", str(args.size), "--repeats", str(args.repeats)],
                                 capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"  {name} {precision}: {runs[-1]['forward_s']:.3f} s", flush=True)
    rows = [model_row(name, runs) for name in dict.fromkeys(r["model"] for r in runs)]
    host = machine()
    title = (f"x4, one {args.size}x{args.size} LR input (SRCNN/VDSR: its bicubic upscale), "
             f"forward pass, best of {args.repeats}; {host['cpu']}, {host['cores']} cores, "
             f"TensorFlow {host['tensorflow']}, {host['date']}")
    columns = ["model", "params", "official_params", "official_release", "fp32_s", "bf16_s",
               "bf16_speedup", "peak_rss_mb_fp32", "peak_rss_mb_bf16"]
    print(f"\n{title}")
    print_table(rows, columns)
    write_json("models", {"machine": host, "lr_size": args.size, "scale": 4, "runs": runs,
                          "rows": rows})
    if args.readme:
        update_readme("models", f"{title}\n\n{markdown_table(rows, columns)}")


def model_row(name: str, runs: list[dict]) -> dict:
    """One table row: both precisions of ``name`` side by side, with the official count."""
    fp32, bf16 = (next(r for r in runs if r["model"] == name and r["precision"] == precision)
                  for precision in ("float32", "mixed_bfloat16"))
    official, release = OFFICIAL_PARAMS.get(name, (None, "no official code"))
    return {"model": name, "params": f"{fp32['params']:,}",
            "official_params": f"{official:,}" if official else "", "official_release": release,
            "fp32_s": fp32["forward_s"], "bf16_s": bf16["forward_s"],
            "bf16_speedup": fp32["forward_s"] / bf16["forward_s"],
            "peak_rss_mb_fp32": fp32["peak_rss_mb"], "peak_rss_mb_bf16": bf16["peak_rss_mb"]}

if __name__ == "__main__":
    main()
