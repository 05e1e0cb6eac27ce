"""PAN x4 (Zhao et al. 2020): nf 40, unf 24, 16 SCPA blocks, 272,419 parameters, as released,
with the recipe of zhaohengyuan1/PAN ``codes/options/train/train_PANx4.yml``."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "pan"
    c.model.scale = 4                      # 2, 3 or 4 (x2 and x3 weights look the same)
    c.model.kwargs.in_nc = 3
    c.model.kwargs.out_nc = 3
    c.model.kwargs.nf = 40
    c.model.kwargs.unf = 24
    c.model.kwargs.nb = 16
    # train_PANx4.yml: DF2K, HR patch (GT_size) 256, batch 32, flips and rotations, L1,
    # Adam(7e-4, betas 0.9 / 0.99), cosine annealing to 1e-7 in four 250k-iteration periods
    # restarting at full rate (1M in all; here one 250k period), no moving average.
    c.data.patch_size = 256
    c.train.batch_size = 32
    c.train.lr = 7e-4
    c.train.beta_2 = 0.99
    c.train.loss.l1 = 1.0
    c.train.steps = 250_000
    c.train.schedule = "cosine"
    c.train.min_lr_ratio = 1e-7 / 7e-4
    c.train.ema_decay = 0.0
    # Receptive field in LR pixels: conv_first 1, 16 SCPA blocks x 2 (PAConv's two 3x3
    # convs), trunk_conv 1, then 3x3 convs at x2 (two) and x4 (three): 35.25. Overlap 2 x 36.
    c.infer.overlap = 72
    return c
