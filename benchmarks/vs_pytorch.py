"""Our models on each CPU backend against the same architectures in PyTorch, in one run.

EDSR-baseline, RRDB (ESRGAN's generator) and SwinIR-M, x4, float32, random weights (both
parameter counts are shown; ours has 24 more for EDSR: its two fixed mean-shift 1x1 convs, which
the torch twin keeps as constants): one forward pass 128x128 -> 512x512, and one training step (L1
loss, Adam, forward + backward + update on a batch of LR patches). Every measurement runs in its
own process, with every core; times are the median of ``--repeats`` after warm-up.

Ours, inference: TensorFlow (``tf.function``), TensorFlow + XLA (``jit_compile``), TensorFlow
with oneDNN off, TensorFlow with one inter-op thread, LiteRT float32 (XNNPACK) and onnxruntime
float32, the last two on the files ``--mode=export`` writes. Ours, training: the project's
``SRTrainer.train_step`` under the same TensorFlow settings. PyTorch: 2.13 CPU, the torch
modules built here (EDSR) or the official code packaged by spandrel (RRDB, SwinIR); inference in
``eval()`` under ``inference_mode``.

Ratio = our time / PyTorch's (below 1: faster). Target: our best inference backend <= 0.8x.

    pip install -e ".[bench]"        # torch 2.13 CPU and spandrel
    python benchmarks/vs_pytorch.py [--readme]
    python benchmarks/vs_pytorch.py --smoke      # tiny models and sizes, to check the script
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name: (our architecture, our kwargs, torch builder name, torch kwargs); tiny ones for --smoke.
MODELS = {
    "edsr_baseline": ("edsr", {}, "edsr", {"num_blocks": 16, "filters": 64}),
    "rrdb": ("rrdb", {}, "rrdb", {"num_filters": 64, "num_blocks": 23}),
    "swinir": ("swinir", {}, "swinir", {"embed_dim": 180, "depths": [6] * 6,
                                        "num_heads": [6] * 6, "window_size": 8}),
}
SMOKE = {
    "edsr_baseline": ("edsr", {"num_blocks": 1, "filters": 8}, "edsr",
                      {"num_blocks": 1, "filters": 8}),
    "rrdb": ("rrdb", {"num_blocks": 1, "filters": 16}, "rrdb",
             {"num_filters": 16, "num_blocks": 1}),
    "swinir": ("swinir", {"embed_dim": 12, "depths": (1,), "num_heads": (2,), "window_size": 8},
               "swinir", {"embed_dim": 12, "depths": [1], "num_heads": [2], "window_size": 8}),
}
# variant: (framework, task list, environment)
VARIANTS = {
    "torch": ("torch", ("forward", "train"), {}),
    "tf": ("tf", ("forward", "train"), {}),
    "tf_xla": ("tf", ("forward", "train"), {}),
    "tf_onednn_off": ("tf", ("forward", "train"), {"TF_ENABLE_ONEDNN_OPTS": "0"}),
    "tf_inter_op_1": ("tf", ("forward", "train"), {}),
    "litert": ("litert", ("forward",), {}),
    "onnx": ("onnx", ("forward",), {}),
}


def torch_model(name: str, kwargs: dict):
    """The PyTorch twin: EDSR built here, RRDB and SwinIR from spandrel (official code)."""
    import torch
    from torch import nn
    if name == "edsr":
        filters = kwargs["filters"]

        class ResBlock(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Conv2d(filters, filters, 3, padding=1),
                                          nn.ReLU(True), nn.Conv2d(filters, filters, 3, padding=1))

            def forward(self, x):
                return x + self.body(x)

        class EDSR(nn.Module):          # EDSR-PyTorch's layout, x4 = two conv + PixelShuffle(2)
            def __init__(self):
                super().__init__()
                mean = torch.tensor([0.4488, 0.4371, 0.4040]).view(1, 3, 1, 1)
                self.register_buffer("mean", mean)
                self.head = nn.Conv2d(3, filters, 3, padding=1)
                self.body = nn.Sequential(*[ResBlock() for _ in range(kwargs["num_blocks"])],
                                          nn.Conv2d(filters, filters, 3, padding=1))
                self.tail = nn.Sequential(
                    nn.Conv2d(filters, 4 * filters, 3, padding=1), nn.PixelShuffle(2),
                    nn.Conv2d(filters, 4 * filters, 3, padding=1), nn.PixelShuffle(2),
                    nn.Conv2d(filters, 3, 3, padding=1))

            def forward(self, x):
                x = self.head(x - self.mean)
                return self.tail(x + self.body(x)) + self.mean

        return EDSR()
    _importable_torchvision()
    if name == "rrdb":
        from spandrel.architectures.ESRGAN import ESRGAN
        return ESRGAN(in_nc=3, out_nc=3, scale=4, **kwargs)
    from spandrel.architectures.SwinIR import SwinIR
    return SwinIR(upscale=4, in_chans=3, img_size=64, img_range=1.0, mlp_ratio=2.0,
                  upsampler="pixelshuffle", resi_connection="1conv", **kwargs)


def _importable_torchvision() -> None:
    """Let ``import spandrel`` work where torchvision's compiled ops do not load (PyPI's CUDA
    torchvision wheel beside a CPU torch): spandrel imports torchvision only for LaMa and
    RestoreFormer, which this benchmark does not build, so a stand-in module is enough."""
    import types
    try:
        import torchvision  # noqa: F401
        return
    except (ImportError, RuntimeError):
        for name in [m for m in sys.modules if m.split(".")[0] == "torchvision"]:
            del sys.modules[name]
    functional = types.ModuleType("torchvision.transforms.functional")
    functional.InterpolationMode = functional.rotate = functional.normalize = None
    transforms = types.ModuleType("torchvision.transforms")
    transforms.functional = functional
    stand_in = types.ModuleType("torchvision")
    stand_in.transforms = transforms
    sys.modules.update({"torchvision": stand_in, "torchvision.transforms": transforms,
                        "torchvision.transforms.functional": functional})


def median_time(run, repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(spec: dict) -> dict:
    """One measurement in this process: ``{"seconds": ..., "params": ...}``."""
    import numpy as np
    rng = np.random.default_rng(0)
    size, batch, patch, repeats = spec["size"], spec["batch"], spec["patch"], spec["repeats"]
    table = SMOKE if spec["smoke"] else MODELS
    ours, our_kwargs, theirs, torch_kwargs = table[spec["model"]]
    if spec["framework"] == "torch":
        import torch
        torch.set_num_threads(len(os.sched_getaffinity(0)))
        model = torch_model(theirs, torch_kwargs)
        params = sum(p.numel() for p in model.parameters())
        if spec["task"] == "forward":
            model.eval()
            x = torch.rand(1, 3, size, size)

            def run():
                with torch.inference_mode():
                    model(x)
        else:
            model.train()
            optimizer = torch.optim.Adam(model.parameters(), 1e-4)
            lr, hr = torch.rand(batch, 3, patch, patch), torch.rand(batch, 3, 4 * patch, 4 * patch)

            def run():
                optimizer.zero_grad(set_to_none=True)
                torch.nn.functional.l1_loss(model(lr), hr).backward()
                optimizer.step()
        return {"seconds": median_time(run, repeats), "params": params}

    import keras
    import tensorflow as tf

    from sr_tf.models import build_generator
    if spec["variant"] == "tf_inter_op_1":
        tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(0)
    model = build_generator(ours, 4, **our_kwargs)
    params = model.count_params()
    if spec["framework"] in ("litert", "onnx"):
        from sr_tf.backends import LiteRTRunner, OnnxRunner
        from sr_tf.export import litert, onnx_model
        from sr_tf.export.portable import metadata
        if spec["framework"] == "litert":
            runner = LiteRTRunner(litert.convert(model, 4), "litert")
        else:
            runner = OnnxRunner(onnx_model.convert(model, 4, metadata(model, 4, ours, "onnx")))
        x = rng.integers(0, 256, (1, size, size, 3), np.uint8)
        return {"seconds": median_time(lambda: runner(x), repeats), "params": params}
    xla = spec["variant"] == "tf_xla"
    if spec["task"] == "forward":
        forward = tf.function(lambda t: model(t, training=False), jit_compile=xla)
        x = tf.constant(rng.uniform(0, 1, (1, size, size, 3)), tf.float32)
        return {"seconds": median_time(lambda: forward(x).numpy(), repeats), "params": params}
    from sr_tf.trainers import SRTrainer
    trainer = SRTrainer(model, 4, augment=False)
    trainer.optimizer = keras.optimizers.Adam(1e-4)
    step = tf.function(trainer.train_step, jit_compile=xla)
    data = (tf.constant(rng.integers(0, 256, (batch, patch, patch, 3)), tf.uint8),
            tf.constant(rng.integers(0, 256, (batch, 4 * patch, 4 * patch, 3)), tf.uint8),
            tf.zeros([batch], tf.int32))
    return {"seconds": median_time(lambda: step(data)["loss"].numpy(), repeats),
            "params": params}


def measure(spec: dict) -> dict:
    """Run :func:`child` in a fresh process with the variant's environment."""
    env = {**os.environ, **VARIANTS[spec["variant"]][2]}
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], env=env,
                         capture_output=True, text=True)
    if out.returncode:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:300]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=128, help="LR side of the forward pass")
    parser.add_argument("--train_batch", type=int, default=4)
    parser.add_argument("--train_patch", type=int, default=48, help="LR patch side")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--smoke", action="store_true", help="tiny models and sizes")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    if args.smoke:
        args.size, args.train_batch, args.train_patch, args.repeats = 32, 2, 16, 2
    try:
        import torch
    except ImportError:
        sys.exit("needs PyTorch: pip install -e '.[bench]' (torch 2.13 CPU, spandrel)")

    from benchmarks.common import (machine, markdown_table, print_table, update_readme,
                                   write_json)
    measurements = []
    for model in args.models.split(","):
        for variant, (framework, tasks, _) in VARIANTS.items():
            for task in tasks:
                spec = {"model": model, "variant": variant, "framework": framework,
                        "task": task, "size": args.size, "batch": args.train_batch,
                        "patch": args.train_patch, "repeats": args.repeats, "smoke": args.smoke}
                result = {**spec, **measure(spec)}
                measurements.append(result)
                shown = f"{result['seconds']:.4f} s" if "seconds" in result else result["error"]
                print(f"  {model} {task} {variant}: {shown}", flush=True)

    rows = ratio_rows(measurements)
    columns = ["model", "task", "params_ours", "params_torch", "torch_s", "tf", "tf_xla",
               "tf_onednn_off", "tf_inter_op_1", "litert", "onnx", "best", "best_ratio"]
    host = machine()
    title = (f"x4, float32, {host['cpu']}, {host['cores']} cores, TensorFlow "
             f"{host['tensorflow']}, torch {torch.__version__}, {host['date']}: forward "
             f"{args.size}->{4 * args.size}, train step batch {args.train_batch} of "
             f"{args.train_patch}x{args.train_patch} LR; torch_s in seconds, other columns are "
             f"our time / PyTorch's")
    print(f"\n{title}")
    print_table(rows, columns)
    write_json("vs_pytorch_smoke" if args.smoke else "vs_pytorch",
               {"title": title, "torch": torch.__version__, "args": vars(args),
                "measurements": measurements, "ratios": rows})
    if args.readme:
        update_readme("vs-pytorch", f"{title}\n\n{markdown_table(rows, columns)}")


def ratio_rows(measurements: list[dict]) -> list[dict]:
    """One row per (model, task): each of our variants' time over PyTorch's, and the best."""
    from benchmarks.common import mark_best
    rows = []
    for model in dict.fromkeys(m["model"] for m in measurements):
        for task in ("forward", "train"):
            found = {m["variant"]: m for m in measurements
                     if m["model"] == model and m["task"] == task}
            torch_run = found.pop("torch", {})
            row = {"model": model, "task": task, "torch_s": torch_run.get("seconds"),
                   "params_torch": torch_run.get("params")}
            for variant, m in found.items():
                row["params_ours"] = m.get("params", row.get("params_ours"))
                if "seconds" in m and row["torch_s"]:
                    row[variant] = m["seconds"] / row["torch_s"]
                elif "error" in m:
                    row[variant] = "n/a"
            rows.append(mark_best(row, VARIANTS))
    return rows


if __name__ == "__main__":
    main()
