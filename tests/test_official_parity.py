"""Every architecture against the official PyTorch code (../shared/fixtures/official).

Each fixture holds official weights (zip ``.pth`` and ``.safetensors``), an input and the
official output. The architecture is detected from the weights; hyper-parameters a state dict
cannot hold come from the fixture's meta.json.
"""

import json

import numpy as np
import pytest

from conftest import SHARED, run_python
from sr_tf.image_io import read_image
from sr_tf.torch_files import load_state_dict
from sr_tf.weights import detect_architecture, load_generator

OFFICIAL = SHARED / "fixtures" / "official"
CASES = sorted(p.name for p in OFFICIAL.iterdir() if p.is_dir()) if OFFICIAL.is_dir() else []
# The CLI round trip is the same code for every architecture: by default it runs on three.
CLI_BY_DEFAULT = {"srvgg_x4", "rrdb_x4", "rdn_x4"}
EXTENDED_CASES = {"test_predict_cli_reproduces_the_official_png": set(CASES) - CLI_BY_DEFAULT}
needs_fixtures = pytest.mark.skipif(not CASES, reason="../shared/fixtures/official is absent")


def _meta(case: str) -> dict:
    return json.loads((OFFICIAL / case / "meta.json").read_text())


def undetectable(meta: dict) -> dict:
    """Constructor arguments that no state dict stores (our kwarg names)."""
    if meta["architecture"] == "EDSR":
        return {"res_scale": float(meta["kwargs"].get("res_scale", 1.0))}
    return {}


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("file", ["weights.pth", "weights.safetensors"])
def test_import_reproduces_the_official_output(case, file):
    meta = _meta(case)
    model = load_generator(OFFICIAL / case / file, **undetectable(meta))
    lr = read_image(OFFICIAL / case / "lr.png").astype("float32") / 255.0
    expected = np.load(OFFICIAL / case / "sr.npy")
    out = np.asarray(model(lr[None], training=False))[0]
    assert out.shape == expected.shape == tuple(meta["sr_shape"])
    assert np.abs(out - expected).max() <= 2e-4


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_detection_finds_the_scale(case):
    found = detect_architecture(load_state_dict(OFFICIAL / case / "weights.pth"))
    assert found.scale == _meta(case)["scale"], found.description


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_predict_cli_reproduces_the_official_png(case, tmp_path):
    meta = _meta(case)
    overrides = [f"--config.model.kwargs.{k}={v}" for k, v in undetectable(meta).items()]
    result = run_python(["main.py", "--mode=predict", f"--weights={OFFICIAL / case / 'weights.pth'}",
                         f"--input={OFFICIAL / case / 'lr.png'}", f"--output={tmp_path}",
                         f"--workdir={tmp_path / 'run'}", *overrides])
    assert "detected" in result.stdout
    (written,) = tmp_path.glob("lr_x*.png")
    ours = read_image(written).astype(int)
    assert np.abs(ours - read_image(OFFICIAL / case / "sr.png").astype(int)).max() <= 1
