"""RealESRGAN x4plus: the GAN stage, started from a trained RealESRNet (--weights or
train.init_from, e.g. RealESRNet_x4plus.pth).

From BasicSR options/train/RealESRGAN/train_realesrgan_x4plus.yml: U-Net discriminator with
spectral norm (64 features, skip connections); Adam(lr 1e-4, betas 0.9 / 0.99) for both nets;
MultiStepLR milestone 400,000, gamma 0.5; 400,000 iterations; L1 weight 1 and VGG19 perceptual
weight 1 (conv1_2 0.1, conv2_2 0.1, conv3_4 1, conv4_4 1, conv5_4 1, before activation) on the
USM-sharpened GT; vanilla GAN weight 0.1 with the plain GT as the real images.
"""

from configs import realesrnet


def get_config():
    c = realesrnet.get_config()
    c.train.lr = 1e-4
    c.train.milestones = (400_000,)
    c.train.steps = 400_000
    c.gan.enabled = True
    c.gan.discriminator = "unet"
    c.gan.discriminator_kwargs.filters = 64
    c.gan.adversarial = "vanilla"
    c.gan.pixel_weight = 1.0
    c.gan.perceptual_weight = 1.0
    c.gan.adversarial_weight = 0.1
    c.gan.perceptual_layers = {"block1_conv2": 0.1, "block2_conv2": 0.1, "block3_conv4": 1.0,
                               "block4_conv4": 1.0, "block5_conv4": 1.0}
    c.degradation.gt_usm = True        # l1_gt_usm, percep_gt_usm
    c.degradation.gan_gt_usm = False
    return c
