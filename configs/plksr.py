"""PLKSR x4 (Lee et al. 2024, dslisleedh/PLKSR): 64 dim, 28 blocks, CCM, 17x17 partial kernel.

Training as the official ``options/train/PLKSR/PLKSR_X4_DIV2K.yml``: DIV2K, HR patch 256
(LR 64), batch 64, L1, Adam 1e-3 (betas 0.9, 0.99), 450k iterations, lr halved at 100k, 200k,
300k, 400k, 425k. The lightweight "tiny" release: dim 64, n_blocks 12, kernel_size 13,
use_ea False.
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
    c.data.patch_size = 256
    c.train.batch_size = 64
    c.train.lr = 1e-3
    c.train.beta_2 = 0.99
    c.train.loss.l1 = 1.0
    c.train.schedule = "step"
    c.train.milestones = (100_000, 200_000, 300_000, 400_000, 425_000)
    c.train.gamma = 0.5
    c.train.steps = 450_000
    # Per block: a 3x3 mixer conv, the 17x17 conv (8 px), the 3x3 attention conv: 10 px; 28
    # blocks reach 280 px, far past any overlap. Influence fades fast in trained large-kernel
    # models; each tile keeps overlap / 2 = 48 from its cuts (raise it if seams show).
    c.infer.overlap = 96
    return c
