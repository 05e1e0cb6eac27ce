"""ATD: Adaptive Token Dictionary transformer (LabShuHangGU/Adaptive-Token-Dictionary)."""

from sr_tf.archs.atd.keys import detect, normalise
from sr_tf.archs.atd.model import atd
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="atd", build=atd, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise, config_only=("category_size",))
