"""Reference VDSR weights reproduce the published Set5 PSNR through main.py --mode=eval."""

import json

import pytest

from conftest import DATA, SHARED, needs_shared, run_python

WEIGHTS = SHARED / "weights" / "vdsr" / "vdsr_x234.safetensors"
REFERENCE = {2: 37.65, 3: 33.77, 4: 31.45}    # pytorch-vdsr README, Set5, Y channel


@needs_shared
@pytest.mark.skipif(not WEIGHTS.is_file(), reason="../shared/weights/vdsr is absent")
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_vdsr_reference_psnr_on_set5(scale, tmp_path):
    run_python(["main.py", "--mode=eval", "--model=vdsr", f"--config.model.scale={scale}",
                f"--weights={WEIGHTS}", f"--eval_dir={DATA / 'val' / 'Set5'}",
                f"--workdir={tmp_path}", "--config.infer.tile_size=512"])
    rows = json.loads((tmp_path / "eval" / f"Set5_x{scale}.json").read_text())
    assert rows[-1]["image"] == "mean" and len(rows) == 6
    assert rows[-1]["psnr_y"] == pytest.approx(REFERENCE[scale], abs=0.05)
    assert rows[-1]["psnr_y"] > rows[-1]["bicubic_psnr_y"] + 3.0
