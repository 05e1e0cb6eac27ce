"""DITN: deployment-friendly inception transformer for super-resolution (yongliuy/DITN)."""

from sr_tf.archs.ditn.keys import detect
from sr_tf.archs.ditn.model import ditn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="ditn", build=ditn, scales=(2, 3, 4, 8), detect=detect,
                    config_only=("patch_size",))
