"""RDN (Zhang et al. 2018), EDSR-PyTorch weights."""

from __future__ import annotations

from sr_tf.archs.rdn.keys import detect
from sr_tf.archs.rdn.model import rdn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="rdn", build=rdn, scales=(2, 3, 4), detect=detect,
                    config_only=("rgb_range",))
