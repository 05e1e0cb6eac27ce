"""RCAN (Zhang et al. 2018), EDSR-PyTorch and BasicSR weights."""

from __future__ import annotations

from sr_tf.archs.rcan.keys import detect, normalise
from sr_tf.archs.rcan.model import rcan
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="rcan", build=rcan, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise)
