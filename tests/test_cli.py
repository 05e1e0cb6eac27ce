"""main.py: clear one-line errors, predict over folders with bad files, eval and export modes."""

import json

import numpy as np

from conftest import run_python, write_png
from sr_tf.models import build_generator


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
    assert "model.scale=3" in line and "(2, 4)" in line
    line = _error_line(run_python(["main.py", "--mode=fly"], check=False))
    assert "mode" in line
    line = _error_line(run_python(["main.py", "--config.infer.overlap=600"], check=False))
    assert "infer.overlap" in line


def test_missing_data_and_model_are_one_line(tmp_path):
    line = _error_line(run_python(["main.py", f"--config.data.train={tmp_path / 'none'}",
                                   f"--workdir={tmp_path}"], check=False))
    assert "data folder not found" in line
    line = _error_line(run_python(["main.py", "--mode=eval", f"--workdir={tmp_path}"],
                                  check=False))
    assert "model.keras: model file not found" in line


def test_predict_folder_skips_bad_files_and_keeps_inputs(tmp_path, rng):
    model = build_generator("edsr", 2, num_blocks=1, filters=8)
    model.save(tmp_path / "m.keras")
    inputs = tmp_path / "in"
    write_png(inputs / "a.png", rng.integers(0, 256, (9, 11, 3)).astype(np.uint8))
    write_png(inputs / "b.png", rng.integers(0, 256, (4, 4)).astype(np.uint8))
    (inputs / "broken.png").write_bytes(b"not a png")
    before = {p.name: p.read_bytes() for p in inputs.iterdir()}
    result = run_python(["main.py", "--mode=predict", "--model=edsr",
                         "--config.model.scale=2", f"--weights={tmp_path / 'm.keras'}",
                         f"--input={inputs}", f"--output={tmp_path / 'out'}"])
    assert "2 images written" in result.stdout and "1 skipped" in result.stdout
    assert "broken.png: not a readable image" in result.stderr
    assert {p.name: p.read_bytes() for p in inputs.iterdir()} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_x2.png", "b_x2.png"]


def test_eval_and_export_modes(tmp_path, rng):
    build_generator("srcnn", 2).save(tmp_path / "m.keras")
    hr = tmp_path / "bench"
    write_png(hr / "x.png", rng.integers(0, 256, (20, 22, 3)).astype(np.uint8))
    common = ["--model=srcnn", "--config.model.scale=2", f"--weights={tmp_path / 'm.keras'}",
              f"--workdir={tmp_path / 'run'}"]
    result = run_python(["main.py", "--mode=eval", f"--eval_dir={hr}", *common])
    assert "psnr_y" in result.stdout and "bicubic_psnr_y" in result.stdout
    rows = json.loads((tmp_path / "run" / "eval" / "bench_x2.json").read_text())
    assert [r["image"] for r in rows] == ["x.png", "mean"]
    assert (tmp_path / "run" / "eval" / "bench_x2.csv").is_file()
    result = run_python(["main.py", "--mode=export", *common])
    assert (tmp_path / "run" / "export" / "1" / "saved_model.pb").is_file()
