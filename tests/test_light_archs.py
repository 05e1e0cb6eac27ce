"""What the lightweight ports' fixtures cannot see: the ESA interior (the random-weight RLFN
and BSRN fixtures saturate its sigmoid mask, so its pooled-map crop and bilinear resize barely
reach their outputs) and bilinear upsampling at x3 (the PAN fixture is x4).

The references are TensorFlow's own ``tf.image.resize`` (bilinear, half-pixel centres: PyTorch's
``align_corners=False``) and ``tf.nn.max_pool2d``, independent of our Keras-ops versions.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from sr_tf.layers.esa import enhanced_spatial_attention
from sr_tf.layers.resize import BilinearUpsample


def _esa_model(channels: int = 4) -> tuple[keras.Model, dict]:
    x = keras.Input((None, None, 6))
    convs = {"conv2": layers.Conv2D(channels, 3, strides=2, padding="valid", name="e.conv2"),
             "conv3": layers.Conv2D(channels, 3, padding="same", name="e.conv3")}
    y = enhanced_spatial_attention(x, channels, "e", convs["conv2"], convs["conv3"])
    return keras.Model(x, y), convs


@pytest.mark.parametrize("size", [(15, 16), (21, 23), (40, 29)])
def test_esa_matches_the_official_formula_with_tensorflow_pool_and_resize(size, rng):
    """x * sigmoid(conv4(resize(conv3(maxpool7/3(conv2(conv1 x))), x size) + conv_f(conv1 x))).

    Fails if the pooled map is cropped one window too far (``pooled_size`` + 1: seen failing
    at all three sizes, up to 1.7 off), which the RLFN and BSRN fixtures let pass."""
    model, convs = _esa_model()
    x = rng.normal(0, 1, (1, *size, 6)).astype("float32")
    c1_ = model.get_layer("e.conv1")(x)
    pooled = tf.nn.max_pool2d(convs["conv2"](c1_), 7, 3, "VALID")
    up = tf.image.resize(convs["conv3"](pooled), size, "bilinear")
    mask = model.get_layer("e.conv4")(up + model.get_layer("e.conv_f")(c1_))   # has sigmoid
    np.testing.assert_allclose(np.asarray(model(x)), x * mask.numpy(), atol=1e-5)


def test_esa_takes_inputs_smaller_than_the_official_minimum(rng):
    """Below 15 pixels the official code raises; here the map pools as if edge-padded."""
    model, _ = _esa_model()
    for size in [(1, 1), (7, 14), (14, 3)]:
        out = np.asarray(model(rng.normal(0, 1, (1, *size, 6)).astype("float32")))
        assert out.shape == (1, *size, 6) and np.isfinite(out).all()


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_bilinear_upsample_matches_tensorflow_half_pixel_resize(scale, rng):
    """Fails with the phase offsets of ``align_corners=True``-like sampling (``k / scale``):
    seen failing at every scale."""
    x = rng.uniform(0, 1, (2, 5, 7, 3)).astype("float32")
    expected = tf.image.resize(x, (5 * scale, 7 * scale), "bilinear").numpy()
    np.testing.assert_allclose(np.asarray(BilinearUpsample(scale)(x)), expected, atol=1e-5)
