"""RRDBNet, the ESRGAN generator, Real-ESRGAN/BasicSR and original ESRGAN weights."""

from __future__ import annotations

from sr_tf.archs.rrdb.keys import detect, normalise
from sr_tf.archs.rrdb.model import rrdb
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="rrdb", build=rrdb, scales=(2, 4), detect=detect, normalise=normalise)
