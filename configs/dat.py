"""DAT x2 (Chen et al. 2023) at the released size (zhengchen1999/DAT
options/Test/test_DAT_x2.yml: embed_dim 180, split_size (8, 32), 6 groups of 6 blocks, 6 heads,
expansion_factor 4). DAT-S: ``split_size=(8, 16), expansion_factor=2``; DAT-light: embed_dim
60, depth (18,), heads (6,), ``resi_connection=3conv, upsampler=pixelshuffledirect``.

Training from options/Train/train_DAT_x2.yml (BasicSR, as HAT): DF2K, LR patch 64, batch 32,
L1, Adam 2e-4 with betas (0.9, 0.99), lr halved at 250k, 400k, 450k and 475k of 500k
iterations.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "dat"
    c.model.scale = 2
    c.model.kwargs.embed_dim = 180
    c.model.kwargs.split_size = (8, 32)
    c.model.kwargs.depth = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.num_heads = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.expansion_factor = 4.0
    c.model.kwargs.qkv_bias = True
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.resi_connection = "1conv"       # 1conv or 3conv
    c.model.kwargs.upsampler = "pixelshuffle"      # pixelshuffle or pixelshuffledirect
    recipes.basicsr_transformer(c)
    # Tiling is never exact: every other block's channel attention and the interaction's
    # channel maps average over the whole tile. The 8 x 32 windows (and their transposes) reach
    # 31 pixels; an overlap of 64 keeps a whole 32-pixel window on each side of every cut.
    c.infer.tile_size = 384
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
