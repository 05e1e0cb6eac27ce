"""FDAT: Fast Dual Aggregation Transformer (neosr-project, as in spandrel)."""

from sr_tf.archs.fdat.keys import detect, normalise
from sr_tf.archs.fdat.model import fdat
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="fdat", build=fdat, scales=(1, 2, 3, 4, 8), detect=detect,
                    normalise=normalise)
