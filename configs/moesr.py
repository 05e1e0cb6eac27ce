"""MoESR x4 (spandrel ``MoESR/__arch/MoESR.py``) at the official constructor defaults: 64 dim,
9 groups of 4 gated blocks, expansion 2.65625 (MSG 1.5), pixelshuffledirect upsampler.

Training values are the base defaults: the official training options were not checked
for this port (no recipe ships with spandrel's copy), so none is claimed here.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "moesr"
    c.model.scale = 4
    c.model.kwargs.dim = 64
    c.model.kwargs.n_blocks = 9
    c.model.kwargs.n_block = 4
    c.model.kwargs.expansion_factor = 2.65625
    c.model.kwargs.expansion_msg = 1.5
    # conv, pixelshuffledirect, pixelshuffle, nearest+conv or dysample
    c.model.kwargs.upsampler = "pixelshuffledirect"
    c.model.kwargs.upsample_dim = 64
    # Per gated block two 3x3 convs and an 11-tap depthwise conv: 7 px; each MSG works at half
    # size (its three blocks reach ~2 x 21 px). 9 groups reach several hundred pixels in theory;
    # influence fades fast. Each tile keeps overlap / 2 = 48 from its cuts.
    c.infer.overlap = 96
    return c
