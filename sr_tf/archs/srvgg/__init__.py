"""SRVGGNetCompact, Real-ESRGAN's compact model, BasicSR weights."""

from __future__ import annotations

from sr_tf.archs.srvgg.keys import detect
from sr_tf.archs.srvgg.model import srvgg
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="srvgg", build=srvgg, scales=(2, 3, 4), detect=detect,
                    config_only=("act_type",))
