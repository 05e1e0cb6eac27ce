"""RCAN x4 as released (Zhang et al. 2018): 10 residual groups of 20 RCABs, 64 filters, channel
reduction 16 (15,592,379 parameters).

Training as in the official code (yulunzhang/RCAN, RCAN_TrainCode: option.py defaults and
TrainRCAN_scripts.sh): L1 loss; Adam (0.9, 0.999); lr 1e-4 halved every 200 epochs of 1000
iterations; 1000 epochs; batch 16 of 48x48 LR patches (HR 96 / 144 / 192 / 384 at x2 / x3 / x4 /
x8; the x3, x4 and x8 models were fine-tuned from x2: --config.train.init_from).
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "rcan"
    c.model.kwargs.num_groups = 10
    c.model.kwargs.num_blocks = 20
    c.model.kwargs.filters = 64
    c.model.kwargs.reduction = 16
    c.model.kwargs.rgb_range = 255.0     # the official code runs on [0, 255] minus the DIV2K mean
    c.data.patch_size = 192              # 48 LR pixels at x4
    c.train.batch_size = 16
    c.train.lr = 1e-4
    c.train.schedule = "step"
    c.train.milestones = (200_000, 400_000, 600_000, 800_000)
    c.train.gamma = 0.5
    c.train.steps = 1_000_000
    c.train.loss.l1 = 1.0
    # Tiling cannot equal whole-image inference exactly here: every channel attention averages
    # over all the pixels it is given (a tile, not the image), and the convolutions alone reach
    # 415 LR pixels (an 830-pixel overlap). Images up to tile_size are run whole; larger ones
    # differ a little near tile cuts, by how much depends on the weights: with the parity
    # fixture's random weights at most 1/255 (128-pixel tiles, overlap 32 or 64); no trained
    # weights were measured. The official test code tiles too (--chop: a 10-pixel shave).
    c.infer.overlap = 64
    return c
