"""PAN, pixel attention network (zhaohengyuan1/PAN)."""

from sr_tf.archs.pan.keys import NAME, detect, normalise
from sr_tf.archs.pan.model import SCALES, pan
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name=NAME, build=pan, scales=SCALES, detect=detect, normalise=normalise)
