"""HAT (Chen et al. 2023), XPixelGroup/HAT weights."""

from __future__ import annotations

from sr_tf.archs.hat.keys import detect, normalise
from sr_tf.archs.hat.model import hat
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="hat", build=hat, scales=(2, 3, 4, 8), detect=detect, normalise=normalise,
                    config_only=("conv_scale", "img_range"))
