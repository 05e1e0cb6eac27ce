"""ESRGAN: RRDB generator + VGG discriminator, relativistic GAN, VGG19 perceptual loss.

Start from a PSNR-trained RRDB: --config.train.init_from=runs/rrdb/model.keras
"""

from configs import rrdb


def get_config():
    c = rrdb.get_config()
    c.train.lr = 1e-4
    c.train.schedule = "step"
    c.train.milestones = (50_000, 100_000, 200_000)
    c.train.steps = 400_000
    c.train.loss.l1 = 1.0
    c.train.loss.l2 = 0.0
    c.gan.enabled = True
    c.gan.discriminator = "vgg"
    c.gan.discriminator_kwargs.patch_size = 128
    c.gan.adversarial = "relativistic"
    c.gan.pixel_weight = 0.01
    c.gan.perceptual_weight = 1.0
    c.gan.adversarial_weight = 0.005
    return c
