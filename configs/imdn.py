"""IMDN x4 (Hui et al. 2019): nf 64, 6 modules, 715,176 parameters; the official training set-up
of Zheng222/IMDN ``train_IMDN.py`` (and ``data/DIV2K.py``, ``data/common.py``)."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "imdn"
    c.model.scale = 4
    c.model.kwargs.nf = 64
    c.model.kwargs.num_modules = 6
    # HR patch 192, batch 16, random flips and rot90 (= our dihedral augment), inputs in [0, 1].
    c.data.patch_size = 192
    c.train.batch_size = 16
    # L1, Adam(lr 2e-4, PyTorch default betas). An epoch is 1000 iterations (DIV2K's 800 images
    # repeated test_every 1000 // (800 // 16) = 20 times); 1000 epochs, lr halved every 200.
    c.train.lr = 2e-4
    c.train.beta_2 = 0.999
    c.train.loss.l1 = 1.0
    c.train.steps = 1_000_000
    c.train.schedule = "step"
    c.train.milestones = (200_000, 400_000, 600_000, 800_000)
    c.train.gamma = 0.5
    c.train.ema_decay = 0.0        # the official code keeps no moving average
    # Tiling. The convs reach 27 LR pixels (fea_conv 1, four 3x3 convs per module 6 x 4,
    # LR_conv 1, upsampler 1), so overlap 2 x 27 covers them. The contrast-aware channel attention
    # (CCA) pools mean and std over the whole image, though: a tile sees its own statistics, so
    # tiled output equals whole-image output only for an image that fits in one tile. Tiles of
    # 1024 LR pixels hold every standard benchmark image whole at x2 to x4 (Manga109 x2 is
    # 827 x 585), one at a time (measured on CPU: about 3.5 GB per LR megapixel). Larger
    # images are tiled; measured with the released x4 weights on Set14 cut into 128-pixel tiles:
    # up to 32/255 off, mean 0.4/255.
    c.infer.tile_size = 1024
    c.infer.overlap = 54
    c.infer.batch_size = 1
    return c
