"""DAT: Dual Aggregation Transformer (zhengchen1999/DAT)."""

from sr_tf.archs.dat.keys import detect, normalise
from sr_tf.archs.dat.model import dat
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="dat", build=dat, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise)
