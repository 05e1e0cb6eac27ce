"""SRGAN: SRResNet generator + VGG discriminator, vanilla GAN, VGG19 perceptual loss."""

from configs import srresnet


def get_config():
    c = srresnet.get_config()
    c.data.patch_size = 96
    c.gan.enabled = True
    c.gan.discriminator = "vgg"
    c.gan.discriminator_kwargs.patch_size = 96
    c.gan.adversarial = "vanilla"
    c.gan.pixel_weight = 1.0
    c.gan.perceptual_weight = 0.006
    c.gan.adversarial_weight = 0.001
    c.gan.perceptual_layers = {"block5_conv4": 1.0}
    return c
