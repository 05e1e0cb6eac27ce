"""PLKSR x4 (Lee et al. 2024, dslisleedh/PLKSR) at the official constructor defaults: 64 dim,
28 blocks, CCM, 17x17 partial kernel.

Training values are the base defaults: the official training options were not checked
for this port (no recipe ships with spandrel's copy), so none is claimed here.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "plksr"
    c.model.scale = 4
    c.model.kwargs.dim = 64
    c.model.kwargs.n_blocks = 28
    c.model.kwargs.ccm_type = "CCM"           # CCM, ICCM or DCCM
    c.model.kwargs.kernel_size = 17
    c.model.kwargs.split_ratio = 0.25
    c.model.kwargs.lk_type = "PLK"            # PLK or RectSparsePLK
    c.model.kwargs.with_idt = False           # not stored in the weights
    c.model.kwargs.use_ea = True
    # Per block: a 3x3 mixer conv, the 17x17 conv (8 px), the 3x3 attention conv: 10 px; 28
    # blocks reach 280 px, far past any overlap. Influence fades fast in trained large-kernel
    # models; each tile keeps overlap / 2 = 48 from its cuts (raise it if seams show).
    c.infer.overlap = 96
    return c
