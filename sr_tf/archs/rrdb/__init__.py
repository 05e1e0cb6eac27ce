"""RRDBNet, the ESRGAN generator: Real-ESRGAN/BasicSR, ESRGAN and original-layout weights."""

from __future__ import annotations

from sr_tf.archs.rrdb.keys import detect, normalise
from sr_tf.archs.rrdb.model import SCALES, rrdb
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="rrdb", build=rrdb, scales=SCALES, detect=detect, normalise=normalise)
