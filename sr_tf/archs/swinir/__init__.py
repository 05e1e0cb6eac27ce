"""SwinIR (Liang et al. 2021), JingyunLiang/SwinIR and BasicSR weights."""

from __future__ import annotations

from sr_tf.archs.swinir.keys import detect, normalise
from sr_tf.archs.swinir.model import swinir
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="swinir", build=swinir, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise, config_only=("img_range",))
