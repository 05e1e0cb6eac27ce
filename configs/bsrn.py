"""BSRN x4 (Li et al. 2022): 64 features, eight ESDB blocks, BSConvU, pixelshuffledirect;
352,400 parameters, as released. Recipe of xiaom233/BSRN ``options/train/train_BSRN_x4.yml``."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "bsrn"
    c.model.scale = 4                      # official upscale: 2, 3 or 4
    c.model.kwargs.num_in_ch = 3
    c.model.kwargs.num_feat = 64
    c.model.kwargs.num_block = 8           # the official class runs only with 8
    c.model.kwargs.num_out_ch = 3
    c.model.kwargs.conv = "BSConvU"
    c.model.kwargs.upsampler = "pixelshuffledirect"
    # train_BSRN_x4.yml: DF2K, HR patch (gt_size) 192, batch 32 per GPU x 2 GPUs = 64, flips
    # and rotations, L1, Adam(1e-3, betas 0.9 / 0.999), cosine annealing to 1e-7 over 1M
    # iterations, no moving average.
    c.data.patch_size = 192
    c.train.batch_size = 64
    c.train.lr = 1e-3
    c.train.beta_2 = 0.999
    c.train.loss.l1 = 1.0
    c.train.steps = 1_000_000
    c.train.schedule = "cosine"
    c.train.min_lr_ratio = 1e-7 / 1e-3
    c.train.ema_decay = 0.0
    # Tiling is not exact: every block's contrast-aware channel attention pools mean and std
    # over the whole input (as IMDN's), and its ESA's pooling grid and bilinear resize follow
    # the tile's corner and size (see configs/rlfn.py). Tiles of 1024 LR pixels hold most
    # images whole, one at a time; larger images are tiled with a 128-pixel overlap.
    c.infer.tile_size = 1024
    c.infer.overlap = 128
    c.infer.batch_size = 1
    return c
