"""Swin2SR: SwinV2 transformer super-resolution (mv-lab/swin2sr)."""

from sr_tf.archs.spec import Architecture
from sr_tf.archs.swin2sr.keys import detect, normalise
from sr_tf.archs.swin2sr.model import swin2sr

ARCH = Architecture(name="swin2sr", build=swin2sr, scales=(2, 3, 4, 8), detect=detect,
                    normalise=normalise)
