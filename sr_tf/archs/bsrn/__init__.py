"""BSRN, blueprint separable residual network (xiaom233/BSRN)."""

from sr_tf.archs.bsrn.keys import NAME, detect, normalise
from sr_tf.archs.bsrn.model import SCALES, bsrn
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name=NAME, build=bsrn, scales=SCALES, detect=detect, normalise=normalise)
