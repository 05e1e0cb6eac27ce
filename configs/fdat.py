"""FDAT x4 (neosr-project) at the constructor's defaults (FDAT-M: embed_dim 120, 4 groups of
3 x (spatial, channel) blocks, 4 heads, window 8, ffn x2, transpose+conv upsampler).

No training recipe comes with the architecture (spandrel's copy, neosr's option files are
not part of it): the training values below are SwinIR's (configs/swinir.py), a starting point,
not FDAT's own.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "fdat"
    c.model.scale = 4
    c.model.kwargs.embed_dim = 120
    c.model.kwargs.num_groups = 4
    c.model.kwargs.depth_per_group = 3
    c.model.kwargs.num_heads = 4
    c.model.kwargs.window_size = 8
    c.model.kwargs.ffn_expansion_ratio = 2.0
    c.model.kwargs.aim_reduction_ratio = 8
    c.model.kwargs.group_block_pattern = ("spatial", "channel")
    c.model.kwargs.mid_dim = 64
    c.model.kwargs.upsampler_type = "transpose+conv"  # or pixelshuffle, pixelshuffledirect, conv
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.unshuffle_mod = False
    recipes.basicsr_transformer(c, beta_2=0.999)
    # Tiling is never exact: every channel block attends over the whole tile and the spatial
    # blocks' channel gates pool it. Windows are not shifted (8 px, 7 px reach per block, 12
    # spatial blocks); an overlap of 64 keeps four windows on each side of every cut.
    c.infer.tile_size = 384
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
