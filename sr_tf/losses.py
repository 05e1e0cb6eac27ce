"""Losses: weighted pixel mix, VGG19 perceptual (pre-activation features), adversarial.

Every function returns the mean over the *replica's* batch; the trainers divide by the number
of replicas before taking gradients (MirroredStrategy sums gradients across replicas).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import keras
import tensorflow as tf

from sr_tf.errors import WeightImportError
from sr_tf.torch_files import load_state_dict
from sr_tf.weights import is_torch_file


def pixel_loss(sr: tf.Tensor, hr: tf.Tensor, l1: float = 1.0, l2: float = 0.0,
               charbonnier: float = 0.0, eps: float = 1e-3) -> tf.Tensor:
    """``l1 * L1 + l2 * MSE + charbonnier * sqrt(d^2 + eps^2)``, each a mean over pixels."""
    diff = tf.cast(sr, tf.float32) - tf.cast(hr, tf.float32)
    loss = tf.constant(0.0)
    if l1:
        loss += l1 * tf.reduce_mean(tf.abs(diff))
    if l2:
        loss += l2 * tf.reduce_mean(tf.square(diff))
    if charbonnier:
        loss += charbonnier * tf.reduce_mean(tf.sqrt(tf.square(diff) + eps * eps))
    return loss


# torchvision's ImageNet input normalisation (BasicSR's ``use_input_norm``), RGB in [0, 1].
TORCHVISION_MEAN = (0.485, 0.456, 0.406)
TORCHVISION_STD = (0.229, 0.224, 0.225)


def is_torchvision_vgg19(weights: str | os.PathLike | None) -> bool:
    """Whether ``weights`` names torchvision's VGG19 file (a PyTorch checkpoint), which wants
    torchvision's input normalisation."""
    return weights is not None and is_torch_file(weights)


def load_torchvision_vgg19(base: keras.Model, path: str | os.PathLike) -> None:
    """Set the 16 convs of Keras's VGG19 from torchvision's ``features.{i}.weight/bias``
    (read by our torch-free reader): same layers in the same order, OIHW -> HWIO."""
    state = load_state_dict(path)
    indices = sorted(int(k.split(".")[1]) for k in state
                     if k.startswith("features.") and k.endswith(".weight"))
    convs = [layer for layer in base.layers if isinstance(layer, keras.layers.Conv2D)]
    if len(indices) != len(convs):
        raise WeightImportError(f"{path}: {len(indices)} features.*.weight convs, not the "
                                f"{len(convs)} of torchvision's VGG19")
    for layer, index in zip(convs, indices):
        kernel = state[f"features.{index}.weight"].transpose(2, 3, 1, 0)
        bias = state.get(f"features.{index}.bias")
        if bias is None or kernel.shape != tuple(layer.kernel.shape):
            raise WeightImportError(f"{path}: features.{index} is not VGG19's {layer.name} "
                                    f"{tuple(layer.kernel.shape)}")
        layer.set_weights([kernel, bias])


def vgg19_feature_extractor(layers: Mapping[str, float], weights: str | os.PathLike | None
                            ) -> keras.Model:
    """VGG19 returning the *pre-activation* outputs of the named conv layers (ESRGAN's choice).

    Outputs come in the order of ``layers``' keys, whatever their order in the network.
    ``weights``: torchvision's ``vgg19-dcbb9e9d.pth`` (what BasicSR and Real-ESRGAN train
    with; ``.pth``/``.safetensors``), a local Keras VGG19 weights file (``.h5``, e.g.
    ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``), ``"imagenet"`` to let Keras download
    it, or ``None``/``"random"`` for random weights (tests only).
    """
    if weights == "random":
        weights = None
    if weights not in (None, "imagenet") and not Path(weights).is_file():
        raise FileNotFoundError(
            f"VGG19 weights file {weights} not found: download torchvision's "
            "vgg19-dcbb9e9d.pth or vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (Keras "
            "applications release) and pass its path (config.gan.vgg_weights)")
    torchvision = is_torchvision_vgg19(weights)
    try:
        base = keras.applications.VGG19(include_top=False, weights=None if torchvision
                                        else weights, input_shape=(None, None, 3))
    except Exception as err:  # the download error type depends on the network failure
        raise RuntimeError(
            f"could not load VGG19 weights {weights!r} ({err}); without network access pass a "
            "local weights file (config.gan.vgg_weights)") from err
    if torchvision:
        load_torchvision_vgg19(base, weights)
    unknown = set(layers) - {l.name for l in base.layers}
    if unknown:
        raise ValueError(f"unknown VGG19 layers {sorted(unknown)} (e.g. block5_conv4)")
    x = inputs = keras.Input((None, None, 3))
    features = {}
    for layer in base.layers[1:]:
        if isinstance(layer, keras.layers.Conv2D):
            config = layer.get_config() | {"activation": "linear", "name": f"{layer.name}_pre"}
            conv = keras.layers.Conv2D.from_config(config)
            x = conv(x)
            conv.set_weights(layer.get_weights())
            if layer.name in layers:
                features[layer.name] = x
            x = keras.layers.ReLU()(x)
        else:
            x = layer(x)
        if len(features) == len(layers):
            break
    extractor = keras.Model(inputs, [features[name] for name in layers], name="vgg19_features")
    extractor.trainable = False
    return extractor


class PerceptualLoss:
    """Weighted L1 between VGG19 pre-activation features of SR and HR (inputs RGB in [0, 1]);
    with torchvision's weights, BasicSR's ``PerceptualLoss`` (criterion l1, input norm on)."""

    def __init__(self, layers: Mapping[str, float], weights: str | os.PathLike | None):
        self.layer_weights = [float(w) for w in layers.values()]     # same order as the outputs
        self.extractor = vgg19_feature_extractor(layers, weights)
        self.torchvision = is_torchvision_vgg19(weights)

    def prepare(self, x: tf.Tensor) -> tf.Tensor:
        """The input each weight file was trained on: torchvision's normalised RGB, or
        Keras's Caffe-style BGR in [0, 255] minus the ImageNet mean."""
        x = tf.cast(x, tf.float32)
        if self.torchvision:
            return (x - TORCHVISION_MEAN) / TORCHVISION_STD
        return keras.applications.vgg19.preprocess_input(x * 255.0)

    def __call__(self, sr: tf.Tensor, hr: tf.Tensor) -> tf.Tensor:
        # A one-layer extractor returns a tensor, not a list: flatten both cases.
        sr_f, hr_f = (keras.tree.flatten(self.extractor(self.prepare(x))) for x in (sr, hr))
        return tf.add_n([w * tf.reduce_mean(tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))
                         for w, a, b in zip(self.layer_weights, sr_f, hr_f)])


def _bce(logits: tf.Tensor, target: float) -> tf.Tensor:
    logits = tf.cast(logits, tf.float32)
    labels = tf.fill(tf.shape(logits), target)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits))


def adversarial_losses(real: tf.Tensor, fake: tf.Tensor, kind: str) -> tuple[tf.Tensor, tf.Tensor]:
    """(generator loss, discriminator loss) from discriminator logits on real and fake images.

    ``vanilla``: standard GAN (SRGAN). ``relativistic``: relativistic average GAN (ESRGAN).
    """
    if kind == "vanilla":
        return _bce(fake, 1.0), 0.5 * (_bce(real, 1.0) + _bce(fake, 0.0))
    if kind == "relativistic":
        real_rel = real - tf.reduce_mean(fake)
        fake_rel = fake - tf.reduce_mean(real)
        g_loss = 0.5 * (_bce(real_rel, 0.0) + _bce(fake_rel, 1.0))
        d_loss = 0.5 * (_bce(real_rel, 1.0) + _bce(fake_rel, 0.0))
        return g_loss, d_loss
    raise ValueError(f"adversarial loss must be 'vanilla' or 'relativistic', got {kind!r}")
