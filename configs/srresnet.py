"""SRResNet x4 (the SRGAN generator), trained with MSE as in the paper."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "srresnet"
    c.model.kwargs.num_blocks = 16
    c.model.kwargs.filters = 64
    c.data.patch_size = 96
    c.train.loss.l1 = 0.0
    c.train.loss.l2 = 1.0
    return c
