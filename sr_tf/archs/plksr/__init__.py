"""PLKSR (dslisleedh/PLKSR): partial large-kernel conv blocks, pixel shuffle plus nearest."""

from sr_tf.archs.plksr import keys
from sr_tf.archs.plksr.model import plksr
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="plksr", build=plksr, scales=(1, 2, 3, 4, 8), detect=keys.detect,
                    normalise=keys.normalise, config_only=("with_idt",))
