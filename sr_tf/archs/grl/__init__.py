"""GRL: global, regional and local attention for image restoration
(ofsoundof/GRL-Image-Restoration)."""

from sr_tf.archs.grl.keys import CONFIG_ONLY, detect, normalise
from sr_tf.archs.grl.model import grl
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="grl", build=grl, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise, config_only=CONFIG_ONLY)
