"""VDSR (Y channel, bicubic-upscaled input), MSE loss with gradient clipping."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "vdsr"
    c.model.kwargs.depth = 20
    c.model.kwargs.filters = 64
    c.data.patch_size = 48
    c.train.batch_size = 64
    c.train.lr = 1e-4
    c.train.loss.l1 = 0.0
    c.train.loss.l2 = 1.0
    c.train.grad_clip = 0.4
    return c
