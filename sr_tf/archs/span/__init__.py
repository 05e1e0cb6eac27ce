"""SPAN (hongyuanyu/SPAN): six SPAB blocks of re-parameterised 3x3 convs, pixel shuffle."""

from sr_tf.archs.span import keys
from sr_tf.archs.span.model import span
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="span", build=span, scales=(1, 2, 3, 4, 8), detect=keys.detect,
                    normalise=keys.normalise)
