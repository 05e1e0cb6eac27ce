"""Swift-SRGAN x4 (Krishnan & Krishnan 2021): the released generator size (64 channels, 16
blocks; 201,209 parameters at x4 in PyTorch), Koushik0901/Swift-SRGAN ``swift-srgan/train.py``."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "swiftsrgan"
    c.model.scale = 4                      # official upscale_factor: 2, 4 or 8
    c.model.kwargs.in_channels = 3
    c.model.kwargs.num_channels = 64
    c.model.kwargs.num_blocks = 16
    # train.py: HR crop 96, AdamW(lr 1e-3, PyTorch defaults: betas 0.9/0.999, decay 0.01),
    # 100 epochs at a constant rate, no moving average. Its generator loss is MSE + 0.006
    # MobileNetV2-feature MSE + 0.001 (1 - D) + 2e-8 TV; here only the MSE term (the GAN stage
    # of this toolkit uses VGG features: configs/srgan.py).
    c.data.patch_size = 96
    c.train.optimizer = "adamw"
    c.train.lr = 1e-3
    c.train.weight_decay = 0.01
    c.train.schedule = "constant"
    c.train.loss.l1 = 0.0
    c.train.loss.l2 = 1.0
    c.train.ema_decay = 0.0
    # Receptive field in LR pixels: initial 9x9 conv 4, 16 blocks x two 3x3 convs 32, convblock
    # 1, the x2 upsamplers 1 + 1/2, final 9x9 conv at HR 4/4 = 1: 40 in all. BatchNorm runs on
    # its stored statistics, so tiles with overlap 2 x 40 equal the whole image.
    c.infer.overlap = 80
    return c
