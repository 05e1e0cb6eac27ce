"""SRCNN 9-1-5 (Y channel, bicubic-upscaled input), MSE loss."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "srcnn"
    c.data.patch_size = 36
    c.train.batch_size = 64
    c.train.lr = 1e-4
    c.train.loss.l1 = 0.0
    c.train.loss.l2 = 1.0
    return c
