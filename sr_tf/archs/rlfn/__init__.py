"""RLFN, residual local feature network (bytedance/RLFN)."""

from sr_tf.archs.rlfn.keys import NAME, detect, normalise
from sr_tf.archs.rlfn.model import SCALES, rlfn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name=NAME, build=rlfn, scales=SCALES, detect=detect, normalise=normalise)
