"""SeemoRe (eduardzamfir/seemoredetails): mixture of low-rank experts and striped convolutions."""

from sr_tf.archs.seemore import keys
from sr_tf.archs.seemore.model import seemore
from sr_tf.archs.spec import Architecture

ARCH = Architecture(name="seemore", build=seemore, scales=(1, 2, 3, 4, 8), detect=keys.detect,
                    normalise=keys.normalise,
                    config_only=("img_range", "use_shuffle", "recursive", "topk"))
