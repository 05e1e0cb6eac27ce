"""CRAFT x4 (Li et al. 2023) at the released size (AVC2-UESTC/CRAFT-SR
options/test/test_CRAFT_SRx4.yml: embed_dim 48, 4 groups of depth 2, 6 heads, split sizes
4 x 16, mlp_ratio 2, window_size 16).

``window_size`` is in no weights file; it only sets the padding (a multiple of both split
sizes). Training (options/train/train_CRAFT_SRx4_scratch.yml, BasicSR): DIV2K, LR patch 64,
batch 32, L1, Adam 5e-4 with betas (0.9, 0.99), lr halved at 250k, 400k, 450k and 475k of
500k iterations.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "craft"
    c.model.scale = 4
    c.model.kwargs.window_size = 16
    c.model.kwargs.embed_dim = 48
    c.model.kwargs.depths = (2, 2, 2, 2)
    c.model.kwargs.num_heads = (6, 6, 6, 6)
    c.model.kwargs.split_size_0 = 4
    c.model.kwargs.split_size_1 = 16
    c.model.kwargs.mlp_ratio = 2.0
    c.model.kwargs.qkv_bias = True
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.resi_connection = "1conv"       # 1conv or identity
    recipes.basicsr_transformer(c, lr=5e-4)
    # Tiling is never exact: the fusion blocks' channel attention pools the whole tile, and the
    # shifted windows wrap around the (padded) tile edges unmasked. The 4 x 16 windows reach 15
    # pixels; an overlap of 64 keeps two 16-pixel windows on each side of every cut.
    c.infer.tile_size = 256
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
