"""The whole training loop, ours against a plain PyTorch loop, in images/s on the same PNGs.

Ours: ``sr_tf.train_loop.train`` on a paired ``lr/`` + ``hr/`` folder of PNGs written here (data
pipeline with its default in-memory cache, random crops, dihedral augmentation, the config's
pixel loss, Adam, EMA every step), for EDSR-baseline, RRDB and SwinIR at their configs' batch
and patch sizes (``--scale_down N`` divides the batch by N to fit a small machine). PyTorch: a
``DataLoader`` over the same PNGs (decoded once, as our cache does; random crops, flips and
rot90), the same loss weights, Adam, an EMA update each step; the model from
``benchmarks/vs_pytorch.py`` (EDSR built there, RRDB and SwinIR from spandrel's official code).
float32, and bfloat16 as TF ``mixed_bfloat16`` against ``torch.autocast("cpu", torch.bfloat16)``.

Every run is its own child process with the same thread count; the frameworks alternate
(A B A B ...) over ``--rounds`` and the medians are reported, with the load average before and
after. Ratio = our time per image / PyTorch's (below 1: we are faster). Our variants try what
TensorFlow offers: XLA, ``steps_per_call``, oneDNN off, one inter-op thread, and a one-device
MirroredStrategy (what ``auto`` chose before it picked the default strategy for one device).

    python benchmarks/train_e2e.py [--models edsr_baseline] [--scale_down 4] [--steps N]
        [--rounds 3] [--readme]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIGS = {"edsr_baseline": "edsr", "rrdb": "rrdb", "swinir": "swinir"}
# Timed steps per run at --scale_down 4: about 20-40 s of training each on a 2-core CPU, so one
# run's spread (10% over 4 steps of EDSR) no longer decides a ratio.
TIMED_STEPS = {"edsr_baseline": 200, "rrdb": 20, "swinir": 4}
# variant: (framework, config overrides, environment)
VARIANTS = {
    "torch": ("torch", {}, {}),
    "tf": ("tf", {}, {}),
    "tf_xla": ("tf", {"xla": True}, {}),
    "tf_mirrored": ("tf", {"distribute": "mirrored"}, {}),
    "tf_steps_per_call_4": ("tf", {"steps_per_call": 4}, {}),
    "tf_onednn_off": ("tf", {}, {"TF_ENABLE_ONEDNN_OPTS": "0"}),
    "tf_inter_op_1": ("tf", {}, {"TF_NUM_INTEROP_THREADS": "1"}),
}
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


def get_config(model: str, scale_down: int):
    import importlib
    config = importlib.import_module(f"configs.{CONFIGS[model]}").get_config()
    config.train.batch_size = max(1, config.train.batch_size // scale_down)
    return config


def write_images(folder: Path, count: int, side: int, scale: int) -> None:
    """``count`` smooth random HR PNGs of ``side`` px and their area-downscaled LR partners."""
    import cv2
    import numpy as np
    rng = np.random.default_rng(0)
    (folder / "hr").mkdir(parents=True)
    (folder / "lr").mkdir()
    for i in range(count):
        noise = rng.uniform(0, 255, (side // 8, side // 8, 3)).astype(np.float32)
        hr = cv2.resize(noise, (side, side), interpolation=cv2.INTER_CUBIC).clip(0, 255)
        hr = hr.astype(np.uint8)
        lr = cv2.resize(hr, (side // scale, side // scale), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(folder / "hr" / f"{i:03d}.png"), hr)
        cv2.imwrite(str(folder / "lr" / f"{i:03d}.png"), lr)


def tf_images_per_s(spec: dict) -> float:
    """Our ``train()`` on the PNG folder; the first (tracing) call is not timed."""
    from sr_tf.train_loop import train
    config = get_config(spec["model"], spec["scale_down"])
    t = config.train
    per_call = VARIANTS[spec["variant"]][1].get("steps_per_call", 1)
    t.steps = spec["steps"] + per_call
    t.steps_per_call = per_call
    t.xla = VARIANTS[spec["variant"]][1].get("xla", False)
    t.distribute = VARIANTS[spec["variant"]][1].get("distribute", "auto")
    t.precision = PRECISIONS[spec["precision"]]
    t.log_every, t.ckpt_every, t.progress = t.steps, 10 ** 9, False
    config.data.train, config.data.val = spec["data"], ""
    with tempfile.TemporaryDirectory() as workdir:
        return train(config, workdir)["steps_per_s"] * t.batch_size


def torch_images_per_s(spec: dict) -> float:
    """A plain PyTorch loop: DataLoader, crops + flips/rot90, loss, Adam, EMA each step."""
    import copy

    import cv2
    import numpy as np
    import torch

    from benchmarks.vs_pytorch import MODELS, torch_model
    torch.manual_seed(0)
    torch.set_num_threads(spec["threads"])
    config = get_config(spec["model"], spec["scale_down"])
    scale, batch = config.model.scale, config.train.batch_size
    patch = config.data.patch_size // scale
    names = sorted((Path(spec["data"]) / "hr").glob("*.png"))
    images = [(cv2.imread(str(Path(spec["data"]) / "lr" / n.name))[..., ::-1].copy(),
               cv2.imread(str(n))[..., ::-1].copy()) for n in names]

    class Patches(torch.utils.data.Dataset):
        def __len__(self):
            return 10 ** 6

        def __getitem__(self, index):
            rng = np.random.default_rng(index)
            lr, hr = images[index % len(images)]
            y = rng.integers(0, lr.shape[0] - patch + 1)
            x = rng.integers(0, lr.shape[1] - patch + 1)
            lr = lr[y:y + patch, x:x + patch]
            hr = hr[scale * y:scale * (y + patch), scale * x:scale * (x + patch)]
            flip, turns = rng.integers(2), rng.integers(4)
            pair = [np.rot90(a[:, ::-1] if flip else a, turns) for a in (lr, hr)]
            return [torch.from_numpy(a.transpose(2, 0, 1).copy()).float() / 255 for a in pair]

    loader = iter(torch.utils.data.DataLoader(Patches(), batch, num_workers=1,
                                              persistent_workers=True, prefetch_factor=2))
    _, _, builder, kwargs = MODELS[spec["model"]]
    model = torch_model(builder, kwargs).train()
    ema = copy.deepcopy(model).eval().requires_grad_(False)
    optimizer = torch.optim.Adam(model.parameters(), config.train.lr,
                                 betas=(0.9, config.train.beta_2))
    l1, l2, decay = config.train.loss.l1, config.train.loss.l2, config.train.ema_decay
    bf16 = spec["precision"] == "bfloat16"

    def step():
        lr, hr = next(loader)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", torch.bfloat16, enabled=bf16):
            sr = model(lr).float()
        loss = l1 * torch.nn.functional.l1_loss(sr, hr)
        if l2:
            loss = loss + l2 * torch.nn.functional.mse_loss(sr, hr)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            torch._foreach_lerp_(list(ema.parameters()), list(model.parameters()), 1 - decay)

    step()
    start = time.perf_counter()
    for _ in range(spec["steps"]):
        step()
    return spec["steps"] * batch / (time.perf_counter() - start)


def measure(spec: dict) -> dict:
    """One run in a fresh process with the variant's environment and ``spec['threads']``."""
    threads = str(spec["threads"])
    env = {**os.environ, "OMP_NUM_THREADS": threads, "TF_NUM_INTRAOP_THREADS": threads,
           "TF_NUM_INTEROP_THREADS": threads, **VARIANTS[spec["variant"]][2]}
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], env=env,
                         capture_output=True, text=True)
    if out.returncode:
        return {"error": ((out.stderr.strip().splitlines() or ["?"])[-1])[:300]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_description() -> dict:
    """lscpu's model name and the flags that decide bf16 speed."""
    from sr_tf.hardware import cpu_flags
    name = "unknown"
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
        name = next(line.split(":", 1)[1].strip() for line in lines
                    if line.startswith("Model name"))
    except (OSError, StopIteration):
        pass
    flags = cpu_flags()
    wanted = ("amx_bf16", "amx_tile", "avx512_bf16", "avx512f", "avx2")
    return {"model_name": name, "flags": [f for f in wanted if f in flags]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(CONFIGS))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    parser.add_argument("--scale_down", type=int, default=1, help="divide the batch by this")
    parser.add_argument("--steps", type=int, default=None,
                        help="timed steps per run (default: TIMED_STEPS of the model)")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the frameworks")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--result_name", default="train_e2e")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        run = torch_images_per_s if spec["variant"] == "torch" else tf_images_per_s
        print(json.dumps({"images_per_s": run(spec)}))
        return
    try:
        import torch
    except ImportError:
        sys.exit("needs PyTorch: pip install -e '.[bench]' (torch 2.13 CPU, spandrel)")
    from benchmarks.common import markdown_table, print_table, update_readme, write_json
    from sr_tf.hardware import choose_precision, cpu_flags, gpu_capabilities

    load_before = os.getloadavg()
    measurements = []
    with tempfile.TemporaryDirectory() as data:
        write_images(Path(data), args.images, 512, 4)
        variants = args.variants.split(",")
        for model in args.models.split(","):
            for precision in args.precisions.split(","):
                for round_index in range(args.rounds):
                    for variant in variants:       # torch first: A B A B over the rounds
                        spec = {"model": model, "variant": variant, "precision": precision,
                                "steps": args.steps or TIMED_STEPS[model],
                                "scale_down": args.scale_down,
                                "threads": args.threads, "data": data}
                        result = {**spec, "round": round_index, **measure(spec)}
                        del result["data"]
                        measurements.append(result)
                        shown = f"{result['images_per_s']:.3f} images/s" \
                            if "images_per_s" in result else result["error"]
                        print(f"  {model} {precision} {variant} #{round_index}: {shown}",
                              flush=True)
    load_after = os.getloadavg()
    rows = ratio_rows(measurements, variants)
    columns = ["model", "precision", "batch", "steps", "torch_images_per_s"] + \
        [v for v in variants if v != "torch"] + ["best", "best_ratio"]
    for row in rows:
        row["batch"] = get_config(row["model"], args.scale_down).train.batch_size
        row["steps"] = args.steps or TIMED_STEPS[row["model"]]
    cpu = cpu_description()
    auto_precision = choose_precision("auto", cpu_flags(), gpu_capabilities())[0]
    title = (f"x4, {cpu['model_name']} ({', '.join(cpu['flags'])}), {args.threads} threads, "
             f"torch {torch.__version__}; batch = config's / {args.scale_down}, config's patch, "
             f"timed steps per run in the steps column, median of {args.rounds} alternating "
             f"rounds; `auto` picks {auto_precision} here; load "
             f"average {load_before[0]:.1f} before, {load_after[0]:.1f} after; columns after "
             f"torch_images_per_s: our time per image / PyTorch's")
    print(f"\n{title}")
    print_table(rows, columns)
    write_json(args.result_name, {"title": title, "cpu": cpu, "torch": torch.__version__,
                                  "load_average": {"before": load_before, "after": load_after},
                                  "args": vars(args), "measurements": measurements,
                                  "ratios": rows})
    if args.readme:
        update_readme("train-e2e", f"{title}\n\n{markdown_table(rows, columns)}")


def ratio_rows(measurements: list[dict], variants: list[str]) -> list[dict]:
    """One row per (model, precision): each variant's median time per image over PyTorch's."""
    from benchmarks.common import mark_best
    rows = []
    keys = dict.fromkeys((m["model"], m["precision"]) for m in measurements)
    for model, precision in keys:
        medians = {}
        for variant in variants:
            rates = [m["images_per_s"] for m in measurements if m["model"] == model
                     and m["precision"] == precision and m["variant"] == variant
                     and "images_per_s" in m]
            medians[variant] = statistics.median(rates) if rates else None
        theirs = medians.pop("torch", None)
        row = {"model": model, "precision": precision, "torch_images_per_s": theirs}
        for variant, ours in medians.items():
            row[variant] = theirs / ours if ours and theirs else "n/a"
        rows.append(mark_best(row, medians))
    return rows


if __name__ == "__main__":
    main()
