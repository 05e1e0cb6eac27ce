"""Quality, size and CPU time of one trained model in every deployment format.

Keras, SavedModel, LiteRT float32 / float16 / int8 and ONNX: each is exported with sr_tf.export
and scored by the eval protocol through its own runtime (same tiling; no self-ensemble): PSNR-Y
and SSIM-Y on Set5 and Set14, the file size, and the CPU time to upscale one 256x256 LR photo
crop (one tile, all cores). Targets: float32 files within 0.01 dB of Keras, float16 within
0.05 dB, int8 within 0.3 dB on Set5. When int8 misses, 4x more calibration patches and per-tensor
weights are tried too (always in --smoke), and every attempt is reported.

    python benchmarks/deploy.py --weights runs/train_quality/clock/model.keras --model edsr
    python benchmarks/deploy.py --weights ../shared/weights/imdn/IMDN_x4.pth   # detected
    python benchmarks/deploy.py --smoke      # tiny random EDSR, 2 images, 64x64 timing
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data"
TARGETS = {"none": 0.01, "fp16": 0.05, "int8": 0.3}          # dB below Keras on Set5


def load_model(args):
    """(model, architecture name, scale) from --weights, or a tiny random EDSR for --smoke."""
    import keras

    from sr_tf.models import build_generator
    from sr_tf.weights import detect_file, is_torch_file, load_generator
    if args.weights is None:
        keras.utils.set_random_seed(0)
        return build_generator("edsr", 4, num_blocks=1, filters=8), "edsr", 4
    name = args.model
    if name is None and is_torch_file(args.weights):
        name = detect_file(args.weights).name
    model = load_generator(args.weights, name, args.scale)
    scale = int(model(keras.ops.zeros((1, 8, 8, 3))).shape[1]) // 8
    return model, name or "model", scale


def eval_sets(smoke: bool, tmp: Path) -> list[Path]:
    """Set5 and Set14, or for --smoke a folder with Set5's two smallest images."""
    if not smoke:
        return [DATA / "val" / "Set5", DATA / "val" / "Set14"]
    folder = tmp / "Set5"
    folder.mkdir()
    for name in ("bird.png", "butterfly.png"):
        (folder / name).symlink_to(DATA / "val" / "Set5" / name)
    return [folder]


def seconds_per_image(upscaler, image, repeats: int) -> float:
    """Best of ``repeats`` timed upscales after one warm-up (which also traces)."""
    upscaler(image).numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        upscaler(image).numpy()
        times.append(time.perf_counter() - start)
    return min(times)


def size_mb(path: Path) -> float:
    files = path.rglob("*") if path.is_dir() else [path]
    return sum(f.stat().st_size for f in files if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default=None, help=".keras, .pth or .safetensors")
    parser.add_argument("--model", default=None, help="architecture of --weights (default: "
                        "detected from PyTorch weights)")
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--calibration", default=str(DATA / "train" / "T91"))
    parser.add_argument("--patches", type=int, default=128, help="int8 calibration patches")
    parser.add_argument("--patch_size", type=int, default=64)
    parser.add_argument("--time_size", type=int, default=256, help="LR side of the timed crop")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check the script")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    if args.smoke:
        args.patches, args.patch_size, args.time_size, args.repeats = 8, 16, 64, 1
    if not (DATA / "val" / "Set5").is_dir():
        sys.exit(f"needs {DATA} (Set5, Set14, T91)")
    if args.weights is None and not args.smoke:
        sys.exit("give --weights (a trained model), or --smoke")

    from benchmarks.common import (machine, markdown_table, print_table, update_readme,
                                   write_json)
    from benchmarks.inference import lr_image
    from sr_tf.artifacts import SavedModelUpscaler, open_artifact
    from sr_tf.runtimes import default_threads
    from sr_tf.evaluate import evaluate_folder
    from sr_tf.export import calibration_patches, export_file, export_saved_model
    from sr_tf.inference import Upscaler

    model, name, scale = load_model(args)
    photo = lr_image(args.time_size)
    tmp = Path(tempfile.mkdtemp(prefix="sr_tf_deploy_"))
    sets = eval_sets(args.smoke, tmp)
    calibration = calibration_patches(args.calibration, scale, args.patches, args.patch_size)

    def file(fmt, quantize="none", cal=calibration, per_channel=True):
        path = export_file(model, scale, tmp / f"{fmt}_{quantize}", fmt, name, quantize, cal,
                           per_channel=per_channel)
        return path, open_artifact(path)[0]

    def saved_model():
        path = export_saved_model(model, scale, tmp / "saved_model")
        return path, SavedModelUpscaler(path)

    weights = Path(args.weights) if args.weights else None
    variants = {("keras", "none", ""): lambda: (weights, Upscaler(model, scale)),
                ("saved_model", "none", ""): saved_model,
                ("litert", "none", ""): lambda: file("litert"),
                ("litert", "fp16", ""): lambda: file("litert", "fp16"),
                ("litert", "int8", f"{args.patches} patches"): lambda: file("litert", "int8"),
                ("onnx", "none", ""): lambda: file("onnx")}
    more = lambda: calibration_patches(args.calibration, scale, 4 * args.patches,  # noqa: E731
                                       args.patch_size, images=128)
    retries = {("litert", "int8", f"{4 * args.patches} patches from 128 images"):
               lambda: file("litert", "int8", more()),
               ("litert", "int8", f"{args.patches} patches, per-tensor weights"):
               lambda: file("litert", "int8", per_channel=False)}
    rows = []

    def run(key, make):
        fmt, quantize, note = key
        start = time.perf_counter()
        path, upscaler = make()
        row = {"format": fmt, "quantize": quantize, "note": note,
               "export_s": time.perf_counter() - start,
               "size_mb": size_mb(path) if path else None,
               "s_per_image": seconds_per_image(upscaler, photo, args.repeats)}
        for folder in sets:
            mean = evaluate_folder(upscaler, folder, progress=False)[-1]
            row[f"{folder.name}_psnr_y"] = mean["psnr_y"]
            row[f"{folder.name}_ssim_y"] = mean["ssim_y"]
        keras_row = rows[0] if rows else row
        first = sets[0].name
        row["db_below_keras"] = keras_row[f"{first}_psnr_y"] - row[f"{first}_psnr_y"]
        if fmt != "keras":
            row["target_db"] = TARGETS[quantize]
            row["meets"] = row["db_below_keras"] <= TARGETS[quantize]
        rows.append(row)
        print(f"  {fmt} {quantize} {note}: {row[f'{first}_psnr_y']:.3f} dB, "
              f"{row['s_per_image']:.3f} s", flush=True)

    for key, make in variants.items():
        run(key, make)
    if args.smoke or not next(r for r in rows if r["quantize"] == "int8")["meets"]:
        for key, make in retries.items():
            run(key, make)

    payload = {"machine": machine(), "weights": args.weights, "architecture": name, "scale": scale,
               "sets": [folder.name for folder in sets], "time_size": args.time_size,
               "threads": default_threads(), "calibration": calibration.describe(),
               "targets_db": TARGETS, "rows": rows}
    title, columns = report(payload)
    print(f"\n{title}")
    print_table(rows, columns)
    write_json("deploy_smoke" if args.smoke else f"deploy_{name}_x{scale}", payload)
    if args.readme:
        update_readme(f"deploy-{name}-x{scale}", f"{title}\n\n{markdown_table(rows, columns)}")


def report(payload: dict) -> tuple[str, list[str]]:
    """Title and table columns for the rows of one run (also re-renders a saved JSON)."""
    columns = ["format", "quantize", "note", "size_mb"]
    for name in payload["sets"]:
        columns += [f"{name}_psnr_y", f"{name}_ssim_y"]
    columns += ["db_below_keras", "target_db", "meets", "s_per_image"]
    cal, host = payload["calibration"], payload["machine"]
    title = (f"{payload['architecture']} x{payload['scale']} "
             f"(`{payload['weights'] or 'random weights, smoke run'}`); eval protocol, no "
             f"self-ensemble; time: one {payload['time_size']}x{payload['time_size']} LR photo "
             f"crop, {payload['threads']} threads; int8 calibration: {cal['patches']} LR patches "
             f"of {cal['patch_size']}x{cal['patch_size']} from {cal['images']} images of "
             f"`{Path(cal['source']).name}`. {host['cpu']}, {host['cores']} cores, "
             f"TensorFlow {host['tensorflow']}, {host['date']}.")
    return title, columns

if __name__ == "__main__":
    main()
