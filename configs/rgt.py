"""RGT x2 (Chen et al. 2024) at the released size (zhengchen1999/RGT options/Test/
test_RGT_x2.yml: embed_dim 180, 8 groups of 6 blocks, 6 heads, mlp_ratio 2, split_size (8, 32),
c_ratio 0.5; RGT-S: 6 groups).

Training from options/Train/train_RGT_x2.yml (BasicSR, as DAT): DF2K, LR patch 64, batch 32,
L1, Adam 2e-4 with betas (0.9, 0.99), lr halved at 250k, 400k, 450k and 475k of 500k
iterations.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "rgt"
    c.model.scale = 2
    c.model.kwargs.embed_dim = 180
    c.model.kwargs.depth = (6, 6, 6, 6, 6, 6, 6, 6)
    c.model.kwargs.num_heads = (6, 6, 6, 6, 6, 6, 6, 6)
    c.model.kwargs.mlp_ratio = 2.0
    c.model.kwargs.qkv_bias = True
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.resi_connection = "1conv"       # 1conv or 3conv
    c.model.kwargs.split_size = (8, 32)
    c.model.kwargs.c_ratio = 0.5
    recipes.basicsr_transformer(c)
    # Tiling is never exact: every RG-SA block attends to the whole (shrunk) tile. The 8 x 32
    # windows reach 31 pixels; an overlap of 64 keeps a whole 32-pixel window past every cut.
    # Tiles below 1024 px keep RG-SA at the training-time reduction (x16).
    c.infer.tile_size = 384
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
