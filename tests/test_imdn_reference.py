"""The released IMDN x4 weights reproduce the reference PSNR-Y through main.py --mode=eval, with
the architecture, its size and the scale detected from the file (no --model)."""

import json

import pytest

from conftest import DATA, SHARED, needs_shared, run_python
from sr_tf.models import build_generator
from sr_tf.weights import detect_file

WEIGHTS = SHARED / "weights" / "imdn" / "IMDN_x4.pth"
# ../shared/weights/imdn/README.md: the official code with these weights, our eval protocol
# (paper: Set5 32.21, Set14 28.58; Set14 differs by the greyscale convention for bridge.png).
REFERENCE = {"Set5": 32.205, "Set14": 28.488}
needs_weights = pytest.mark.skipif(not WEIGHTS.is_file(), reason="../shared/weights/imdn is absent")


@needs_weights
def test_released_weights_are_detected_with_the_official_size():
    found = detect_file(WEIGHTS)        # a legacy (pre-zip) pickle with "module." keys
    assert (found.name, found.scale, found.kwargs) == ("imdn", 4, {"nf": 64, "num_modules": 6})
    assert build_generator("imdn", 4, **found.kwargs).count_params() == 715_176


@needs_shared
@needs_weights
def test_imdn_x4_reference_psnr_on_set5_and_set14(tmp_path):
    sets = ",".join(str(DATA / "val" / name) for name in REFERENCE)
    result = run_python(["main.py", "--mode=eval", f"--weights={WEIGHTS}", f"--eval_dir={sets}",
                         f"--workdir={tmp_path}"])
    assert "detected IMDN" in result.stdout
    for name, reference in REFERENCE.items():
        rows = json.loads((tmp_path / "eval" / f"{name}_x4.json").read_text())
        assert rows[-1]["image"] == "mean"
        assert rows[-1]["psnr_y"] == pytest.approx(reference, abs=0.02), name
