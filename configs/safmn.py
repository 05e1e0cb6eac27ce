"""SAFMN x4 (Sun et al. 2023, sunny2109/SAFMN): 36 dim, 8 blocks, FFN scale 2 (the released
SAFMN; the official class has no default ``dim``).

Training values are the base defaults: the official training options were not checked
for this port, so none is claimed here.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "safmn"
    c.model.scale = 4
    c.model.kwargs.dim = 36
    c.model.kwargs.n_blocks = 8
    c.model.kwargs.ffn_scale = 2.0
    # The coarsest SAFM level max-pools 8x8 bins whose positions depend on the whole image size,
    # so tiles are never exactly the whole image; each block's coarse path reaches ~16 px, 8
    # blocks ~130 px. Each tile keeps overlap / 2 = 48 from its cuts.
    c.infer.overlap = 96
    return c
