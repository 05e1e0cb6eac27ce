"""DRCT: dense-residual-connected Swin transformer (ming053l/DRCT)."""

from sr_tf.archs.drct.keys import detect, normalise
from sr_tf.archs.drct.model import drct
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="drct", build=drct, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise)
