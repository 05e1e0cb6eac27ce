"""CARN and CARN-M (Ahn et al. 2018, "Fast, Accurate, and Lightweight Super-Resolution with
Cascading Residual Network"; nmhkahn/CARN-pytorch ``carn/model/carn.py``, ``carn_m.py``,
``ops.py``): cascading blocks of residual blocks joined by 1x1 convs, at a fixed width of 64.
CARN-M shares one efficient residual block (grouped convs) three times per cascading block.
Layer names are the official module paths (``b1.b2.body.0``, ``upsample.up3.body.0``)."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import MeanShift, check_scale
from sr_tf.layers.depthwise import GroupedConv2D

SCALES = (2, 3, 4)
WIDTH = 64            # hard-coded in the official classes
VARIANTS = ("carn", "carn_m")


def _conv(filters: int, kernel_size: int, name: str, groups: int = 1) -> layers.Conv2D:
    return GroupedConv2D(filters, kernel_size, padding="same", groups=groups, name=name)


def _basic(x, name: str):
    """``BasicBlock`` as the nets use it: a 1x1 conv and ReLU."""
    return layers.ReLU()(_conv(WIDTH, 1, f"{name}.body.0")(x))


def _residual_block(name: str, groups: int, efficient: bool):
    """``ResidualBlock`` (3x3, ReLU, 3x3) or CARN-M's ``EResidualBlock`` (grouped 3x3, ReLU,
    grouped 3x3, ReLU, 1x1); ``relu(body(x) + x)``. Returns a function applying the same
    layers (CARN-M calls one block three times)."""
    if efficient:
        convs = [_conv(WIDTH, 3, f"{name}.body.0", groups),
                 _conv(WIDTH, 3, f"{name}.body.2", groups), _conv(WIDTH, 1, f"{name}.body.4")]
    else:
        convs = [_conv(WIDTH, 3, f"{name}.body.0"), _conv(WIDTH, 3, f"{name}.body.2")]

    def apply(x):
        y = x
        for i, layer in enumerate(convs):
            y = layer(y)
            if i < len(convs) - 1:
                y = layers.ReLU()(y)
        return layers.ReLU()(layers.Add()([y, x]))

    return apply


def _cascade(x, name: str, blocks: list):
    """``c0 = o0 = x``; then three times ``c_k = cat(c_{k-1}, block_k(o_{k-1}))`` and
    ``o_k = relu(conv1x1(c_k))``."""
    concatenated = output = x
    for k, block in enumerate(blocks, start=1):
        concatenated = layers.Concatenate()([concatenated, block(output)])
        output = _basic(concatenated, f"{name}c{k}")
    return output


def pixel_shuffle_torch_order(x, r: int):
    """``nn.PixelShuffle(r)`` on NHWC, channel ``c * r^2 + i * r + j`` to pixel ``(i, j)`` of
    channel ``c``: the channels reordered to ``depth_to_space``'s ``(i * r + j) * C + c`` (a
    4-D transpose: LiteRT's GPU delegate holds at most 4 dimensions), then ``depth_to_space``,
    so a grouped conv before it keeps its channels."""
    batch, height, width = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
    channels = x.shape[-1] // (r * r)
    x = ops.transpose(ops.reshape(x, (batch, height * width, channels, r * r)), (0, 1, 3, 2))
    return ops.depth_to_space(ops.reshape(x, (batch, height, width, r * r * channels)), r)


@keras.saving.register_keras_serializable(package="sr_tf")
class CarnUpsample(layers.Layer):
    """``UpsampleBlock``: conv (``groups``), ReLU, pixel shuffle, once for x3 and per factor 2
    otherwise. Multi-scale holds ``up2``, ``up3`` and ``up4`` (one release file serves all
    three) and runs the one for ``scale``; the others are kept, frozen, for the round trip."""

    def __init__(self, scale: int, multi_scale: bool, group: int, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.multi_scale, self.group = scale, multi_scale, group
        names = {f"up{s}": s for s in SCALES} if multi_scale else {"up": scale}
        self.active = f"up{scale}" if multi_scale else "up"
        # Each conv is an attribute of its own: SavedModel export tracks those, and not the
        # layers inside a dict of lists.
        self.convs = []
        for name, s in names.items():
            for conv in self._branch(s, name):
                conv.trainable = name == self.active
                setattr(self, conv.name.replace(".", "_"), conv)
                self.convs.append(conv.name)

    def _branch(self, scale: int, name: str) -> list[layers.Conv2D]:
        factors = [3] if scale == 3 else [2] * (scale.bit_length() - 1)
        return [_conv(WIDTH * r * r, 3, f"{name}.body.{3 * i}", self.group)
                for i, r in enumerate(factors)]

    def _layer(self, name: str) -> layers.Conv2D:
        return getattr(self, name.replace(".", "_"))

    def build(self, input_shape):
        for name in self.convs:
            self._layer(name).build((None, None, None, WIDTH))

    def call(self, x):
        r = 3 if self.scale == 3 else 2
        for name in self.convs:
            if name.startswith(f"{self.active}."):
                x = pixel_shuffle_torch_order(ops.relu(self._layer(name)(x)), r)
        return x

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, WIDTH)

    def get_config(self):
        return super().get_config() | {"scale": self.scale, "multi_scale": self.multi_scale,
                                       "group": self.group}


def carn(scale: int = 4, multi_scale: bool = True, group: int = 1,
         variant: str = "carn") -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1], as ``Net(scale=, multi_scale=, group=)(x, scale)``.
    ``variant`` picks the module: ``carn`` (carn.py) or ``carn_m`` (carn_m.py). The released
    carn.pth / carn_m.pth are multi-scale, group 1 / 4."""
    check_scale("carn", scale, SCALES)
    if variant not in VARIANTS:
        raise ValueError(f"carn variant must be one of {', '.join(VARIANTS)}; got {variant!r}")
    lr = keras.Input((None, None, 3), name="lr")
    x = _conv(WIDTH, 3, "entry")(MeanShift(1.0, -1, name="sub_mean.shifter")(lr))
    blocks = []
    for b in (1, 2, 3):
        if variant == "carn_m":
            shared = _residual_block(f"b{b}.b1", group, efficient=True)
            inner = [shared] * 3
        else:
            inner = [_residual_block(f"b{b}.b{k}", 1, efficient=False) for k in (1, 2, 3)]
        blocks.append(lambda y, b=b, inner=inner: _cascade(y, f"b{b}.", inner))
    x = _cascade(x, "", blocks)
    x = CarnUpsample(scale, multi_scale, group, name="upsample")(x)
    x = MeanShift(1.0, 1, name="add_mean.shifter")(_conv(3, 3, "exit")(x))
    return keras.Model(lr, x, name=f"{variant}_x{scale}")
