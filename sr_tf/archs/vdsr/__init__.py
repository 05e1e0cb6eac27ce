"""VDSR (Kim et al. 2016), twtygqyy/pytorch-vdsr weights."""

from __future__ import annotations

from sr_tf.archs.vdsr.keys import detect
from sr_tf.archs.vdsr.model import vdsr
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="vdsr", build=vdsr, scales=(2, 3, 4), detect=detect, channels="y")
