"""EDSR (Lim et al. 2017), EDSR-PyTorch and BasicSR weights."""

from __future__ import annotations

from sr_tf.archs.edsr.keys import detect, normalise
from sr_tf.archs.edsr.model import edsr
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="edsr", build=edsr, scales=(2, 3, 4), detect=detect, normalise=normalise,
                    config_only=("res_scale",))
