"""RealPLKSR (neosr / dslisleedh): PLKSR with GroupNorm or LayerNorm, pixel shuffle or DySample."""

from sr_tf.archs.realplksr import keys
from sr_tf.archs.realplksr.model import realplksr
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="realplksr", build=realplksr, scales=(1, 2, 3, 4, 8),
                    detect=keys.detect, normalise=keys.normalise, config_only=("norm_groups",))
