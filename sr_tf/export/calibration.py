"""int8 calibration data: LR patches cut from the training data, chosen deterministically.

Rule (recorded in every int8 file's metadata): take the first ``images`` LR images of the source
in the order training reads them (file-name order; for ``hr_only`` folders the LR is made by
MATLAB bicubic, as in training), and cut ``patches`` square LR patches of ``size`` pixels spread
evenly over those images (patch ``k`` from image ``k mod images``), at positions drawn from
``numpy.random.default_rng(0)``. Images smaller than a patch are skipped as training skips them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sr_tf.export.portable import ExportError


@dataclass
class Calibration:
    """The chosen patches and a description of where they came from."""

    source: str
    size: int
    patches: list[np.ndarray] = field(default_factory=list)
    images: int = 0

    def describe(self) -> dict:
        return {"source": self.source, "patches": len(self.patches), "patch_size": self.size,
                "images": self.images, "selection": "patch k from image k mod images (training "
                "order), top-left corners from numpy default_rng(0)"}


def calibration_patches(source: str, scale: int, patches: int = 128, size: int = 64,
                        images: int = 32, layout: str = "auto") -> Calibration:
    """``patches`` uint8 LR patches ``[size, size, 3]`` from training source ``source``."""
    from pipelines.training import decoded_images
    if patches < 1 or size < 1 or images < 1:
        raise ExportError(f"calibration needs positive patches ({patches}), patch size ({size}) "
                          f"and images ({images})")
    lrs = []
    for lr, _ in decoded_images(str(source), scale, size * scale, layout):
        if min(lr.shape[:2]) >= size:           # TFRecord shards are not checked beforehand
            lrs.append(lr.numpy())
        if len(lrs) == images:
            break
    if not lrs:
        raise ExportError(f"{source}: no calibration image of at least {size * scale} pixels")
    rng = np.random.default_rng(0)
    chosen = []
    for k in range(patches):
        lr = lrs[k % len(lrs)]
        y = int(rng.integers(0, lr.shape[0] - size + 1))
        x = int(rng.integers(0, lr.shape[1] - size + 1))
        chosen.append(lr[y:y + size, x:x + size])
    return Calibration(str(source), size, chosen, len(lrs))
