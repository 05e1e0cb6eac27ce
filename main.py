"""sr_tf command line: train, evaluate, upscale (predict) and export super-resolution models.

    python main.py --mode=train --model=rrdb                    # configs/rrdb.py
    python main.py --mode=train --config=configs/rrdb.py --config.train.batch_size=8
    python main.py --mode=predict --weights=SwinIR-M_x4.pth --input=photos/   # architecture detected
    python main.py --mode=eval --model=vdsr --weights=vdsr.safetensors --eval_dir=Set5,Set14
    python main.py --mode=export --model=edsr --export_dir=serving/edsr
    python main.py --mode=export --model=edsr --format=litert --quantize=int8
    python main.py --mode=eval --weights=runs/edsr/export_litert/1/edsr_x4_int8.tflite
    python main.py --mode=predict --model=edsr --backend=onnx --input=photos/

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

flags.DEFINE_enum("mode", "train", ["train", "eval", "predict", "export", "degrade"],
                  "What to do (degrade: Real-ESRGAN degradation of --input HR images into "
                  "--output).")
flags.DEFINE_string("model", None, "Config name in configs/ (shorthand for --config); default "
                    "quickstart, or the architecture of PyTorch --weights.")
config_flags.DEFINE_config_file("config", None, "ml_collections config file (default "
                                "configs/quickstart.py).", lock_config=True)
flags.DEFINE_string("workdir", None, "Run folder: checkpoints, TensorBoard, model.keras "
                    "(default runs/<model>).")
flags.DEFINE_string("weights", None, "Generator: a .keras file, or PyTorch .pth/.safetensors "
                    "(architecture detected unless --model is given). eval/predict/export use it "
                    "(default <workdir>/model.keras); train starts from it. eval/predict also "
                    "take an export: a SavedModel folder, a .tflite or an .onnx file.")
flags.DEFINE_string("input", None, "predict: an image file or a folder of images; degrade: a "
                    "folder of HR images.")
flags.DEFINE_string("output", None, "predict: output folder (default <workdir>/predictions); "
                    "degrade: LR folder (default <workdir>/degraded).")
flags.DEFINE_list("eval_dir", None, "eval: HR-only benchmark folders (default config.data.val).")
flags.DEFINE_string("export_dir", None, "export: base folder of the version folders (default "
                    "<workdir>/export for saved_model, <workdir>/export_<format> otherwise).")
flags.DEFINE_integer("export_version", None, "export: version number (default: next free).")
flags.DEFINE_enum("format", "saved_model", ["saved_model", "litert", "onnx"],
                  "export: TF Serving SavedModel, LiteRT .tflite or ONNX .onnx.")
flags.DEFINE_enum("quantize", "none", ["none", "fp16", "int8"],
                  "export --format=litert: float32, float16 weights, or int8 post-training "
                  "quantization calibrated on training patches (see config.export).")
flags.DEFINE_string("calibration", None, "export --quantize=int8: training data for calibration "
                    "(any data.train layout; default config.data.train).")
flags.DEFINE_enum("backend", None, ["tf", "litert", "onnx"],
                  "eval/predict: run on TensorFlow, LiteRT (XNNPACK) or onnxruntime (default: "
                  "the --weights file's own; a Keras model is converted in memory).")
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
    """PyTorch ``--weights``: the file gives the hyper-parameters it stores.

    Without ``--model``/``--config`` it also chooses the architecture, and the inference settings
    (tile, overlap) come from that architecture's config. With ``--model=NAME`` of the same
    architecture, detected values replace the config's defaults; values no file stores
    (``--config.model.kwargs.category_size=16``) and any explicit ones are kept.
    """
    from sr_tf.weights import detect_file, is_torch_file
    if not FLAGS.weights or not is_torch_file(FLAGS.weights):
        return
    if _config_chosen():
        found = detect_file(FLAGS.weights, quiet=True)
        if found is not None and found.name == config.model.name:
            # An explicit scale wins here (CARN's multi-scale files hold x2, x3 and x4).
            scale = None if "scale" in _explicit("model.") else found.scale
            _set_model(config, found.name, scale,
                       {**config.model.kwargs.to_dict(), **found.kwargs}, FLAGS.weights)
            print(f"{FLAGS.weights}: detected {found.description}")
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


def _weights_path(config) -> str:
    return FLAGS.weights or str(_workdir(config) / "model.keras")


def _load_generator(config):
    """The generator to run: --weights, else the run's model.keras; its scale is checked."""
    from sr_tf.artifacts import artifact_kind
    from sr_tf.errors import ConfigError
    from sr_tf.inference import model_scale
    from sr_tf.weights import load_generator
    path = _weights_path(config)
    if artifact_kind(path):
        raise ConfigError(f"--mode={FLAGS.mode} needs a Keras or PyTorch generator; {path} is "
                          f"already an export")
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
    """The upscaler predict/eval run, and a tag naming a non-default runtime (``""`` for the
    Keras model on TensorFlow) for report file names."""
    from sr_tf.artifacts import artifact_kind, generator_upscaler, open_artifact
    i = config.infer
    path = _weights_path(config)
    if artifact_kind(path):
        upscaler, meta = open_artifact(path, FLAGS.backend, i.tile_size, i.overlap, i.batch_size,
                                       i.self_ensemble, i.threads or None)
        _set_model(config, config.model.name, upscaler.scale, config.model.kwargs.to_dict(), path)
        quantize = meta.get("quantize", "none")
        return upscaler, meta["format"] + ("" if quantize == "none" else f"_{quantize}")
    backend = FLAGS.backend or "tf"
    upscaler = generator_upscaler(_load_generator(config), config.model.scale, backend,
                                  config.model.name, i.tile_size, i.overlap, i.batch_size,
                                  i.self_ensemble, i.threads or None)
    return upscaler, "" if backend == "tf" else backend


def _export(config, workdir: Path) -> None:
    """--mode=export in --format; LiteRT and ONNX files are checked against Keras once written."""
    from sr_tf.errors import ConfigError
    i, fmt, quantize = config.infer, FLAGS.format, FLAGS.quantize
    if fmt != "litert" and quantize != "none":
        raise ConfigError(f"--quantize={quantize} applies to --format=litert only")
    if quantize != "int8" and FLAGS.calibration:
        raise ConfigError("--calibration applies to --quantize=int8 only")
    model = _load_generator(config)
    scale = config.model.scale
    if fmt == "saved_model":
        from sr_tf.export import export_saved_model
        path = export_saved_model(model, scale, FLAGS.export_dir or workdir / "export",
                                  FLAGS.export_version, i.tile_size, i.overlap, i.batch_size,
                                  i.self_ensemble)
        print(f"SavedModel written to {path}\n  inspect: saved_model_cli show --dir {path} --all")
        return
    from sr_tf.artifacts import compare_with_keras, open_artifact
    from sr_tf.export import calibration_patches, export_file
    calibration = None
    if quantize == "int8":
        e = config.export
        calibration = calibration_patches(FLAGS.calibration or config.data.train, scale,
                                          e.calibration_patches, e.calibration_patch_size,
                                          e.calibration_images, config.data.layout)
        print(f"int8 calibration: {len(calibration.patches)} LR patches of "
              f"{calibration.size}x{calibration.size} from the first {calibration.images} "
              f"images of {calibration.source}")
    path = export_file(model, scale, FLAGS.export_dir or workdir / f"export_{fmt}", fmt,
                       config.model.name, quantize, calibration, FLAGS.export_version)
    upscaler, _ = open_artifact(path, None, i.tile_size, i.overlap, i.batch_size,
                                threads=i.threads or None)
    check = compare_with_keras(upscaler, model, scale, _check_images())
    runtime = "LiteRT interpreter" if fmt == "litert" else "onnxruntime"
    print(f"{fmt} ({quantize}) written to {path} ({path.stat().st_size / 1e6:.2f} MB)\n"
          f"  {runtime} vs Keras on two photo crops (37x29, 48x64): max difference "
          f"{check['max_diff']}/255, PSNR {check['psnr_db']:.1f} dB")


def _check_images():
    """Two crops of different sizes of a bundled photo, to check an export on real content."""
    from pipelines.discovery import demo_files
    from sr_tf.image_io import read_image
    photo = read_image(demo_files("val")[0])
    return [photo[100:137, 100:129], photo[200:248, 150:214]]


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
        upscaler, tag = _upscaler(config)
        for folder in FLAGS.eval_dir or [config.data.val]:
            rows = evaluate_folder(upscaler, folder, max_pixels=config.infer.max_pixels)
            name = Path(folder).name or "demo"
            report = "_".join(filter(None, [name, f"x{config.model.scale}", tag]))
            print(f"\n{report}\n{format_table(rows)}")
            csv_path, json_path = write_report(rows, workdir / "eval" / report)
            print(f"written {csv_path} and {json_path}")
    elif FLAGS.mode == "predict":
        from sr_tf.predict import predict
        if not FLAGS.input:
            raise ConfigError("--mode=predict needs --input=<image file or folder>")
        out = Path(FLAGS.output or workdir / "predictions")
        written, problems = predict(_upscaler(config)[0], FLAGS.input, out,
                                    max_pixels=config.infer.max_pixels)
        print(f"{len(written)} images written to {out}; {len(problems)} skipped")
        if problems and not written:
            raise ConfigError("no image could be upscaled")
    elif FLAGS.mode == "export":
        _export(config, workdir)
    elif FLAGS.mode == "degrade":
        from sr_tf.degradations.folder import degrade_folder
        if not FLAGS.input:
            raise ConfigError("--mode=degrade needs --input=<folder of HR images>")
        out = Path(FLAGS.output or workdir / "degraded")
        written, problems = degrade_folder(FLAGS.input, out, config)
        print(f"{len(written)} degraded images (+ .json of their draws) written to {out}; "
              f"{len(problems)} skipped")
        if problems and not written:
            raise ConfigError("no image could be degraded")


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    from sr_tf.config_check import check_config
    from sr_tf.errors import UserError
    config = FLAGS.config
    sys.stdout.reconfigure(errors="surrogateescape")   # print non-UTF-8 names as their bytes
    try:
        resolve_model(config)
        check_config(config, FLAGS.mode)
        run(config)
    except (UserError, FileNotFoundError, FileExistsError) as err:
        logging.debug("details", exc_info=True)
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    app.run(main, argv=_with_model_config(sys.argv), flags_parser=_parse_flags)
