"""Omni-SR: omni self-attention for lightweight super-resolution (Francis0625/Omni-SR)."""

from sr_tf.archs.omnisr.keys import detect, normalise
from sr_tf.archs.omnisr.model import omnisr
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="omnisr", build=omnisr, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise, config_only=("window_size",))
