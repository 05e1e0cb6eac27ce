"""SwinIR-M classical x4 (Liang et al. 2021) with the official training recipe.

Model and training from JingyunLiang/SwinIR and KAIR options/swinir/train_swinir_sr_classical.json:
DIV2K, LR patch 48, batch 32, L1, Adam 2e-4 (betas 0.9, 0.999), lr halved at 250k, 400k, 450k
and 475k of 500k iterations, EMA 0.999. (KAIR fine-tunes x3/x4/x8 from the x2 model with half
the lr and iterations; this config trains x4 from scratch with the x2 schedule.)
Other released variants: SwinIR-S (lightweight) ``embed_dim=60, depths=(6,)*4,
num_heads=(6,)*4, upsampler=pixelshuffledirect``; real-world SwinIR-L ``embed_dim=240,
depths=(6,)*9, num_heads=(8,)*9, upsampler=nearest+conv, resi_connection=3conv``.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "swinir"
    c.model.scale = 4
    c.model.kwargs.embed_dim = 180
    c.model.kwargs.depths = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.num_heads = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.window_size = 8
    c.model.kwargs.mlp_ratio = 2.0
    c.model.kwargs.upsampler = "pixelshuffle"      # pixelshuffle, pixelshuffledirect, nearest+conv
    c.model.kwargs.resi_connection = "1conv"       # 1conv or 3conv
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.num_feat = 64
    recipes.basicsr_transformer(c, beta_2=0.999)
    c.data.patch_size = 192                        # SwinIR trains on LR 48 (x4: 192)
    c.train.ema_decay = 0.999
    # Tiles are aligned to the 8-pixel window. Window attention reaches up to 7 pixels further
    # per block (36 blocks), so tiling is never exact in theory; in practice influence fades
    # fast. Measured on SwinIR-M x4 with random weights (no trained weights here; a 144 px
    # crop, 112 px tiles): tiled vs whole max 0.17/255 at overlap 32, 0.001/255 at 64 with
    # Glorot-initialised linears (official truncated-normal init: ~0 already at 32). Trained
    # weights may reach further; raise infer.overlap if seams show.
    # Memory: one 512 px tile holds 4096 windows x 6 heads x 64 x 64 attention logits (0.4 GB
    # each in float32), so tiles go one at a time.
    c.infer.tile_size = 512
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
