"""MoSR x4 (spandrel ``MoSR/__arch/mosr_arch.py``) at the official constructor defaults: 64 dim,
24 gated blocks, 7x7 depthwise conv, pixel shuffle.

Training values are the base defaults: the official training options were not checked
for this port (no recipe ships with spandrel's copy), so none is claimed here.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "mosr"
    c.model.scale = 4
    c.model.kwargs.n_block = 24
    c.model.kwargs.dim = 64
    c.model.kwargs.upsampler = "ps"           # ps, gps or dys
    c.model.kwargs.drop_path = 0.0
    c.model.kwargs.kernel_size = 7
    c.model.kwargs.expansion_ratio = 1.5
    c.model.kwargs.conv_ratio = 1.0
    # Per block two 3x3 convs and the 7x7 depthwise conv: 5 px; 24 blocks + the tail reach
    # ~125 px. Each tile keeps overlap / 2 = 48 from its cuts (influence fades fast).
    c.infer.overlap = 96
    return c
