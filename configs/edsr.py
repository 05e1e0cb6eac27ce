"""EDSR-baseline x4 (16 blocks, 64 filters): the default model; quick start trains it on demo."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "edsr"
    c.model.kwargs.num_blocks = 16
    c.model.kwargs.filters = 64
    c.model.kwargs.res_scale = 1.0
    return c
