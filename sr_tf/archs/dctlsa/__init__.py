"""DCTLSA: densely connected transformer with linear self-attention (zengkun301/DCTLSA)."""

from sr_tf.archs.dctlsa.keys import detect, normalise
from sr_tf.archs.dctlsa.model import dctlsa
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="dctlsa", build=dctlsa, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise, config_only=("num_head",))
