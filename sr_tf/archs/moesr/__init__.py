"""MoESR (MambaOut excitation SR): gated CNN blocks with half-resolution stages, five upsamplers."""

from sr_tf.archs.moesr import keys
from sr_tf.archs.moesr.model import moesr
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="moesr", build=moesr, scales=(1, 2, 3, 4, 8), detect=keys.detect,
                    normalise=keys.normalise)
