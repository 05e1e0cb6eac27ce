"""CRAFT: Cross-Refinement Adaptive Fusion Transformer (AVC2-UESTC/CRAFT-SR)."""

from sr_tf.archs.craft.keys import detect, normalise
from sr_tf.archs.craft.model import craft
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="craft", build=craft, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise, config_only=("window_size",))
