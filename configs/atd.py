"""ATD x2 (Zhang et al. 2024) at the released size (LabShuHangGU/Adaptive-Token-Dictionary
options/test/test_ATD_SRx2_finetune.yml: embed_dim 210, 6 groups of 6 layers, 6 heads, window
16, category_size 256, 128 tokens, reducted_dim 20, convffn_kernel_size 5, mlp_ratio 2).
ATD-light: embed_dim 48, depths (6,)*4, heads (4,)*4, category_size 128, 64 tokens,
reducted_dim 8, convffn_kernel_size 7, mlp_ratio 1, pixelshuffledirect.

``category_size`` is in no weights file: set it to the release's value.
Training (options/train/train_ATD_SRx2_scratch.yml, BasicSR): DF2K, LR patch 64, batch 32, L1,
Adam 2e-4 with betas (0.9, 0.99), lr halved at 250k, 400k, 450k and 475k of 500k iterations.
"""

from configs import base, recipes


def get_config():
    c = base.get_config()
    c.model.name = "atd"
    c.model.scale = 2
    c.model.kwargs.embed_dim = 210
    c.model.kwargs.depths = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.num_heads = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.window_size = 16
    c.model.kwargs.category_size = 256
    c.model.kwargs.num_tokens = 128
    c.model.kwargs.reducted_dim = 20
    c.model.kwargs.convffn_kernel_size = 5
    c.model.kwargs.mlp_ratio = 2.0
    c.model.kwargs.qkv_bias = True
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.upsampler = "pixelshuffle"  # pixelshuffle, pixelshuffledirect, nearest+conv
    c.model.kwargs.resi_connection = "1conv"
    recipes.basicsr_transformer(c)
    # Tiling is never exact: the token dictionary and the category groups see the whole tile.
    # Tiles keep the 16-pixel windows; overlap 64 keeps two windows on each side of a cut.
    c.infer.tile_size = 256
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
