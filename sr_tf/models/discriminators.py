"""Discriminators: the VGG-style one of SRGAN/ESRGAN and Real-ESRGAN's U-Net with spectral norm."""

from __future__ import annotations

import keras
from keras import layers

from sr_tf.layers.common import conv


def _lrelu() -> layers.LeakyReLU:
    return layers.LeakyReLU(negative_slope=0.2)


def vgg_discriminator(patch_size: int = 128, filters: int = 64) -> keras.Model:
    """ESRGAN ``Discriminator_VGG_128``: five (3x3, 4x4/2) conv pairs with BatchNorm, two dense.

    Input RGB [0, 1] of ``patch_size`` (a multiple of 32); output one logit per image.
    """
    if patch_size % 32:
        raise ValueError(f"vgg discriminator needs a patch size divisible by 32, got {patch_size}")
    image = keras.Input((patch_size, patch_size, 3), name="image")
    x = _lrelu()(conv(filters, 3, "conv0_0")(image))
    x = _lrelu()(layers.BatchNormalization(name="bn0_1")(
        conv(filters, 4, "conv0_1", use_bias=False, strides=2)(x)))
    for i, mult in enumerate((2, 4, 8, 8), start=1):
        for j, (k, s) in enumerate(((3, 1), (4, 2))):
            x = conv(filters * mult, k, f"conv{i}_{j}", use_bias=False, strides=s)(x)
            x = _lrelu()(layers.BatchNormalization(name=f"bn{i}_{j}")(x))
    x = layers.Flatten()(x)
    x = _lrelu()(layers.Dense(100, name="linear1")(x))
    return keras.Model(image, layers.Dense(1, name="linear2")(x), name="vgg_discriminator")


def unet_discriminator(filters: int = 64) -> keras.Model:
    """Real-ESRGAN ``UNetDiscriminatorSN``: spectral-normalised U-Net, one logit per pixel.

    Any input size whose height and width are multiples of 8.
    """
    def sn_conv(f: int, k: int, name: str, strides: int = 1) -> layers.Layer:
        return layers.SpectralNormalization(conv(f, k, name + ".conv", False, strides), name=name)

    def up(x: keras.KerasTensor) -> keras.KerasTensor:
        return layers.UpSampling2D(2, interpolation="bilinear")(x)

    image = keras.Input((None, None, 3), name="image")
    x0 = _lrelu()(conv(filters, 3, "conv0")(image))
    x1 = _lrelu()(sn_conv(filters * 2, 4, "conv1", 2)(x0))
    x2 = _lrelu()(sn_conv(filters * 4, 4, "conv2", 2)(x1))
    x3 = _lrelu()(sn_conv(filters * 8, 4, "conv3", 2)(x2))
    x4 = layers.Add()([_lrelu()(sn_conv(filters * 4, 3, "conv4")(up(x3))), x2])
    x5 = layers.Add()([_lrelu()(sn_conv(filters * 2, 3, "conv5")(up(x4))), x1])
    x6 = layers.Add()([_lrelu()(sn_conv(filters, 3, "conv6")(up(x5))), x0])
    x = _lrelu()(sn_conv(filters, 3, "conv7")(x6))
    x = _lrelu()(sn_conv(filters, 3, "conv8")(x))
    return keras.Model(image, conv(1, 3, "conv9")(x), name="unet_discriminator")
