"""SAFMN (sunny2109/SAFMN): spatially-adaptive feature modulation with multi-scale max pooling."""

from sr_tf.archs.safmn import keys
from sr_tf.archs.safmn.model import safmn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="safmn", build=safmn, scales=(1, 2, 3, 4, 8), detect=keys.detect,
                    normalise=keys.normalise)
