"""DRCT x4 (Hsu et al. 2024) at the released size (ming053l/DRCT options/train/
train_DRCT_SRx4_*.yml: embed_dim 180, 6 groups, 6 heads, window 16, mlp_ratio 2, gc 32; DRCT-L:
12 groups).

Training as the official x2-from-scratch options (which follow HAT): DF2K, LR patch 64, batch
32, L1, Adam 2e-4 with betas (0.9, 0.99), lr halved at 250k, 400k, 450k and 475k of 500k
iterations, EMA 0.999.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "drct"
    c.model.scale = 4
    c.model.kwargs.embed_dim = 180
    c.model.kwargs.depths = (6, 6, 6, 6, 6, 6)     # one entry per group (5 blocks each)
    c.model.kwargs.num_heads = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.window_size = 16
    c.model.kwargs.mlp_ratio = 2.0
    c.model.kwargs.resi_connection = "1conv"       # 1conv or identity
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.gc = 32
    recipes.basicsr_transformer(c)
    c.train.ema_decay = 0.999
    # As HAT (configs/hat.py), same 16-pixel windows and 30 window blocks: tiles aligned to the
    # window, overlap 96 (48 kept on each side, three windows). Not exact in theory (attention
    # reaches 15 pixels further per block); raise infer.overlap if seams show.
    c.infer.tile_size = 384
    c.infer.overlap = 96
    c.infer.batch_size = 1
    return c
