"""GRL (Li et al. 2023) with the official constructor's defaults (ofsoundof/GRL-Image-Restoration
``models/networks/grl.py``: embed_dim 96, 6 stages of 6 blocks, 3 window and 3 stripe heads,
window 8, stripes 8 x 8, no stripe shift, mlp_ratio 4, one-stage avgpool anchors, down factor 1)
and a pixel-shuffle x4 tail (the constructor's default is no upsampler: restoration only).

The window, stripe and anchor sizes (and ``img_size``, unused here) are stored in no weights
file: set them to the released model's values with ``--config.model.kwargs.NAME=VALUE``
(spandrel assumes window 32, stripes 64 x 64, stripe shift, down factor 4 for the SR releases).
No training recipe is given: none was checked against the official options.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "grl"
    c.model.scale = 4
    c.model.kwargs.img_size = 64
    c.model.kwargs.embed_dim = 96
    c.model.kwargs.depths = (6, 6, 6, 6, 6, 6)
    c.model.kwargs.num_heads_window = (3, 3, 3, 3, 3, 3)
    c.model.kwargs.num_heads_stripe = (3, 3, 3, 3, 3, 3)
    c.model.kwargs.window_size = 8
    c.model.kwargs.stripe_size = (8, 8)
    c.model.kwargs.stripe_groups = (None, None)   # only fixed stripe sizes are built
    c.model.kwargs.stripe_shift = False
    c.model.kwargs.mlp_ratio = 4.0
    c.model.kwargs.qkv_bias = True
    c.model.kwargs.qkv_proj_type = "linear"        # the only one built
    c.model.kwargs.anchor_proj_type = "avgpool"    # avgpool or maxpool
    c.model.kwargs.anchor_one_stage = True
    c.model.kwargs.anchor_window_down_factor = 1
    c.model.kwargs.local_connection = False
    c.model.kwargs.conv_type = "1conv"             # 1conv, 3conv, 1conv1x1, linear
    c.model.kwargs.upsampler = "pixelshuffle"      # pixelshuffle, pixelshuffledirect, nearest+conv
    c.model.kwargs.img_range = 1.0
    # Tiling is never exact: the optional channel-attention branch pools the whole tile and the
    # shifted windows wrap around the padded tile. An overlap of 32 keeps two whole 8-pixel
    # windows and stripes on each side of every cut (raise it with larger windows or stripes).
    c.infer.tile_size = 256
    c.infer.overlap = 32
    c.infer.batch_size = 1
    return c
