"""SavedModel export: signatures, fresh-process reload equals Keras, versions, atomicity."""

import subprocess
import sys

import numpy as np

from conftest import ROOT, run_python
from sr_tf.export import export_saved_model
from sr_tf.inference import Upscaler
from sr_tf.models import build_generator


def test_export_reload_in_fresh_process_matches_keras(tmp_path, rng):
    model = build_generator("edsr", 2, num_blocks=1, filters=16)
    path = export_saved_model(model, 2, tmp_path / "export", tile_size=16, overlap=12)
    assert path == tmp_path / "export" / "1"
    assert [p.name for p in (tmp_path / "export").iterdir()] == ["1"]     # no temp folder left
    image = rng.integers(0, 256, (13, 21, 3)).astype(np.uint8)
    np.save(tmp_path / "image.npy", image)
    run_python(["tests/helpers/serve_saved_model.py", str(path), str(tmp_path / "image.npy"),
                str(tmp_path / "out.npz")])
    out = np.load(tmp_path / "out.npz")
    expected = Upscaler(model, 2, tile_size=16, overlap=12)(image).numpy()
    np.testing.assert_array_equal(out["plain"], expected)
    np.testing.assert_array_equal(out["decoded"], expected)
    ensemble = Upscaler(model, 2, tile_size=8, overlap=6, ensemble=True)(image).numpy()
    np.testing.assert_array_equal(out["options"], ensemble)
    assert out["plain"].shape == (26, 42, 3) and out["plain"].dtype == np.uint8


def test_saved_model_cli_shows_the_signatures(tmp_path):
    path = export_saved_model(build_generator("srcnn", 3), 3, tmp_path / "export")
    cli = ROOT / ".venv" / "bin" / "saved_model_cli"
    command = [str(cli)] if cli.exists() else [sys.executable, "-m",
                                               "tensorflow.python.tools.saved_model_cli"]
    shown = subprocess.run(command + ["show", "--dir", str(path), "--all"], capture_output=True,
                           text=True, check=True).stdout
    for name in ("serving_default", "upscale_with_options", "upscale_bytes",
                 "upscale_bytes_with_options", "image_bytes", "tile_size", "self_ensemble"):
        assert name in shown
    assert "dtype: DT_UINT8" in shown and "shape: (-1, -1, 3)" in shown


def test_versions_increase_and_existing_version_is_refused(tmp_path):
    model = build_generator("srcnn", 2)
    assert export_saved_model(model, 2, tmp_path).name == "1"
    assert export_saved_model(model, 2, tmp_path).name == "2"
    import pytest
    with pytest.raises(FileExistsError, match="already exists"):
        export_saved_model(model, 2, tmp_path, version=1)
