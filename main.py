"""sr_tf command line: train, evaluate, upscale (predict) and export super-resolution models.

    python main.py --mode=train --model=rrdb                    # configs/rrdb.py
    python main.py --mode=train --config=configs/rrdb.py --config.train.batch_size=8
    python main.py --mode=eval --model=vdsr --weights=vdsr.safetensors --eval_dir=Set5,Set14
    python main.py --mode=predict --model=edsr --input=photos/ --output=upscaled/
    python main.py --mode=export --model=edsr --export_dir=serving/edsr

``--model=NAME`` is shorthand for ``--config=configs/NAME.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags, logging  # noqa: E402
from ml_collections import config_flags  # noqa: E402

CONFIG_DIR = Path(__file__).resolve().parent / "configs"

flags.DEFINE_enum("mode", "train", ["train", "eval", "predict", "export"], "What to do.")
flags.DEFINE_string("model", "quickstart", "Config name in configs/ (shorthand for --config).")
config_flags.DEFINE_config_file("config", None, "ml_collections config file.", lock_config=True)
flags.DEFINE_string("workdir", None, "Run folder: checkpoints, TensorBoard, model.keras "
                    "(default runs/<model>).")
flags.DEFINE_string("weights", None, "Generator for eval/predict/export: a .keras file, or "
                    "PyTorch .pth/.safetensors for --model's architecture (default "
                    "<workdir>/model.keras).")
flags.DEFINE_string("input", None, "predict: an image file or a folder of images.")
flags.DEFINE_string("output", None, "predict: output folder (default <workdir>/predictions).")
flags.DEFINE_list("eval_dir", None, "eval: HR-only benchmark folders (default config.data.val).")
flags.DEFINE_string("export_dir", None, "export: SavedModel base folder (default <workdir>/export).")
flags.DEFINE_integer("export_version", None, "export: version number (default: next free).")
FLAGS = flags.FLAGS


def _with_default_config(argv: list[str]) -> list[str]:
    """Insert ``--config=configs/<model>.py`` when only ``--model`` is given."""
    if any(a == "--config" or a.startswith("--config=") for a in argv):
        return argv
    model = next((a.split("=", 1)[1] for a in argv if a.startswith("--model=")), "quickstart")
    path = CONFIG_DIR / f"{model}.py"
    if not path.is_file():
        names = sorted(p.stem for p in CONFIG_DIR.glob("*.py") if p.stem not in ("__init__", "base"))
        sys.exit(f"error: unknown --model={model}; choose from {', '.join(names)}")
    return argv[:1] + [f"--config={path}"] + argv[1:]


def _load_generator(config):
    from sr_tf.weights import load_generator
    path = FLAGS.weights or str(_workdir(config) / "model.keras")
    m = config.model
    return load_generator(path, m.name, m.scale, **m.kwargs.to_dict())


def _workdir(config) -> Path:
    config_file = config_flags.get_config_filename(FLAGS["config"])
    return Path(FLAGS.workdir or Path("runs") / Path(config_file).stem)


def _upscaler(config):
    from sr_tf.inference import Upscaler
    i = config.infer
    return Upscaler(_load_generator(config), config.model.scale, i.tile_size, i.overlap,
                    i.batch_size, i.self_ensemble)


def run(config) -> None:
    """Dispatch ``--mode``; library errors propagate to :func:`main`."""
    workdir = _workdir(config)
    if FLAGS.mode == "train":
        from sr_tf.train_loop import train
        results = train(config, workdir)
        print(f"\nTrained to step {results['step']}. Outputs in {workdir}/:")
        print(f"  model.keras (EMA generator), checkpoints/, tb/ (tensorboard --logdir {workdir}/tb)")
        if "psnr_y" in results:
            print(f"  validation PSNR-Y {results['psnr_y']:.2f} dB "
                  f"(bicubic {results['bicubic_psnr_y']:.2f} dB), metrics.json")
    elif FLAGS.mode == "eval":
        from sr_tf.evaluate import evaluate_folder, format_table, write_report
        upscaler = _upscaler(config)
        for folder in FLAGS.eval_dir or [config.data.val]:
            rows = evaluate_folder(upscaler, folder)
            name = Path(folder).name or "demo"
            print(f"\n{name} x{config.model.scale}\n{format_table(rows)}")
            csv_path, json_path = write_report(
                rows, workdir / "eval" / f"{name}_x{config.model.scale}")
            print(f"written {csv_path} and {json_path}")
    elif FLAGS.mode == "predict":
        from sr_tf.predict import predict
        if not FLAGS.input:
            raise ValueError("--mode=predict needs --input=<image file or folder>")
        out = Path(FLAGS.output or workdir / "predictions")
        written, problems = predict(_upscaler(config), FLAGS.input, out)
        print(f"{len(written)} images written to {out}; {len(problems)} skipped")
        if problems and not written:
            raise ValueError("no image could be upscaled")
    elif FLAGS.mode == "export":
        from sr_tf.export import export_saved_model
        i = config.infer
        path = export_saved_model(_load_generator(config), config.model.scale,
                                  FLAGS.export_dir or workdir / "export", FLAGS.export_version,
                                  i.tile_size, i.overlap, i.batch_size, i.self_ensemble)
        print(f"SavedModel written to {path}\n  inspect: saved_model_cli show --dir {path} --all")


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    from sr_tf.config_check import check_config
    from sr_tf.errors import USER_ERRORS
    config = FLAGS.config
    try:
        check_config(config)
        run(config)
    except USER_ERRORS as err:
        logging.debug("details", exc_info=True)
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    app.run(main, argv=_with_default_config(sys.argv))
