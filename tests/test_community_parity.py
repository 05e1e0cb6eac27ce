"""Community architectures against their official code (../shared/fixtures/community).

Each fixture holds weights made with the official definition (a ``.pth`` wrapped as the
releases are, and/or ``.safetensors``), an odd-sized input and the official output. The
architecture is detected from the weights alone; hyper-parameters no state dict stores (the
architecture's ``config_only``) come from the fixture's meta.json, as a user passes them with
``--config.model.kwargs.NAME``. A fixture whose architecture is not in
:data:`sr_tf.archs.ARCHITECTURES` yet is skipped, naming it.
"""

import json

import numpy as np
import pytest

from conftest import SHARED, run_python
from sr_tf import archs
from sr_tf.image_io import read_image
from sr_tf.torch_files import load_state_dict
from sr_tf.weights import detect_architecture, load_generator

COMMUNITY = SHARED / "fixtures" / "community"
CASES = sorted(p.name for p in COMMUNITY.iterdir() if p.is_dir()) if COMMUNITY.is_dir() else []
# The CLI round trip (detect, import, tile, round, write a PNG) is the same code for every
# architecture: by default it runs on five cheap fixtures of different families.
CLI_BY_DEFAULT = {"esrgan_old_x1", "mosr_gps_x3", "plksr_tiny_dccm_x2", "realcugan_x2",
                  "mosr_dys_x2"}
EXTENDED_CASES = {"test_predict_cli_reproduces_the_official_png": set(CASES) - CLI_BY_DEFAULT}
needs_fixtures = pytest.mark.skipif(not CASES, reason="../shared/fixtures/community is absent")

# fixture folder prefix -> our architecture name
ARCH_OF = {"atd": "atd", "bsrn": "bsrn", "carn": "carn", "craft": "craft", "dat": "dat",
           "dctlsa": "dctlsa", "ditn": "ditn", "drct": "drct", "esrgan": "rrdb", "fdat": "fdat",
           "grl": "grl", "moesr": "moesr", "mosr": "mosr", "omnisr": "omnisr", "pan": "pan",
           "plksr": "plksr", "realcugan": "realcugan", "realplksr": "realplksr", "rgt": "rgt",
           "rlfn": "rlfn", "safmn": "safmn", "seemore": "seemore", "span": "span",
           "swiftsrgan": "swiftsrgan", "swin2sr": "swin2sr"}


# The official output is defined up to the order of equal keys in an unstable sort: ATD groups
# tokens by ``torch.sort(stable=False)`` of their category, and ties are ordered by libstdc++'s
# std::sort on CPU (another order on GPU). Ours is stable, 1.7e-3 off; test_atd_sort_order.py
# shows the port equal to 2.4e-7 once std::sort's order is substituted.
TIE_ORDER_TOLERANCE = {"atd": 2e-3}


def _meta(case: str) -> dict:
    return json.loads((COMMUNITY / case / "meta.json").read_text())


def _arch_name(case: str) -> str:
    return ARCH_OF[case.split("_")[0]]


def _ported(case: str) -> str:
    name = _arch_name(case)
    if name != "rrdb" and archs.find(name) is None:
        pytest.skip(f"{case}: architecture {name!r} is not ported yet")
    return name


def config_only(case: str) -> dict:
    """The hyper-parameters of ``case`` that its weights cannot tell (official names)."""
    arch = archs.find(_arch_name(case))
    kwargs = _meta(case)["kwargs"]
    return {k: kwargs[k] for k in (arch.config_only if arch else ()) if k in kwargs}


def _weight_files(case: str) -> list[str]:
    return [f for f in ("weights.pth", "weights.safetensors") if (COMMUNITY / case / f).is_file()]


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_import_reproduces_the_official_output(case):
    _ported(case)
    expected = np.load(COMMUNITY / case / "sr.npy")
    lr = read_image(COMMUNITY / case / "lr.png").astype("float32") / 255.0
    for file in _weight_files(case):
        model = load_generator(COMMUNITY / case / file, **config_only(case))
        out = np.asarray(model(lr[None], training=False))[0]
        assert out.shape == expected.shape == tuple(_meta(case)["sr_shape"]), file
        assert np.abs(out - expected).max() <= TIE_ORDER_TOLERANCE.get(_arch_name(case), 2e-4), file


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_detection_names_the_architecture_and_scale(case):
    name = _ported(case)
    state = load_state_dict(COMMUNITY / case / _weight_files(case)[0])
    found = detect_architecture(state)
    assert (found.name, found.scale) == (name, _meta(case)["scale"]), found.description


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_predict_cli_reproduces_the_official_png(case, tmp_path):
    name = _ported(case)
    # Values no file stores are set as a user would: --model=NAME --config.model.kwargs.K=V.
    overrides = [f"--config.model.kwargs.{k}={v}" for k, v in config_only(case).items()]
    overrides = [f"--model={name}", *overrides] if overrides else []
    weights = COMMUNITY / case / _weight_files(case)[0]
    result = run_python(["main.py", "--mode=predict", f"--weights={weights}",
                         f"--input={COMMUNITY / case / 'lr.png'}", f"--output={tmp_path}",
                         f"--workdir={tmp_path / 'run'}", *overrides])
    assert "detected" in result.stdout
    (written,) = tmp_path.glob("lr_x*.png")
    ours = read_image(written).astype(int)
    assert np.abs(ours - read_image(COMMUNITY / case / "sr.png").astype(int)).max() <= 1
