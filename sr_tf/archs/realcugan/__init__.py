"""Real-CUGAN UpCunet 2x/3x/4x, pro and non-pro (bilibili/ailab)."""

from sr_tf.archs.realcugan.keys import NAME, detect, normalise
from sr_tf.archs.realcugan.model import SCALES, realcugan
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name=NAME, build=realcugan, scales=SCALES, detect=detect,
                    normalise=normalise)
