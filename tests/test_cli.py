"""main.py: clear one-line errors (and tracebacks for bugs), both --model spellings, predict over
folders with bad files and colliding names, eval on small images, export, scale checks."""

import json
import os
import stat

import numpy as np
import pytest

from conftest import ROOT, SHARED, run_python, write_png
from sr_tf.models import build_generator

TINY = ROOT / "tests" / "helpers" / "tiny_config.py"


def _error_line(result):
    lines = [l for l in result.stderr.strip().splitlines() if l.startswith(("error:", "FATAL"))]
    assert result.returncode != 0 and len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return lines[0]


def test_bad_flags_and_config_values_end_in_one_line():
    assert "unknown --model=nope" in _error_line(run_python(["main.py", "--model=nope"],
                                                            check=False))
    line = _error_line(run_python(["main.py", "--model=rrdb", "--config.model.scale=3"],
                                  check=False))
    assert "model.scale=3" in line and "(1, 2, 4, 8)" in line
    line = _error_line(run_python(["main.py", "--mode=fly"], check=False))
    assert "mode" in line
    line = _error_line(run_python(["main.py", "--config.infer.overlap=600"], check=False))
    assert "infer.overlap" in line
    line = _error_line(run_python(["main.py", "--config.model.kwargs.nope=1"], check=False))
    assert "unknown config key" in line and "nope" in line
    line = _error_line(run_python(["main.py", "--model", "rrdb", "--config.model.scale=3"],
                                  check=False))                 # --model NAME spelling
    assert "rrdb supports (1, 2, 4, 8)" in line


def test_a_bug_shows_its_traceback_not_one_line(tmp_path):
    # A negative filter count is not a user-input check we make: Keras raises ValueError inside
    # the model builder, which must surface as a traceback, not as a tidy one-line "error:".
    result = run_python(["main.py", f"--workdir={tmp_path}", "--config.model.kwargs.filters=-1"],
                        check=False)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_missing_data_and_model_are_one_line(tmp_path):
    line = _error_line(run_python(["main.py", f"--config.data.train={tmp_path / 'none'}",
                                   f"--workdir={tmp_path}"], check=False))
    assert "data folder not found" in line
    line = _error_line(run_python(["main.py", "--mode=eval", f"--workdir={tmp_path}"],
                                  check=False))
    assert "model.keras: model file not found" in line


def test_predict_folder_skips_bad_files_keeps_inputs_and_every_output(tmp_path, rng):
    import cv2
    model = build_generator("edsr", 2, num_blocks=1, filters=8)
    model.save(tmp_path / "m.keras")
    inputs = tmp_path / "in"
    write_png(inputs / "a.png", rng.integers(0, 256, (9, 11, 3)).astype(np.uint8))
    cv2.imwrite(str(inputs / "a.jpg"), rng.integers(0, 256, (7, 5, 3)).astype(np.uint8))
    write_png(inputs / "b.png", rng.integers(0, 256, (4, 4)).astype(np.uint8))
    (inputs / "broken.png").write_bytes(b"not a png")
    before = {p.name: p.read_bytes() for p in inputs.iterdir()}
    old_umask = os.umask(0o022)
    try:
        result = run_python(["main.py", "--mode=predict", "--model=edsr",
                             "--config.model.scale=2", f"--weights={tmp_path / 'm.keras'}",
                             f"--input={inputs}", f"--output={tmp_path / 'out'}"])
    finally:
        os.umask(old_umask)
    assert "3 images written" in result.stdout and "1 skipped" in result.stdout
    assert "broken.png: not a readable image" in result.stderr
    assert {p.name: p.read_bytes() for p in inputs.iterdir()} == before
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["a_jpg_x2.png", "a_png_x2.png", "b_x2.png"]
    assert cv2.imread(str(out / "a_jpg_x2.png")).shape == (14, 10, 3)   # a.jpg's own output
    for path in out.iterdir():                  # readable by others, as a normal file would be
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_eval_and_export_modes(tmp_path, rng):
    build_generator("srcnn", 2).save(tmp_path / "m.keras")
    hr = tmp_path / "bench"
    write_png(hr / "x.png", rng.integers(0, 256, (20, 22, 3)).astype(np.uint8))
    write_png(hr / "y.png", rng.integers(0, 256, (14, 30, 3)).astype(np.uint8))   # 10 px shaved
    write_png(hr / "z.png", rng.integers(0, 256, (4, 9, 3)).astype(np.uint8))     # nothing left
    common = ["--model=srcnn", "--config.model.scale=2", f"--weights={tmp_path / 'm.keras'}",
              f"--workdir={tmp_path / 'run'}"]
    result = run_python(["main.py", "--mode=eval", f"--eval_dir={hr}", *common])
    assert "psnr_y" in result.stdout and "bicubic_psnr_y" in result.stdout
    rows = json.loads((tmp_path / "run" / "eval" / "bench_x2.json").read_text())
    assert [r["image"] for r in rows] == ["x.png", "y.png", "mean"]
    assert all(0 < r["ssim_y"] <= 1 for r in rows)
    assert "z.png: 9x4 leaves no pixel to score" in result.stderr
    assert (tmp_path / "run" / "eval" / "bench_x2.csv").is_file()
    result = run_python(["main.py", "--mode=export", *common])
    assert (tmp_path / "run" / "export" / "1" / "saved_model.pb").is_file()


def test_keras_model_scale_is_checked_against_the_config(tmp_path, rng):
    build_generator("edsr", 3, num_blocks=1, filters=8).save(tmp_path / "x3.keras")
    write_png(tmp_path / "in.png", rng.integers(0, 256, (6, 5, 3)).astype(np.uint8))
    common = ["main.py", "--mode=predict", f"--weights={tmp_path / 'x3.keras'}",
              f"--input={tmp_path / 'in.png'}", f"--output={tmp_path / 'out'}"]
    line = _error_line(run_python(common + ["--config.model.scale=2"], check=False))
    assert "x3.keras upscales x3, but --config.model.scale=2 was given" in line
    run_python(common)                      # no scale given: the model's x3 is used
    from sr_tf.image_io import read_image
    assert read_image(tmp_path / "out" / "in_x3.png").shape == (18, 15, 3)


def test_weights_in_train_mode_are_the_starting_point(tmp_path, rng):
    data = tmp_path / "data"
    for i in range(2):
        write_png(data / f"{i}.png", rng.integers(0, 256, (32, 32, 3)).astype(np.uint8))
    start = build_generator("edsr", 2, num_blocks=1, filters=8)
    start.save(tmp_path / "start.keras")
    result = run_python(["main.py", "--mode=train", f"--config={TINY}",
                         f"--workdir={tmp_path / 'run'}", f"--weights={tmp_path / 'start.keras'}",
                         "--config.train.steps=1"], env={"SR_TF_TEST_DATA": str(data)})
    assert f"initialised the generator from {tmp_path / 'start.keras'}" in result.stderr


@pytest.mark.skipif(not (SHARED / "fixtures" / "official").is_dir(),
                    reason="needs ../shared/fixtures/official")
@pytest.mark.parametrize("case,model", [
    ("srvgg_x4", "srvgg"),
    pytest.param("rrdb_x4", "rrdb", marks=pytest.mark.extended)])
def test_a_run_from_pth_weights_starts_at_their_score(case, model, tmp_path, rng):
    """Fine-tuning starts where the imported model is: the step-0 validation of a run started
    from the official BasicSR ``.pth`` (SRVGG; RRDB in the extended run; kwargs detected),
    trained in mixed_bfloat16, equals ``--mode=eval`` of that file (float32) on the same
    folder. Deliberate bugs seen failing (with SAFMN's community file, the test's first form):
    no step-0 validation; the EMA (what is validated and saved) left at its random init while
    the generator got the weights; validating the bfloat16 EMA itself (7.1826 against 7.1735
    dB)."""
    weights = SHARED / "fixtures" / "official" / case / "weights.pth"
    data, val = tmp_path / "data", tmp_path / "val"
    for i in range(2):
        write_png(data / f"{i}.png", rng.integers(0, 256, (64, 64, 3)).astype(np.uint8))
        write_png(val / f"{i}.png", rng.integers(0, 256, (48, 64, 3)).astype(np.uint8))
    common = ["main.py", f"--model={model}", f"--weights={weights}", "--config.model.scale=4",
              f"--config.data.val={val}", f"--workdir={tmp_path / 'run'}"]
    run_python([*common, "--mode=train", f"--config.data.train={data}",
                "--config.data.patch_size=32", "--config.train.batch_size=2",
                "--config.train.steps=1", "--config.train.progress=False",
                "--config.train.precision=mixed_bfloat16"])
    run_python([*common, "--mode=eval"])
    first = json.loads((tmp_path / "run" / "validation.jsonl").read_text().splitlines()[0])
    mean = json.loads((tmp_path / "run" / "eval" / "val_x4.json").read_text())[-1]
    assert first["step"] == 0
    assert abs(first["psnr_y"] - mean["psnr_y"]) < 1e-4, (first, mean)
    assert abs(first["ssim_y"] - mean["ssim_y"]) < 1e-6


def test_validation_panels_and_ssim_work_on_small_images_of_mixed_sizes(tmp_path, rng):
    from sr_tf.inference import Upscaler
    from sr_tf.train_loop import validate
    for name, shape in {"a.png": (40, 60), "b.png": (100, 30), "c.png": (14, 14)}.items():
        write_png(tmp_path / name, rng.integers(0, 256, (*shape, 3)).astype(np.uint8))
    upscaler = Upscaler(build_generator("edsr", 2, num_blocks=1, filters=8), 2)
    results, panels = validate(upscaler, str(tmp_path), 5)
    assert len(panels) == 3 and len({p.shape for p in panels}) == 1
    assert np.isfinite(results["ssim_y"])


def test_realesrgan_degradation_is_refused_for_a_y_channel_model():
    """Real-ESRGAN degrades RGB images, so a Y-channel model (VDSR) with it is one config line.
    Deliberate bug seen failing: the check read a registry removed in the layout move
    (``GENERATORS``), so any Real-ESRGAN config crashed with a NameError instead."""
    from configs import realesrnet, vdsr
    from sr_tf.config_check import check_config
    from sr_tf.errors import ConfigError

    config = vdsr.get_config()
    config.data.degradation = "realesrgan"
    config.degradation = realesrnet.get_config().degradation
    with pytest.raises(ConfigError, match="needs an RGB generator, not vdsr"):
        check_config(config)
    check_config(realesrnet.get_config())            # the RGB recipe itself passes


def test_a_patch_too_small_for_the_degradation_blurs_is_one_line():
    """The 21x21 blurs reflect-pad by 10, so a crop that stage 1 may shrink to 10 px or less
    cannot be degraded; the 51-tap USM of the targets pads by 25. Deliberate bugs seen failing:
    no such check, so training died in a MirrorPad traceback at its first step ("paddings must
    be less than the dimension size"); and for a 16-px gt_size, USM silently clamped its
    reflection indices (a wrong target, no error)."""
    from configs import realesrnet
    from sr_tf.config_check import check_config
    from sr_tf.errors import ConfigError

    config = realesrnet.get_config()
    config.data.patch_size, config.degradation.gt_size = 64, 32      # 64 x 0.15 -> 9 px
    with pytest.raises(ConfigError, match=r"data.patch_size=64 is too small .* shrinks to 9 px"):
        check_config(config)
    config.degradation.resize_range = (0.5, 1.5)                   # 32 px and 16 px: fine
    check_config(config)
    config.degradation.gt_size = 24                                # USM pads by 25
    with pytest.raises(ConfigError, match=r"gt_size=24 must be over 25"):
        check_config(config)
