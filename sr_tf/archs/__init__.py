"""The generator architectures, one package each (see :mod:`sr_tf.archs.spec`).

:data:`ARCHITECTURES` is the one list that registers them. Detection must be unambiguous: at
most one architecture claims any state dict (tested on every fixture), so the order is only the
order in which they are listed.
"""

from __future__ import annotations

from sr_tf.archs import bsrn, carn, pan, realcugan, rlfn, swiftsrgan
from sr_tf.archs.spec import Architecture, Detected

ARCHITECTURES: tuple[Architecture, ...] = (
    swiftsrgan.ARCH,
    rlfn.ARCH,
    pan.ARCH,
    bsrn.ARCH,
    carn.ARCH,
    realcugan.ARCH,
)


def find(name: str) -> Architecture | None:
    """The registered architecture called ``name``, or None."""
    return next((a for a in ARCHITECTURES if a.name == name), None)


__all__ = ["ARCHITECTURES", "Architecture", "Detected", "find"]
