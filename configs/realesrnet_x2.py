"""RealESRNet x2plus: RRDB x2 (pixel-unshuffle input, as RRDBNet does for scale 2) on the
second-order degradation at scale 2.

From BasicSR options/train/RealESRGAN/train_realesrnet_x2plus.yml: the x4plus degradation
values with scale 2, Adam(lr 2e-4, betas 0.9 / 0.99), 1,000,000 iterations (milestone 1,000,000),
gt_size 256, batch 12 per GPU on 4 GPUs; the official run starts from RealESRGAN_x4plus.pth.
"""

from configs import realesrnet


def get_config():
    c = realesrnet.get_config()
    c.model.scale = 2
    return c
