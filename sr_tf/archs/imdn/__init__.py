"""IMDN (Hui et al. 2019), Zheng222/IMDN weights."""

from __future__ import annotations

from sr_tf.archs.imdn.keys import detect
from sr_tf.archs.imdn.model import imdn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="imdn", build=imdn, scales=(2, 3, 4), detect=detect)
