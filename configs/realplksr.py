"""RealPLKSR x4 (neosr's real-world PLKSR, dslisleedh/PLKSR ``RealPLKSR``): 64 dim, 28 blocks,
17x17 partial kernel, GroupNorm(4), pixel shuffle. The community "small" variant: dim 32,
n_blocks 12 (neosr ``realplksr_s``); ``dysample=True`` and ``layer_norm=True`` are the options
detection reads off the weights.

Training as neosr's ``options/train_realplksr_otf.toml`` recipe (PSNR stage): HR patch 256 (LR 64
at x4), batch 8, AdamW 5e-4 (betas 0.9, 0.99), L1 pixel loss; neosr's perceptual/GAN losses and
on-the-fly degradations are not reproduced here.
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
    c.data.patch_size = 256
    c.train.batch_size = 8
    c.train.optimizer = "adamw"
    c.train.lr = 5e-4
    c.train.beta_2 = 0.99
    c.train.loss.l1 = 1.0
    # As PLKSR: 10 px per block, 28 blocks; influence fades fast in trained large-kernel models.
    # GroupNorm normalises each tile by its own statistics, so tiles never equal the whole image
    # exactly; each tile keeps overlap / 2 = 48 from its cuts.
    c.infer.overlap = 96
    return c
