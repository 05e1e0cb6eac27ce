"""SRResNet (Ledig et al. 2017): no published weights layout is read, so nothing is detected."""

from __future__ import annotations

from sr_tf.archs.srresnet.model import srresnet
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="srresnet", build=srresnet, scales=(2, 3, 4))
