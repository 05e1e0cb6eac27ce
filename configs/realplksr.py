"""RealPLKSR x4 (spandrel ``PLKSR/__arch/RealPLKSR.py``) at the official constructor defaults:
64 dim, 28 blocks, 17x17 partial kernel, GroupNorm(4), pixel shuffle. ``dysample=True`` and
``layer_norm=True`` are the options detection reads off the weights.

Training values are the base defaults: the official training options were not checked
for this port (no recipe ships with spandrel's copy), so none is claimed here.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "realplksr"
    c.model.scale = 4
    c.model.kwargs.dim = 64
    c.model.kwargs.n_blocks = 28
    c.model.kwargs.kernel_size = 17
    c.model.kwargs.split_ratio = 0.25
    c.model.kwargs.use_ea = True
    c.model.kwargs.norm_groups = 4            # not stored in the weights
    c.model.kwargs.dropout = 0.0
    c.model.kwargs.dysample = False
    c.model.kwargs.layer_norm = False
    # As PLKSR: 10 px per block, 28 blocks; influence fades fast in trained large-kernel models.
    # GroupNorm normalises each tile by its own statistics, so tiles never equal the whole image
    # exactly; each tile keeps overlap / 2 = 48 from its cuts.
    c.infer.overlap = 96
    return c
