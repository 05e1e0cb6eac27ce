"""SRCNN (Dong et al. 2014): no published weights layout is read, so nothing is detected."""

from __future__ import annotations

from sr_tf.archs.srcnn.model import srcnn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="srcnn", build=srcnn, scales=(2, 3, 4), channels="y")
