"""RDN (Zhang et al. 2018): residual dense blocks with global feature fusion.

Layer names follow EDSR-PyTorch ``src/model/rdn.py``: ``SFENet1``, ``SFENet2``;
``RDBs.d.convs.c.conv.0`` and ``RDBs.d.LFF`` (block d); ``GFF.0`` (1x1), ``GFF.1``;
``UPNet.0`` (and ``UPNet.2`` at x4) before each pixel shuffle, then the output conv ``UPNet.2``
(``UPNet.4`` at x4). The paper's symbols: D = ``num_blocks``, C = ``num_layers``,
G = ``growth``, G0 = ``filters``.
"""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import check_scale, conv, pixel_shuffle_upsample

CONFIGS = {"A": {"num_blocks": 20, "num_layers": 6, "growth": 32},   # EDSR-PyTorch RDNconfig
           "B": {"num_blocks": 16, "num_layers": 8, "growth": 64}}   # the paper's model


def residual_dense_block(x: keras.KerasTensor, num_layers: int, growth: int, filters: int,
                         prefix: str) -> keras.KerasTensor:
    """``num_layers`` densely connected conv+ReLU layers, 1x1 local fusion, and a skip."""
    features = x
    for c in range(num_layers):
        y = conv(growth, 3, f"{prefix}.convs.{c}.conv.0")(features)
        y = layers.ReLU()(y)
        features = layers.Concatenate()([features, y])
    return layers.Add()([x, conv(filters, 1, f"{prefix}.LFF")(features)])


def rdn(scale: int = 4, num_blocks: int = 16, num_layers: int = 8, growth: int = 64,
        filters: int = 64, rgb_range: float = 1.0) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1].

    Defaults are the paper's model (EDSR-PyTorch ``RDNconfig="B"``: D=16, C=8, G=64, G0=64);
    config "A" is 20 blocks of 6 layers, growth 32 (:data:`CONFIGS`). ``rgb_range=255`` runs the
    network on [0, 255] values, as EDSR-PyTorch weights expect (RDN has no mean shift).
    """
    check_scale("rdn", scale, (2, 3, 4))
    lr = keras.Input((None, None, 3), name="lr")
    f1 = conv(filters, 3, "SFENet1")(layers.Rescaling(rgb_range, name="to_range")(lr))
    x = conv(filters, 3, "SFENet2")(f1)
    outputs = []
    for d in range(num_blocks):
        x = residual_dense_block(x, num_layers, growth, filters, f"RDBs.{d}")
        outputs.append(x)
    x = layers.Concatenate()(outputs) if num_blocks > 1 else outputs[0]
    x = conv(filters, 3, "GFF.1")(conv(filters, 1, "GFF.0")(x))
    x = layers.Add()([x, f1])
    x = pixel_shuffle_upsample(x, scale, growth, "UPNet")
    x = conv(3, 3, f"UPNet.{4 if scale == 4 else 2}")(x)
    x = layers.Rescaling(1.0 / rgb_range, name="from_range")(x)
    return keras.Model(lr, x, name=f"rdn_x{scale}")
