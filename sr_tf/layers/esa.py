"""Enhanced spatial attention (ESA; RFANet, as RFDN, RLFN and BSRN use it), any input size.

``x * sigmoid(conv4(up(refine(maxpool_7/3(conv2(conv1(x))))) + conv_f(conv1(x))))``: conv2 is a
3x3 stride-2 unpadded conv, the pool 7x7 stride 3 unpadded, ``up`` a bilinear resize
(``align_corners=False``) back to the size of ``x``. The official code needs 15 pixels or more
(smaller maps leave nothing to pool and it raises); here a smaller map pools as if edge-padded
to 15 pixels, which changes nothing from 15 pixels up.
"""

from __future__ import annotations

from typing import Callable

import keras
from keras import layers, ops

from sr_tf.layers.resize import ResizeLike

# The smallest side the official ESA accepts is 15: (15 - 3) // 2 + 1 = 7 = the pool window.
# Edge-padding the bottom and right by 14 makes a 1-pixel input 15; the pooled map is cropped to
# the official size, so the padding changes nothing from 15 pixels up.
EDGE_PAD = 14


def pooled_size(length):
    """Rows (or columns) of the official ESA's pooled map for an input of ``length``: a 3x3
    stride-2 conv then a 7x7 stride-3 pool, both unpadded; at least 1 (see the module doc)."""
    return ops.maximum(((length - 3) // 2 + 1 - 7) // 3 + 1, 1)


@keras.saving.register_keras_serializable(package="sr_tf")
class EsaMaxPool(layers.Layer):
    """``call([c1, c1_])``: max-pool 7x7 stride 3 of ``c1`` (the stride-2 conv of ``c1_``,
    which was edge-padded by :data:`EDGE_PAD`) cropped to the official pooled size of ``c1_``."""

    def call(self, inputs):
        c1, unpadded = inputs
        pooled = ops.max_pool(c1, 7, strides=3, padding="valid")
        return pooled[:, :pooled_size(ops.shape(unpadded)[1]),
                      :pooled_size(ops.shape(unpadded)[2])]

    def compute_output_shape(self, input_shapes):
        return (input_shapes[0][0], None, None, input_shapes[0][3])


def edge_pad(x, rows: int):
    """``x`` with its last row and last column repeated ``rows`` more times."""
    x = ops.concatenate([x, ops.tile(x[:, -1:], (1, rows, 1, 1))], axis=1)
    return ops.concatenate([x, ops.tile(x[:, :, -1:], (1, 1, rows, 1))], axis=2)


def enhanced_spatial_attention(x, channels: int, name: str, conv2: Callable,
                               refine: Callable) -> keras.KerasTensor:
    """ESA of ``x`` with ``channels`` inner channels; layers ``{name}.conv1``, ``.conv_f``,
    ``.conv4`` (1x1) are made here, ``conv2`` (stride 2, unpadded) and ``refine`` (what runs
    on the pooled map) by the caller, who names them."""
    c1_ = layers.Conv2D(channels, 1, name=f"{name}.conv1")(x)
    pooled = EsaMaxPool()([conv2(edge_pad(c1_, EDGE_PAD)), c1_])
    c3 = ResizeLike()([refine(pooled), x])
    cf = layers.Conv2D(channels, 1, name=f"{name}.conv_f")(c1_)
    mask = layers.Conv2D(x.shape[-1], 1, activation="sigmoid", name=f"{name}.conv4")(
        layers.Add()([c3, cf]))
    return layers.Multiply()([x, mask])
