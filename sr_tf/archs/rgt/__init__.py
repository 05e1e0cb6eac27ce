"""RGT: Recursive Generalization Transformer (zhengchen1999/RGT)."""

from sr_tf.archs.rgt.keys import detect, normalise
from sr_tf.archs.rgt.model import rgt
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="rgt", build=rgt, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise)
