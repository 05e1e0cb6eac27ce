"""MoSR (MambaOut super-resolution): gated CNN blocks; ps, GPS or DySample upsampling."""

from sr_tf.archs.mosr import keys
from sr_tf.archs.mosr.model import mosr
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="mosr", build=mosr, scales=(1, 2, 3, 4, 8), detect=keys.detect,
                    normalise=keys.normalise)
