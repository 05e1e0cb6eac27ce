"""Swift-SRGAN generator (Krishnan & Krishnan 2021; Koushik0901/Swift-SRGAN ``models.py``):
SRGAN's generator with every conv depthwise-separable. Layer names are the official module
paths (``initial.cnn.depthwise``, ``residual.N.block1.bn``, ``upsampler.N.conv.pointwise``)."""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from sr_tf.layers.common import check_scale
from sr_tf.layers.depthwise import DepthwiseConv

SCALES = (2, 4, 8)


def _separable(x, filters: int, kernel_size: int, name: str, use_bias: bool = True):
    """``SeperableConv2d``: a depthwise ``kernel_size`` conv, then a pointwise 1x1 conv."""
    x = DepthwiseConv(kernel_size, use_bias=use_bias, name=f"{name}.depthwise")(x)
    return layers.Conv2D(filters, 1, use_bias=use_bias, name=f"{name}.pointwise")(x)


def _prelu(name: str) -> layers.PReLU:
    """``nn.PReLU(num_parameters=C)``: one slope per channel, PyTorch's init 0.25."""
    return layers.PReLU(keras.initializers.Constant(0.25), shared_axes=[1, 2], name=name)


def _conv_block(x, filters: int, kernel_size: int, name: str, use_act: bool = True,
                use_bn: bool = True):
    """``ConvBlock``: separable conv (no bias before BatchNorm), BatchNorm, PReLU. Blocks with
    ``use_act=False`` still own an unused PReLU in PyTorch; its weights are dropped on import."""
    x = _separable(x, filters, kernel_size, f"{name}.cnn", use_bias=not use_bn)
    if use_bn:   # PyTorch BatchNorm2d: eps 1e-5, running averages updated by 0.1
        x = layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"{name}.bn")(x)
    return _prelu(f"{name}.act")(x) if use_act else x


def swiftsrgan(scale: int = 4, in_channels: int = 3, num_channels: int = 64,
               num_blocks: int = 16) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR in (0, 1): ``(tanh(final_conv(x)) + 1) / 2``. Official x2/x4
    releases: 64 channels, 16 residual blocks. ``scale`` is the official ``upscale_factor``."""
    check_scale("swiftsrgan", scale, SCALES)
    lr = keras.Input((None, None, in_channels), name="lr")
    initial = _conv_block(lr, num_channels, 9, "initial", use_bn=False)
    x = initial
    for i in range(num_blocks):
        y = _conv_block(x, num_channels, 3, f"residual.{i}.block1")
        y = _conv_block(y, num_channels, 3, f"residual.{i}.block2", use_act=False)
        x = layers.Add()([y, x])
    x = layers.Add()([_conv_block(x, num_channels, 3, "convblock", use_act=False), initial])
    for i in range(int(math.log2(scale))):
        x = ops.depth_to_space(_separable(x, num_channels * 4, 3, f"upsampler.{i}.conv"), 2)
        x = _prelu(f"upsampler.{i}.act")(x)
    x = _separable(x, in_channels, 9, "final_conv")
    sr = layers.Rescaling(0.5, offset=0.5)(layers.Activation("tanh")(x))
    return keras.Model(lr, sr, name=f"swiftsrgan_x{scale}")
