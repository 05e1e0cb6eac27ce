"""Bilinear resizing to sizes known only at run time (``F.interpolate(mode="bilinear",
align_corners=False)``, no antialiasing), built from Keras ops: ``ops.image.resize`` and
``UpSampling2D(interpolation="bilinear")`` need static sizes in a traced graph."""

from __future__ import annotations

import keras
from keras import layers, ops


def interpolation_matrix(size, length, dtype):
    """``[size, length]`` weights of linear interpolation from ``length`` samples to ``size``,
    PyTorch's ``align_corners=False`` rule: output ``i`` samples the source at ``(i + 0.5) *
    length / size - 0.5``, clamped to ``[0, length - 1]``; sample ``j`` weighs
    ``max(0, 1 - |source - j|)`` (the tent: the two neighbours, or one at a clamped edge)."""
    ratio = ops.cast(length, "float32") / ops.cast(size, "float32")
    source = ops.clip((ops.cast(ops.arange(size), "float32") + 0.5) * ratio - 0.5,
                      0.0, ops.cast(length - 1, "float32"))
    samples = ops.cast(ops.arange(length), "float32")
    return ops.cast(ops.relu(1.0 - ops.abs(source[:, None] - samples[None, :])), dtype)


@keras.saving.register_keras_serializable(package="sr_tf")
class ResizeLike(layers.Layer):
    """``call([x, reference])``: ``x`` resized bilinearly to the height and width of
    ``reference`` (``F.interpolate(mode="bilinear", align_corners=False)``, no antialiasing).

    Two matrix products with interpolation matrices built from the run-time sizes:
    ``ops.image.resize`` cannot take a size known only at run time, and gathers would make
    the training graph slow to build.
    """

    def call(self, inputs):
        x, reference = inputs
        rows = interpolation_matrix(ops.shape(reference)[1], ops.shape(x)[1], x.dtype)
        cols = interpolation_matrix(ops.shape(reference)[2], ops.shape(x)[2], x.dtype)
        return ops.einsum("qw,npwc->npqc", cols, ops.einsum("ph,nhwc->npwc", rows, x))

    def compute_output_shape(self, input_shapes):
        return input_shapes[1][:3] + input_shapes[0][3:]


def _upsample_axis(x, scale: int, axis: int):
    """Integer ``scale`` linear upsampling along ``axis`` (1 or 2 of ``[N, H, W, C]``).

    Output sample ``j * scale + k`` lies at source ``j + (k + 0.5) / scale - 0.5``: a fixed
    blend of sample ``j`` and its neighbour (edges repeated, as PyTorch clamps) per phase k.
    """
    def part(start, stop):
        index = [slice(None)] * 4
        index[axis] = slice(start, stop)
        return x[tuple(index)]

    padded = ops.concatenate([part(0, 1), x, part(-1, None)], axis=axis)

    def shifted(offset):          # sample j + offset for every j
        index = [slice(None)] * 4
        index[axis] = slice(1 + offset, (1 + offset - 2) or None)
        return padded[tuple(index)]

    phases = []
    for k in range(scale):
        offset = (k + 0.5) / scale - 0.5
        neighbour = shifted(1) if offset >= 0 else shifted(-1)
        phases.append(shifted(0) * (1 - abs(offset)) + neighbour * abs(offset))
    # Phases side by side on the next axis lay memory out as [.., n, scale, ..]: a reshape then
    # interleaves them, through 4-D tensors only (LiteRT's GPU delegate holds at most 4).
    side_by_side = ops.concatenate(phases, axis=axis + 1)
    shape = [-1, ops.shape(x)[1], ops.shape(x)[2], x.shape[3]]
    shape[axis] = shape[axis] * scale
    return ops.reshape(side_by_side, shape)


@keras.saving.register_keras_serializable(package="sr_tf")
class BilinearUpsample(layers.Layer):
    """``F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)`` for an
    integer ``scale``: shifted copies blended with fixed weights, no gathers or matrices."""

    def __init__(self, scale: int, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, x):
        return _upsample_axis(_upsample_axis(x, self.scale, 1), self.scale, 2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"scale": self.scale}
