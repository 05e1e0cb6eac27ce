"""Depthwise convolution whose kernel has PyTorch's grouped-conv layout.

PyTorch stores a depthwise conv (``groups == channels``) as ``(C, 1, kh, kw)``; the generic key
rule turns that into ``(kh, kw, 1, C)``, the kernel of a grouped ``Conv2D``. Keras's
``DepthwiseConv2D`` keeps ``(kh, kw, C, 1)`` instead, and a grouped ``Conv2D`` runs ~15x slower
on CPU and converts to no LiteRT builtin. This layer keeps the grouped layout and runs a
depthwise convolution on the same numbers (a reshape: one of the two dimensions is 1).
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
