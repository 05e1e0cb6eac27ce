"""RRDB (ESRGAN generator) x4, PSNR-oriented stage, with the seeds' L1:L2 = 2:1 pixel loss.

``shuffle_factor`` unset is Real-ESRGAN's rule (x2 unshuffles by 2, x1 by 4); 1 builds the
original ESRGAN x1/x2 layouts. ``plus``: ESRGAN+'s extra residual paths.
"""

from ml_collections import config_dict

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "rrdb"
    c.model.kwargs.num_blocks = 23
    c.model.kwargs.filters = 64
    c.model.kwargs.growth = 32
    c.model.kwargs.shuffle_factor = config_dict.placeholder(int)
    c.model.kwargs.plus = False
    c.data.patch_size = 128
    c.train.lr = 2e-4
    c.train.batch_size = 16
    c.train.loss.l1 = 2.0
    c.train.loss.l2 = 1.0
    return c
