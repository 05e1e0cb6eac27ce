"""CARN and CARN-M, cascading residual networks (nmhkahn/CARN-pytorch)."""

from sr_tf.archs.carn.keys import NAME, detect, normalise
from sr_tf.archs.carn.model import SCALES, carn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name=NAME, build=carn, scales=SCALES, detect=detect, normalise=normalise)
