"""Swin2SR classical x2 (Conde et al. 2022), the size of the released
Swin2SR_ClassicalSR_X2_64.pth (mv-lab/swin2sr: embed_dim 180, 6 groups of 6 blocks, 6 heads,
window 8, mlp_ratio 2, pixelshuffle).

Swin2SR was trained with KAIR's SwinIR options (the paper keeps SwinIR's setup, with DIV2K +
Flickr2K, LR patch 64): L1, Adam 2e-4, lr halved at 250k, 400k, 450k and 475k of 500k
iterations, EMA 0.999, batch 32. Other released variants: lightweight x2
``embed_dim=60, depths=num_heads=(6,)*4, upsampler=pixelshuffledirect``; real-world x4
``upsampler=nearest+conv``.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "swin2sr"
    c.model.scale = 2
    c.model.kwargs.embed_dim = 180
    c.model.kwargs.depths = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.num_heads = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.window_size = 8
    c.model.kwargs.mlp_ratio = 2.0
    c.model.kwargs.upsampler = "pixelshuffle"      # pixelshuffle, pixelshuffledirect, nearest+conv
    c.model.kwargs.resi_connection = "1conv"       # 1conv or 3conv
    c.model.kwargs.img_range = 1.0
    recipes.basicsr_transformer(c, beta_2=0.999)
    c.train.ema_decay = 0.999
    # As SwinIR-M (configs/swinir.py): 8-pixel windows over 36 blocks reach 7 pixels further per
    # block, so no overlap is exact in theory; 64 (32 kept on each side) keeps whole windows and
    # matched SwinIR's whole-image output to 0.001/255 with random weights. One 512 px tile
    # holds 4096 windows x 6 heads x 64 x 64 float32 logits (0.4 GB) per block: one at a time.
    c.infer.tile_size = 512
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
