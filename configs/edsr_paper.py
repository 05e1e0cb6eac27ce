"""EDSR paper size x4: 32 blocks, 256 filters, residual scaling 0.1 (about 43M parameters)."""

from configs import edsr


def get_config():
    c = edsr.get_config()
    c.model.kwargs.num_blocks = 32
    c.model.kwargs.filters = 256
    c.model.kwargs.res_scale = 0.1
    return c
