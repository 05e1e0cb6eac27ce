"""Real-CUGAN (bilibili/ailab ``upcunet_v3.py``, as spandrel 0.4.2 ships it): UpCunet2x, 3x
and 4x, two cascaded U-Nets of unpadded convolutions with squeeze-and-excitation blocks.
The input is reflect-padded (18 / 14 / 19 pixels, and up to a multiple of 2 / 4 / 2) and the
valid convolutions eat the margin. Layer names are the official module paths."""

from __future__ import annotations

import keras
from keras import layers, ops

from sr_tf.layers.common import CropToScale, NearestUpsample, check_scale

SCALES = (2, 3, 4)
# scale: (reflect margin, size multiple) of UpCunet{2,3,4}x.forward
PADDING = {2: (18, 2), 3: (14, 4), 4: (19, 2)}


@keras.saving.register_keras_serializable(package="sr_tf")
class ReflectPadAround(layers.Layer):
    """``F.pad(x, (m, m + pw - w, m, m + ph - h), "reflect")`` with ``ph``, ``pw`` the size
    rounded up to ``multiple``; any margin (reflection repeats past the image's size)."""

    def __init__(self, margin: int, multiple: int, **kwargs):
        super().__init__(**kwargs)
        self.margin = margin
        self.multiple = multiple

    def _indices(self, length):
        total = length + (-length) % self.multiple + 2 * self.margin
        period = ops.maximum(2 * (length - 1), 1)
        i = ops.mod(ops.arange(total) - self.margin, period)
        return ops.where(i < length, i, period - i)

    def call(self, x):
        x = ops.take(x, self._indices(ops.shape(x)[1]), axis=1)
        return ops.take(x, self._indices(ops.shape(x)[2]), axis=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None, input_shape[3])

    def get_config(self):
        return super().get_config() | {"margin": self.margin, "multiple": self.multiple}


def _lrelu(x):
    return layers.LeakyReLU(0.1)(x)


def _crop(x, n: int):
    """``F.pad(x, (-n, -n, -n, -n))``."""
    return layers.Cropping2D(n)(x)


def _valid(filters: int, kernel_size: int, name: str, strides: int = 1, use_bias: bool = True):
    return layers.Conv2D(filters, kernel_size, strides=strides, padding="valid",
                         use_bias=use_bias, name=name)


def _deconv(x, filters: int, kernel_size: int, stride: int, padding: int, name: str):
    """``nn.ConvTranspose2d(kernel_size, stride, padding)``: a valid transposed conv, then
    ``padding`` pixels cropped from every side."""
    x = layers.Conv2DTranspose(filters, kernel_size, strides=stride, padding="valid",
                               name=name)(x)
    return _crop(x, padding) if padding else x


def _se_block(x, name: str):
    """``SEBlock(reduction=8, bias=True)``: x * sigmoid(conv2(relu(conv1(mean_hw(x)))))."""
    channels = x.shape[-1]
    pooled = ops.mean(x, axis=(1, 2), keepdims=True)
    y = layers.ReLU()(_valid(channels // 8, 1, f"{name}.conv1")(pooled))
    y = _valid(channels, 1, f"{name}.conv2")(y)
    return layers.Multiply()([x, layers.Activation("sigmoid")(y)])


def _unet_conv(x, mid: int, out: int, name: str, se: bool):
    x = _lrelu(_valid(mid, 3, f"{name}.conv.0")(x))
    x = _lrelu(_valid(out, 3, f"{name}.conv.2")(x))
    return _se_block(x, f"{name}.seblock") if se else x


def _unet1(x, out_channels: int, name: str, triple: bool):
    """UNet1 (x2 deconv 4/2/3) or UNet1x3 (x3 deconv 5/3/2)."""
    x1 = _unet_conv(x, 32, 64, f"{name}.conv1", se=False)
    x2 = _lrelu(_valid(64, 2, f"{name}.conv1_down", strides=2)(x1))
    x2 = _unet_conv(x2, 128, 64, f"{name}.conv2", se=True)
    x2 = _lrelu(_deconv(x2, 64, 2, 2, 0, f"{name}.conv2_up"))
    x3 = _lrelu(_valid(64, 3, f"{name}.conv3")(layers.Add()([_crop(x1, 4), x2])))
    if triple:
        return _deconv(x3, out_channels, 5, 3, 2, f"{name}.conv_bottom")
    return _deconv(x3, out_channels, 4, 2, 3, f"{name}.conv_bottom")


def _unet2(x, out_channels: int, name: str):
    x1 = _unet_conv(x, 32, 64, f"{name}.conv1", se=False)
    x2 = _lrelu(_valid(64, 2, f"{name}.conv1_down", strides=2)(x1))
    x2 = _unet_conv(x2, 64, 128, f"{name}.conv2", se=True)
    x3 = _lrelu(_valid(128, 2, f"{name}.conv2_down", strides=2)(x2))
    x3 = _unet_conv(x3, 256, 128, f"{name}.conv3", se=True)
    x3 = _lrelu(_deconv(x3, 128, 2, 2, 0, f"{name}.conv3_up"))
    x4 = _unet_conv(layers.Add()([_crop(x2, 4), x3]), 64, 64, f"{name}.conv4", se=True)
    x4 = _lrelu(_deconv(x4, 64, 2, 2, 0, f"{name}.conv4_up"))
    x5 = _lrelu(_valid(64, 3, f"{name}.conv5")(layers.Add()([_crop(x1, 16), x4])))
    return _valid(out_channels, 3, f"{name}.conv_bottom")(x5)


def realcugan(scale: int = 2, in_channels: int = 3, out_channels: int = 3,
              pro: bool = False) -> keras.Model:
    """RGB LR [0, 1] -> RGB SR [0, 1]; ``pro`` models map ``x * 0.7 + 0.15`` in and
    ``(y - 0.15) / 0.7`` out inside, as the official forward. ``alpha`` (denoise strength of
    the official forward) is 1."""
    check_scale("realcugan", scale, SCALES)
    lr = keras.Input((None, None, in_channels), name="lr")
    mapped = layers.Rescaling(0.7, offset=0.15)(lr) if pro else lr
    margin, multiple = PADDING[scale]
    x = ReflectPadAround(margin, multiple)(mapped)
    width = 64 if scale == 4 else out_channels
    x = _unet1(x, width, "unet1", triple=scale == 3)
    x = layers.Add()([_unet2(x, width, "unet2"), _crop(x, 20)])
    if scale == 4:
        x = ops.depth_to_space(_valid(4 * out_channels, 3, "conv_final")(x), 2)
        x = _crop(x, 2)          # F.pad(-1) before the pixel shuffle: 2 pixels after it
    x = CropToScale(scale)([x, lr])
    if scale == 4:
        x = layers.Add()([x, NearestUpsample(4)(mapped)])
    if pro:
        x = layers.Rescaling(1 / 0.7, offset=-0.15 / 0.7)(x)
    return keras.Model(lr, x, name=f"realcugan_x{scale}")
