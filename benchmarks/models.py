"""Parameters, forward time and peak memory of every registered architecture, x4.

The rows come from :data:`sr_tf.archs.ARCHITECTURES`, each at the size of its configs/<name>.py
(the official released size), except EDSR, shown at both official sizes (baseline and paper).
Each (model, precision) is timed in its own process so peak RSS is its own; ``--params_only``
builds every model in one process and only counts parameters (fast). The parameter count of
each is shown next to that of the official release it loads, with a note where they differ.

    python benchmarks/models.py [--size 128] [--repeats 3] [--models swinir,hat]
                                [--precisions float32,mixed_bfloat16] [--params_only] [--readme]
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCALE = 4
# Rows that are not simply "the architecture at its config's size": name -> (arch, kwargs).
SPECIAL_ROWS = {
    "edsr": {"edsr_baseline": {"num_blocks": 16, "filters": 64, "res_scale": 1.0},
             "edsr_paper": {"num_blocks": 32, "filters": 256, "res_scale": 0.1}},
}
BN_STATS = "non_trainable: BatchNorm running statistics, buffers in PyTorch"
SPANDREL = "official code as spandrel 0.4.2 ships it, at the config's kwargs"
# Every tensor of the official PyTorch model's parameters(), x4: (count, release, note on how
# ours differs). The EDSR-PyTorch mean shifts are 1x1 convs there, 24 parameters; BasicSR keeps
# them as buffers. SRResNet has no official code. The newer ones were counted once (torch, not a
# dependency) from spandrel's copy of the official class built with configs/<name>.py's kwargs.
# Empty where no official count was found.
OFFICIAL_PARAMS = {
    "srcnn": (8_129, "SRCNN 9-1-5 (paper: 8,032 weights, + 97 biases)", ""),
    "vdsr": (664_704, "pytorch-vdsr", ""),
    "edsr_baseline": (1_517_595, "EDSR-PyTorch baseline", ""),
    "edsr_paper": (43_089_947, "EDSR-PyTorch, 32 blocks of 256", ""),
    "rrdb": (16_697_987, "ESRGAN RRDB_ESRGAN_x4", ""),
    "rcan": (15_592_379, "RCAN_BIX4", ""),
    "rdn": (22_271_107, "RDN_BIX4 (config B)", ""),
    "imdn": (715_176, "IMDN_x4", ""),
    "srvgg": (1_213_296, "realesr-general-x4v3", ""),
    "swinir": (11_900_199, "SwinIR-M classical x4", ""),
    "hat": (20_772_507, "HAT_SRx4", ""),
    "plksr": (5_551_088, SPANDREL, ""),
    "realplksr": (7_389_680, SPANDREL, ""),
    "dat": (14_802_051, SPANDREL, BN_STATS + " (the AIM convs)"),
    "omnisr": (805_376, SPANDREL, ""),
    "safmn": (239_520, SPANDREL, ""),
    "atd": (20_260_929, SPANDREL, ""),
    "drct": (14_139_579, SPANDREL + " (upsampler=\"pixelshuffle\", as released)", ""),
    "craft": (753_344, SPANDREL, ""),
    "rgt": (13_365_543, SPANDREL, ""),
    "grl": (5_462_823, SPANDREL, ""),
    "ditn": (444_112, SPANDREL, ""),
    "dctlsa": (885_328, SPANDREL, BN_STATS),
    "fdat": (4_030_623, SPANDREL, "not built: the gate each block stores but never uses "
             "(inter.sg of spatial blocks, inter.cg of channel blocks)"),
    "moesr": (16_547_008, SPANDREL, ""),
    "swin2sr": (12_239_283, SPANDREL, ""),
    "mosr": (4_287_600, SPANDREL, ""),
    "seemore": (682_036, SPANDREL, ""),
    "swiftsrgan": (201_209, SPANDREL, BN_STATS + "; not built: the PReLUs of "
                   "use_act=False blocks (never used)"),
    "span": (2_236_728, SPANDREL, "official parameters() also hold each Conv3XC's eval_conv "
             "(fused from the branch weights on each forward, as ours does)"),
}


def rows() -> dict[str, tuple[str, dict]]:
    """Row name -> (architecture name, builder kwargs), in registry order."""
    from sr_tf.archs import ARCHITECTURES
    out = {}
    for arch in ARCHITECTURES:
        if arch.name in SPECIAL_ROWS:
            special = SPECIAL_ROWS[arch.name]
            out.update({row: (arch.name, kwargs) for row, kwargs in special.items()})
        else:
            config = importlib.import_module(f"configs.{arch.name}").get_config()
            out[arch.name] = (arch.name, config.model.kwargs.to_dict())
    return out


def build(name: str):
    """The Keras model of row ``name`` at x4 (Y-channel models take no scale)."""
    from sr_tf.archs import find
    arch_name, kwargs = rows()[name]
    arch = find(arch_name)
    return arch.build(scale=SCALE, **kwargs) if arch.takes_scale else arch.build(**kwargs)


def measure(name: str, precision: str, size: int, repeats: int) -> dict:
    """Run in a child process: build, warm up, time forward passes, report peak RSS."""
    import keras
    import numpy as np
    import tensorflow as tf

    keras.mixed_precision.set_global_policy(precision)
    model = build(name)
    channels = model.input_shape[-1]
    side = size * SCALE if channels == 1 else size   # Y models take the bicubic-upscaled input
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
    return {**counts(name, model), "precision": precision,
            "forward_s": min(times), "peak_rss_mb": peak / 1024,
            "forward_extra_rss_mb": (peak - base_rss) / 1024}


def counts(name: str, model) -> dict:
    """All weights, and those that are not trained (BatchNorm statistics, index tables): the
    official counts are PyTorch ``parameters()``, where those are buffers."""
    frozen = sum(int(math.prod(w.shape)) for w in model.non_trainable_weights)
    return {"model": name, "params": model.count_params(), "non_trainable": frozen}


def count_all(names: list[str]) -> list[dict]:
    """Parameters only, every model built in this process."""
    import keras
    runs = []
    for name in names:
        runs.append(counts(name, build(name)))
        keras.backend.clear_session()
        print(f"  {name}: {runs[-1]['params']:,}", flush=True)
    return runs


def time_all(names: list[str], precisions: list[str], size: int, repeats: int) -> list[dict]:
    """One child process per (model, precision); a failing one is reported, not fatal."""
    runs = []
    for name in names:
        for precision in precisions:
            out = subprocess.run([sys.executable, __file__, "--child", name, precision,
                                  "--size", str(size), "--repeats", str(repeats)],
                                 capture_output=True, text=True)
            if out.returncode:
                error = (out.stderr.strip().splitlines() or ["no output"])[-1]
                runs.append({"model": name, "precision": precision, "error": error})
                print(f"  {name} {precision}: FAILED {error}", flush=True)
                continue
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"  {name} {precision}: {runs[-1]['forward_s']:.3f} s", flush=True)
    return runs


def model_row(name: str, runs: list[dict], precisions: list[str]) -> dict:
    """One table row: the precisions of ``name`` side by side, with the official count."""
    mine = [r for r in runs if r["model"] == name]
    params = next((r["params"] for r in mine if "params" in r), None)
    official, release, note = OFFICIAL_PARAMS.get(name, (None, "", ""))
    frozen = next((r["non_trainable"] for r in mine if "non_trainable" in r), 0)
    row = {"model": name, "params": f"{params:,}" if params else "",
           "non_trainable": f"{frozen:,}" if frozen else "",
           "official_params": f"{official:,}" if official else "", "official_release": release,
           "notes": note}
    short = {"float32": "fp32", "mixed_bfloat16": "bf16"}
    for precision in precisions:
        run = next((r for r in mine if r.get("precision") == precision), {})
        row[f"{short[precision]}_s"] = run.get("forward_s", run.get("error", ""))
        row[f"peak_rss_mb_{short[precision]}"] = run.get("peak_rss_mb", "")
    if set(precisions) == {"float32", "mixed_bfloat16"} and all(
            isinstance(row[k], float) for k in ("fp32_s", "bf16_s")):
        row["bf16_speedup"] = row["fp32_s"] / row["bf16_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=128, help="LR input side")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", default="", help="comma-separated subset (default: all)")
    parser.add_argument("--precisions", default="float32,mixed_bfloat16")
    parser.add_argument("--params_only", action="store_true", help="count parameters, no timing")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "PRECISION"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args.size, args.repeats)))
        return

    from benchmarks.common import (machine, markdown_table, print_table, update_readme,
                                   write_json)
    names = args.models.split(",") if args.models else list(rows())
    precisions = args.precisions.split(",")
    host = machine()
    load = os.getloadavg()[0]
    if args.params_only:
        runs, precisions = count_all(names), []
        title = f"x4 at the official sizes; parameters only; TensorFlow {host['tensorflow']}"
    else:
        runs = time_all(names, precisions, args.size, args.repeats)
        title = (f"x4, one {args.size}x{args.size} LR input (SRCNN/VDSR: its bicubic upscale), "
                 f"forward pass, best of {args.repeats}, {', '.join(precisions)}; "
                 f"{host['cpu']}, {host['cores']} cores, load average {load:.1f} at the end, "
                 f"TensorFlow {host['tensorflow']}, {host['date']}")
    rows_out = [model_row(name, runs, precisions) for name in names]
    columns = list(rows_out[0])
    print(f"\n{title}")
    print_table(rows_out, columns)
    suffix = "_params" if args.params_only else ""
    write_json(f"models{suffix}", {"machine": host, "load_average": load, "lr_size": args.size,
                                   "scale": SCALE, "runs": runs, "rows": rows_out})
    if args.readme:
        update_readme("models", f"{title}\n\n{markdown_table(rows_out, columns)}")


if __name__ == "__main__":
    main()
