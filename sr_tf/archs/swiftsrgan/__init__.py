"""Swift-SRGAN generator (Koushik0901/Swift-SRGAN)."""

from sr_tf.archs.spec import Architecture
from sr_tf.archs.swiftsrgan.keys import NAME, detect, normalise
from sr_tf.archs.swiftsrgan.model import SCALES, swiftsrgan

ARCH = Architecture(name=NAME, build=swiftsrgan, scales=SCALES, detect=detect,
                    normalise=normalise)
