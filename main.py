"""sr_tf command line: train, evaluate, upscale (predict) and export super-resolution models.

    python main.py --mode=train --model=rrdb                    # configs/rrdb.py
    python main.py --mode=train --config=configs/rrdb.py --config.train.batch_size=8
    python main.py --mode=predict --weights=SwinIR-M_x4.pth --input=photos/   # architecture detected
    python main.py --mode=eval --model=vdsr --weights=vdsr.safetensors --eval_dir=Set5,Set14
    python main.py --mode=export --model=edsr --export_dir=serving/edsr

``--model=NAME`` (or ``--model NAME``) is shorthand for ``--config=configs/NAME.py``. Without
``--model``, PyTorch ``--weights`` choose the architecture themselves; otherwise the quick-start
config is used.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags, logging  # noqa: E402
from ml_collections import config_flags  # noqa: E402

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
DEFAULT_CONFIG = str(CONFIG_DIR / "quickstart.py")

flags.DEFINE_enum("mode", "train", ["train", "eval", "predict", "export"], "What to do.")
flags.DEFINE_string("model", None, "Config name in configs/ (shorthand for --config); default "
                    "quickstart, or the architecture of PyTorch --weights.")
config_flags.DEFINE_config_file("config", None, "ml_collections config file (default "
                                "configs/quickstart.py).", lock_config=True)
flags.DEFINE_string("workdir", None, "Run folder: checkpoints, TensorBoard, model.keras "
                    "(default runs/<model>).")
flags.DEFINE_string("weights", None, "Generator: a .keras file, or PyTorch .pth/.safetensors "
                    "(architecture detected unless --model is given). eval/predict/export use it "
                    "(default <workdir>/model.keras); train starts from it.")
flags.DEFINE_string("input", None, "predict: an image file or a folder of images.")
flags.DEFINE_string("output", None, "predict: output folder (default <workdir>/predictions).")
flags.DEFINE_list("eval_dir", None, "eval: HR-only benchmark folders (default config.data.val).")
flags.DEFINE_string("export_dir", None, "export: SavedModel base folder (default <workdir>/export).")
flags.DEFINE_integer("export_version", None, "export: version number (default: next free).")
FLAGS = flags.FLAGS


def _with_model_config(argv: list[str]) -> list[str]:
    """Turn ``--model NAME`` / ``--model=NAME`` into ``--config=configs/NAME.py`` as well; with
    neither ``--model`` nor ``--config``, use the quick-start config."""
    argv = list(argv)
    for i, arg in enumerate(argv):
        if arg == "--model" and i + 1 < len(argv):
            argv[i:i + 2] = [f"--model={argv[i + 1]}"]
            break
    if any(a == "--config" or a.startswith("--config=") for a in argv):
        return argv
    model = next((a.split("=", 1)[1] for a in argv if a.startswith("--model=")), None)
    if model is None:
        return argv[:1] + [f"--config={DEFAULT_CONFIG}"] + argv[1:]
    path = CONFIG_DIR / f"{model}.py"
    if not path.is_file():
        names = sorted(p.stem for p in CONFIG_DIR.glob("*.py") if p.stem not in ("__init__", "base"))
        sys.exit(f"error: unknown --model={model}; choose from {', '.join(names)}")
    return argv[:1] + [f"--config={path}"] + argv[1:]


def _parse_flags(argv: list[str]) -> list[str]:
    """absl flag parsing whose errors (unknown flag or config key, bad value) are one line."""
    try:
        return FLAGS(argv)
    except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as err:
        text = str(err).strip("\"'")
        if isinstance(err, (AttributeError, KeyError)):
            text = f"unknown config key {text!r} in {' '.join(a for a in argv[1:] if text in a)}"
        sys.exit(f"error: {text}")


def _explicit(prefix: str) -> list[str]:
    """Config keys under ``prefix`` set on the command line (``--config.<prefix>.<key>=...``)."""
    return [name[len("config.") + len(prefix):] for name in FLAGS
            if name.startswith(f"config.{prefix}") and FLAGS[name].present]


def _set_model(config, name: str, scale: int | None, kwargs: dict, source: str) -> None:
    """Make ``config.model`` describe a given model; explicit command-line values win."""
    import ml_collections
    from sr_tf.errors import ConfigError
    if scale is not None and "scale" in _explicit("model.") and config.model.scale != scale:
        raise ConfigError(f"{source} upscales x{scale}, but --config.model.scale="
                          f"{config.model.scale} was given")
    explicit = {k: config.model.kwargs[k] for k in _explicit("model.kwargs.")}
    with config.unlocked():
        config.model.name = name
        config.model.scale = scale or config.model.scale
        config.model.kwargs = ml_collections.ConfigDict({**kwargs, **explicit})


def _config_chosen() -> bool:
    """Whether the user chose the config (``--model`` or ``--config``), not the default."""
    return FLAGS["model"].present or config_flags.get_config_filename(FLAGS["config"]) != \
        DEFAULT_CONFIG


def resolve_model(config) -> None:
    """PyTorch ``--weights`` without ``--model``/``--config``: the file chooses the architecture,
    and the inference settings (tile, overlap) come from that architecture's config."""
    from sr_tf.weights import detect_file, is_torch_file
    if not FLAGS.weights or not is_torch_file(FLAGS.weights) or _config_chosen():
        return
    found = detect_file(FLAGS.weights)
    _set_model(config, found.name, found.scale, found.kwargs, FLAGS.weights)
    infer = importlib.import_module(f"configs.{found.name}").get_config().infer
    explicit = set(_explicit("infer."))
    with config.unlocked():
        for key, value in infer.items():
            if key not in explicit:
                config.infer[key] = value
    print(f"{FLAGS.weights}: detected {found.description}")


def _load_generator(config):
    """The generator to run: --weights, else the run's model.keras; its scale is checked."""
    from sr_tf.inference import model_scale
    from sr_tf.weights import load_generator
    path = FLAGS.weights or str(_workdir(config) / "model.keras")
    m = config.model
    model = load_generator(path, m.name, m.scale, **m.kwargs.to_dict())
    scale = model_scale(model)
    if scale is not None and scale != m.scale:
        _set_model(config, m.name, scale, m.kwargs.to_dict(), path)
        logging.info("%s upscales x%d: using model.scale=%d", path, scale, scale)
    return model


def _workdir(config) -> Path:
    if FLAGS.workdir:
        return Path(FLAGS.workdir)
    if not _config_chosen() and FLAGS.weights:
        return Path("runs") / config.model.name
    return Path("runs") / Path(config_flags.get_config_filename(FLAGS["config"])).stem


def _upscaler(config):
    from sr_tf.inference import Upscaler
    model = _load_generator(config)
    i = config.infer
    return Upscaler(model, config.model.scale, i.tile_size, i.overlap, i.batch_size,
                    i.self_ensemble)


def run(config) -> None:
    """Dispatch ``--mode``; library errors propagate to :func:`main`."""
    from sr_tf.errors import ConfigError
    workdir = _workdir(config)
    if FLAGS.mode == "train":
        from sr_tf.train_loop import train
        if FLAGS.weights:
            if config.train.init_from and config.train.init_from != FLAGS.weights:
                raise ConfigError("--weights and --config.train.init_from name different "
                                  "starting points; give one")
            with config.unlocked():
                config.train.init_from = FLAGS.weights
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
            raise ConfigError("--mode=predict needs --input=<image file or folder>")
        out = Path(FLAGS.output or workdir / "predictions")
        written, problems = predict(_upscaler(config), FLAGS.input, out)
        print(f"{len(written)} images written to {out}; {len(problems)} skipped")
        if problems and not written:
            raise ConfigError("no image could be upscaled")
    elif FLAGS.mode == "export":
        from sr_tf.export import export_saved_model
        model = _load_generator(config)
        i = config.infer
        path = export_saved_model(model, config.model.scale,
                                  FLAGS.export_dir or workdir / "export", FLAGS.export_version,
                                  i.tile_size, i.overlap, i.batch_size, i.self_ensemble)
        print(f"SavedModel written to {path}\n  inspect: saved_model_cli show --dir {path} --all")


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    from sr_tf.config_check import check_config
    from sr_tf.errors import UserError
    config = FLAGS.config
    try:
        resolve_model(config)
        check_config(config, FLAGS.mode)
        run(config)
    except (UserError, FileNotFoundError, FileExistsError) as err:
        logging.debug("details", exc_info=True)
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    app.run(main, argv=_with_model_config(sys.argv), flags_parser=_parse_flags)
