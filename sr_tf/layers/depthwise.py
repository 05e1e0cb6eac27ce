"""Depthwise and grouped convolutions whose kernels have PyTorch's grouped-conv layout.

PyTorch stores a grouped conv as ``(O, I / groups, kh, kw)``; the generic key rule turns that
into ``(kh, kw, I / groups, O)``, the kernel of a grouped Keras ``Conv2D``. But Keras runs a
grouped ``Conv2D`` on CPU through an XLA-compiled function: ~15x slower, no LiteRT builtin, and
a ``StatefulPartitionedCall`` that tf2onnx cannot read. The layers here keep the grouped layout
and run ops every runtime has: a depthwise convolution (``groups == channels``; a reshape, one
of the two dimensions is 1) or one plain convolution per group.
"""

from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="sr_tf")
class DepthwiseConv(layers.Layer):
    """``nn.Conv2d(C, C, kernel_size, stride, padding, dilation, groups=C, bias)``: one
    ``kernel_size`` filter per channel. ``padding="same"`` is PyTorch's ``dilation *
    (kernel_size // 2)`` (odd kernels, stride 1), ``"valid"`` its 0."""

    def __init__(self, kernel_size: int, use_bias: bool = True, dilation_rate: int = 1,
                 strides: int = 1, padding: str = "same", **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = kernel_size
        self.use_bias = use_bias
        self.dilation_rate = dilation_rate
        self.strides = strides
        self.padding = padding

    def build(self, input_shape):
        channels = input_shape[-1]
        # PyTorch's default conv init: uniform(+-1/sqrt(fan_in)), fan_in = kernel_size^2.
        init = keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform")
        self.kernel = self.add_weight(name="kernel", initializer=init,
                                      shape=(self.kernel_size, self.kernel_size, 1, channels))
        self.bias = self.add_weight(name="bias", shape=(channels,), initializer="zeros") \
            if self.use_bias else None

    def call(self, x):
        k = self.kernel_size
        kernel = ops.reshape(self.kernel, (k, k, self.kernel.shape[-1], 1))
        y = ops.depthwise_conv(x, kernel, strides=self.strides, padding=self.padding,
                               dilation_rate=self.dilation_rate)
        return y + self.bias if self.use_bias else y

    def compute_output_shape(self, input_shape):
        if self.strides == 1 and self.padding == "same":
            return input_shape
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"kernel_size": self.kernel_size,
                                       "use_bias": self.use_bias,
                                       "dilation_rate": self.dilation_rate,
                                       "strides": self.strides, "padding": self.padding}


@keras.saving.register_keras_serializable(package="sr_tf")
class GroupedConv2D(layers.Conv2D):
    """``layers.Conv2D`` with ``groups > 1`` (same arguments, same kernel), computed as one
    convolution per group and a concatenation: ``Split``/``Conv``/``Concat`` in ONNX and LiteRT."""

    def convolution_op(self, inputs, kernel):
        if self.groups == 1:
            return super().convolution_op(inputs, kernel)
        pieces = zip(ops.split(inputs, self.groups, axis=-1),
                     ops.split(kernel, self.groups, axis=-1))
        return ops.concatenate(
            [ops.conv(x, k, strides=list(self.strides), padding=self.padding,
                      dilation_rate=self.dilation_rate, data_format=self.data_format)
             for x, k in pieces], axis=-1)
