"""The generator architectures, one package each (see :mod:`sr_tf.archs.spec`).

:data:`ARCHITECTURES` is the one list that registers them: ``--model`` names, builders, scales,
weight detection and key mapping all come from it. Adding an architecture touches one folder,
``sr_tf/archs/<name>/`` (``model.py``, ``keys.py``, ``__init__.py`` with ``ARCH``), one config,
``configs/<name>.py``, and the registry here (its import, one entry in the list). Detection must
be unambiguous: at most one architecture claims any state dict (tests/test_detection.py runs
every ``detect`` on every fixture), so the order is only the order in which they are listed.
"""

from __future__ import annotations

from sr_tf.archs import atd
from sr_tf.archs import bsrn
from sr_tf.archs import carn
from sr_tf.archs import craft
from sr_tf.archs import dat
from sr_tf.archs import dctlsa
from sr_tf.archs import ditn
from sr_tf.archs import drct
from sr_tf.archs import edsr
from sr_tf.archs import fdat
from sr_tf.archs import grl
from sr_tf.archs import hat
from sr_tf.archs import imdn
from sr_tf.archs import moesr
from sr_tf.archs import mosr
from sr_tf.archs import omnisr
from sr_tf.archs import pan
from sr_tf.archs import plksr
from sr_tf.archs import rcan
from sr_tf.archs import rdn
from sr_tf.archs import realcugan
from sr_tf.archs import realplksr
from sr_tf.archs import rgt
from sr_tf.archs import rlfn
from sr_tf.archs import rrdb
from sr_tf.archs import safmn
from sr_tf.archs import seemore
from sr_tf.archs import span
from sr_tf.archs import srcnn
from sr_tf.archs import srresnet
from sr_tf.archs import srvgg
from sr_tf.archs import swiftsrgan
from sr_tf.archs import swin2sr
from sr_tf.archs import swinir
from sr_tf.archs import vdsr
from sr_tf.archs.spec import Architecture, Detected

ARCHITECTURES: tuple[Architecture, ...] = (
    swinir.ARCH,
    hat.ARCH,
    rrdb.ARCH,
    rcan.ARCH,
    edsr.ARCH,
    rdn.ARCH,
    imdn.ARCH,
    srvgg.ARCH,
    vdsr.ARCH,
    srcnn.ARCH,
    srresnet.ARCH,
    atd.ARCH,
    bsrn.ARCH,
    carn.ARCH,
    craft.ARCH,
    dat.ARCH,
    dctlsa.ARCH,
    ditn.ARCH,
    drct.ARCH,
    fdat.ARCH,
    grl.ARCH,
    moesr.ARCH,
    mosr.ARCH,
    omnisr.ARCH,
    pan.ARCH,
    plksr.ARCH,
    realcugan.ARCH,
    realplksr.ARCH,
    rgt.ARCH,
    rlfn.ARCH,
    safmn.ARCH,
    seemore.ARCH,
    span.ARCH,
    swiftsrgan.ARCH,
    swin2sr.ARCH,
)


def find(name: str) -> Architecture | None:
    """The registered architecture called ``name``, or None."""
    return next((a for a in ARCHITECTURES if a.name == name), None)


__all__ = ["ARCHITECTURES", "Architecture", "Detected", "find"]
