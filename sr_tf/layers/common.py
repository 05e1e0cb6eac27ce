"""Small building blocks shared by the architectures (built-in Keras layers only)."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

DIV2K_RGB_MEAN = (0.4488, 0.4371, 0.4040)


def conv(filters: int, kernel_size: int, name: str, use_bias: bool = True,
         strides: int = 1) -> layers.Conv2D:
    """'same'-padded Conv2D; for stride 2 and kernel 4 this matches PyTorch padding=1."""
    return layers.Conv2D(filters, kernel_size, strides=strides, padding="same",
                         use_bias=use_bias, name=name)


def pixel_shuffle_upsample(x: keras.KerasTensor, scale: int, filters: int, prefix: str,
                           activation: str | None = None, first_index: int = 0,
                           index_step: int = 2) -> keras.KerasTensor:
    """Sub-pixel upsampling: conv to ``filters * r^2`` channels then ``depth_to_space(r)``.

    EDSR-PyTorch's ``Upsampler`` rule: a power of two is x2 stages (x4 two, x8 three), x3 one
    stage. Conv layers are named ``{prefix}.{first_index + k * index_step}``.
    """
    if scale == 3:
        stages = [3]
    elif scale >= 2 and scale & (scale - 1) == 0:
        stages = [2] * (scale.bit_length() - 1)
    else:
        raise ValueError(f"sub-pixel upsampling supports scale 3 or a power of two, not {scale}")
    for k, r in enumerate(stages):
        x = conv(filters * r * r, 3, f"{prefix}.{first_index + k * index_step}")(x)
        x = ops.depth_to_space(x, r)
        if activation == "prelu":
            x = layers.PReLU(shared_axes=[1, 2], name=f"{prefix}.{first_index + k * index_step}.prelu")(x)
        elif activation is not None:
            x = layers.Activation(activation)(x)
    return x


@keras.saving.register_keras_serializable(package="sr_tf")
class NearestUpsample(layers.Layer):
    """Nearest-neighbour upsampling by an integer ``scale``: ``scale^2`` channel copies then
    ``depth_to_space``, equal to ``UpSampling2D(scale)`` with 4-D tensors only (Keras's repeat
    goes through a 5-D tensor, which LiteRT's GPU delegate cannot hold). One layer, so weight
    import does not take its depth_to_space for a pixel-shuffle conv's."""

    def __init__(self, scale: int, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, x):
        return ops.depth_to_space(ops.concatenate([x] * (self.scale ** 2), axis=-1), self.scale)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"scale": self.scale}


def check_scale(model: str, scale: int, supported: tuple[int, ...]) -> None:
    """Raise a clear error for a scale an architecture does not support."""
    if scale not in supported:
        raise ValueError(f"{model} supports scale {', '.join(map(str, supported))}; got {scale}")


def reflect_indices(length, total):
    """Indices ``0..total-1`` reflected into ``[0, length)`` (PyTorch/TF ``reflect``: edge not repeated).

    Unlike ``pad(mode="reflect")`` this also works when the padding exceeds ``length - 1`` (it keeps
    reflecting), so a 1x1 input pads like any other.
    """
    period = ops.maximum(2 * (length - 1), 1)
    i = ops.mod(ops.arange(total), period)
    return ops.where(i < length, i, period - i)


def symmetric_indices(length, total):
    """Indices ``0..total-1`` mirrored into ``[0, length)`` with the edge repeated (``numpy``
    ``symmetric``; ATD's ``cat([x, flip(x)])``), for any amount of padding."""
    period = 2 * length
    i = ops.mod(ops.arange(total), period)
    return ops.where(i < length, i, period - 1 - i)


PAD_INDICES = {"reflect": reflect_indices, "symmetric": symmetric_indices}


def reflect_pad_to_multiple(x, multiple: int, mode: str = "reflect"):
    """Reflect-pad ``[N, H, W, C]`` at the bottom/right so H and W are multiples of ``multiple``
    (``mode="symmetric"``: mirror with the edge repeated)."""
    if multiple == 1:
        return x
    indices = PAD_INDICES[mode]
    height, width = ops.shape(x)[1], ops.shape(x)[2]
    rows = indices(height, height + (-height) % multiple)
    cols = indices(width, width + (-width) % multiple)
    return ops.take(ops.take(x, rows, axis=1), cols, axis=2)


@keras.saving.register_keras_serializable(package="sr_tf")
class PadToMultiple(layers.Layer):
    """Reflect-pad the bottom/right of an image batch to a multiple of ``multiple`` (SwinIR's
    ``check_image_size``), so window models take any input size. ``mode``: ``reflect`` or
    ``symmetric``."""

    def __init__(self, multiple: int, mode: str = "reflect", **kwargs):
        super().__init__(**kwargs)
        self.multiple = multiple
        self.mode = mode

    def call(self, x):
        return reflect_pad_to_multiple(x, self.multiple, self.mode)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"multiple": self.multiple, "mode": self.mode}


@keras.saving.register_keras_serializable(package="sr_tf")
class CropToScale(layers.Layer):
    """Crop ``sr`` to ``scale`` x the height and width of ``lr``: ``call([sr, lr])``."""

    def __init__(self, scale: int, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        sr, lr = inputs
        return sr[:, :ops.shape(lr)[1] * self.scale, :ops.shape(lr)[2] * self.scale]

    def compute_output_shape(self, input_shapes):
        return input_shapes[0][:1] + (None, None) + input_shapes[0][3:]

    def get_config(self):
        return super().get_config() | {"scale": self.scale}


def swap_middle_axes(x, dims: tuple):
    """View ``x`` as ``[a, b, c, d]`` (``dims``) and return ``[a, c, b, d]``: the one 4-D
    transpose that window and grid partitions are made of, since LiteRT's GPU delegate holds
    at most 4 dimensions."""
    return ops.transpose(ops.reshape(x, dims), (0, 2, 1, 3))


def cyclic_shift(x, shift: int, axis: int):
    """``torch.roll(x, shift, axis)`` for a static shift, by slices and a concatenation.

    ``tf.roll`` has no LiteRT builtin; slices and concatenation convert everywhere. The gradient
    is the opposite shift: TensorFlow's own (a full-size StridedSliceGrad per slice, then their
    sum) took 15x longer forward + backward on SwinIR's maps, about 1 s of a SwinIR-M step.
    """
    if shift == 0:
        return x

    @ops.custom_gradient
    def shifted(t):
        def grad(*args, upstream=None):
            return _concat_shift(args[0] if upstream is None else upstream, -shift, axis)

        return _concat_shift(t, shift, axis), grad

    return shifted(x)


def _concat_shift(x, shift: int, axis: int):
    head = [slice(None)] * len(x.shape)
    tail = list(head)
    head[axis] = slice(-shift, None)
    tail[axis] = slice(None, -shift)
    return ops.concatenate([x[tuple(head)], x[tuple(tail)]], axis=axis)


@keras.saving.register_keras_serializable(package="sr_tf")
class MeanShift(layers.Layer):
    """EDSR-PyTorch ``common.MeanShift``: a frozen 1x1 conv, identity + ``sign * rgb_range * mean``.

    The official code never trains it, but it is a conv whose weights the checkpoints store and
    ``load_state_dict`` restores; keeping them as (non-trainable) weights imports them as they are.
    """

    def __init__(self, rgb_range: float, sign: int, **kwargs):
        super().__init__(**{"trainable": False, **kwargs})
        self.rgb_range = rgb_range
        self.sign = sign

    def build(self, input_shape):
        bias = self.sign * self.rgb_range * np.asarray(DIV2K_RGB_MEAN)
        self.kernel = self.add_weight(name="kernel", shape=(1, 1, 3, 3), trainable=False,
                                      initializer=lambda shape, dtype: np.eye(3).reshape(shape))
        self.bias = self.add_weight(name="bias", shape=(3,), trainable=False,
                                    initializer=lambda shape, dtype: bias)

    def call(self, x):
        # A 1x1 convolution, not a matmul: LiteRT's int8 FULLY_CONNECTED with the dynamic
        # reshape a matmul of [N, H, W, 3] becomes gives wrong output (8.8 dB from float).
        return ops.conv(x, self.kernel) + self.bias

    def get_config(self):
        return super().get_config() | {"rgb_range": self.rgb_range, "sign": self.sign}
