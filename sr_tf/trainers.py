"""Training logic around a plain generator: Keras models with custom ``train_step``.

Architectures (``sr_tf.models``) stay plain functional models; these wrappers own the losses,
the on-device preprocessing and the optimizer steps. Per-replica losses are divided by the
number of replicas before gradients, because MirroredStrategy sums gradients across replicas.
Gradient clipping acts on that sum (see :func:`clip_summed_gradients`).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import tensorflow as tf

from pipelines.training import dihedral_augment
from sr_tf.color import rgb_to_ycbcr
from sr_tf.degradations.training_pairs import RealESRGANPairs
from sr_tf.imresize import imresize
from sr_tf.losses import PerceptualLoss, adversarial_losses, pixel_loss
from sr_tf.models import input_channels


@dataclass(frozen=True)
class PixelLossWeights:
    """Weights of the pixel-loss mix (the seeds' team used L1:L2 = 2:1)."""

    l1: float = 1.0
    l2: float = 0.0
    charbonnier: float = 0.0


def model_inputs(generator: keras.Model, lr: tf.Tensor, hr: tf.Tensor, scale: int):
    """(input, target) for a generator from uint8 patches, as floats in [0, 1].

    Y-channel models get the Y of a MATLAB-bicubic upscale and the Y of HR.
    """
    lr = tf.cast(lr, tf.float32)
    hr = tf.cast(hr, tf.float32)
    if input_channels(generator) == "y":
        y_in = rgb_to_ycbcr(imresize(lr, scale))[..., :1]
        return y_in / 255.0, rgb_to_ycbcr(hr)[..., :1] / 255.0
    return lr / 255.0, hr / 255.0


def _replica_scale() -> float:
    return 1.0 / tf.distribute.get_strategy().num_replicas_in_sync


def clip_summed_gradients(grads: list[tf.Tensor], clip_norm: float | tf.Tensor) -> list[tf.Tensor]:
    """Clip the gradient summed over replicas (the one the optimizer applies) to ``clip_norm``.

    Keras' ``global_clipnorm`` clips each replica's 1/R share before the all-reduce, which is R
    times looser on R replicas. Here the shares are summed first and clipped; each replica then
    hands the optimizer clipped / R, which the optimizer's own all-reduce sums back.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    total = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, grads)
    clipped, _ = tf.clip_by_global_norm(total, clip_norm)
    return [g / replicas for g in clipped]


class SRTrainer(keras.Model):
    """PSNR-oriented training of ``generator`` with a weighted L1/L2/Charbonnier loss."""

    def __init__(self, generator: keras.Model, scale: int,
                 pixel_weights: PixelLossWeights = PixelLossWeights(), augment: bool = True,
                 grad_clip: float = 0.0, pairs: RealESRGANPairs | None = None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.pairs = pairs          # Real-ESRGAN: degrade HR patches on the device
        self.scale = scale
        self.pixel_weights = pixel_weights
        self.augment = augment
        self.grad_clip = grad_clip

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def prepare(self, data):
        """(input, target) floats from a batch ``(lr, hr, dihedral codes)`` of uint8 patches
        (with Real-ESRGAN pairs: degraded LQ and the USM-sharpened GT)."""
        if self.pairs is not None:
            return self.pairs(data)[:2]
        lr, hr, codes = data
        if self.augment:
            lr, hr = dihedral_augment(lr, hr, codes)
        return model_inputs(self.generator, lr, hr, self.scale)

    def pixel_loss(self, sr: tf.Tensor, hr: tf.Tensor) -> tf.Tensor:
        w = self.pixel_weights
        return pixel_loss(sr, hr, w.l1, w.l2, w.charbonnier)

    @staticmethod
    def scaled(optimizer: keras.optimizers.Optimizer, loss: tf.Tensor) -> tf.Tensor:
        """The loss to differentiate: divided by the replica count, float16 loss-scaled.

        Call it inside the tape, so the scaling is recorded.
        """
        return optimizer.scale_loss(loss * _replica_scale())

    def apply(self, optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape,
              scaled_loss: tf.Tensor, variables: list) -> None:
        """Apply the gradients of a :meth:`scaled` loss, clipped if ``grad_clip`` is set (the
        optimizer unscales float16; the clip norm is scaled with the loss)."""
        grads = tape.gradient(scaled_loss, variables)
        if self.grad_clip:
            grads = clip_summed_gradients(grads, self.grad_clip * optimizer.scale_loss(1.0))
        optimizer.apply_gradients(zip(grads, variables))

    def train_step(self, data):
        inputs, target = self.prepare(data)
        with tf.GradientTape() as tape:
            sr = self.generator(inputs, training=True)
            loss = self.pixel_loss(sr, target)
            scaled = self.scaled(self.optimizer, loss)
        self.apply(self.optimizer, tape, scaled, self.generator.trainable_variables)
        return {"loss": loss}


class GANTrainer(SRTrainer):
    """SRGAN/ESRGAN training: generator and discriminator, two optimizers, one ``train_step``.

    Generator loss = pixel_weight * pixel + perceptual_weight * VGG + adversarial_weight * adv.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, scale: int,
                 perceptual: PerceptualLoss | None, adversarial: str = "relativistic",
                 pixel_weight: float = 0.01, perceptual_weight: float = 1.0,
                 adversarial_weight: float = 0.005, **kwargs):
        super().__init__(generator, scale, **kwargs)
        if input_channels(generator) != "rgb":
            raise ValueError("GAN training needs an RGB generator (srresnet, edsr, rrdb)")
        self.discriminator = discriminator
        self.perceptual = perceptual
        self.adversarial = adversarial
        self.pixel_weight = pixel_weight
        self.perceptual_weight = perceptual_weight
        self.adversarial_weight = adversarial_weight
        self.d_optimizer: keras.optimizers.Optimizer | None = None

    def train_step(self, data):
        # Real-ESRGAN: pixel/perceptual on USM(gt), the discriminator's real images plain gt.
        if self.pairs is not None:
            inputs, target, real = self.pairs(data)
        else:
            inputs, target = self.prepare(data)
            real = target
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            sr = tf.cast(self.generator(inputs, training=True), tf.float32)
            real_logits = tf.cast(self.discriminator(real, training=True), tf.float32)
            fake_logits = tf.cast(self.discriminator(sr, training=True), tf.float32)
            g_adv, d_loss = adversarial_losses(real_logits, fake_logits, self.adversarial)
            pix = self.pixel_loss(sr, target)
            perc = self.perceptual(sr, target) if self.perceptual else tf.constant(0.0)
            g_loss = (self.pixel_weight * pix + self.perceptual_weight * perc
                      + self.adversarial_weight * g_adv)
            g_scaled = self.scaled(self.optimizer, g_loss)
            d_scaled = self.scaled(self.d_optimizer, d_loss)
        self.apply(self.optimizer, g_tape, g_scaled, self.generator.trainable_variables)
        self.apply(self.d_optimizer, d_tape, d_scaled, self.discriminator.trainable_variables)
        return {"loss": g_loss, "pixel": pix, "perceptual": perc, "g_adv": g_adv, "d_loss": d_loss}
