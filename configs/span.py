"""SPAN x4 (Wan et al. 2024, hongyuanyu/SPAN), the NTIRE 2024 efficient-SR winner: 48 features.

Training recipe of the official ``options/train/spanx4_ch48.yml`` is not in spandrel's copy;
these are the values its README and BasicSR's efficient-SR options use: DIV2K (+Flickr2K), HR
patch 256, batch 64, L1 then L2 fine-tuning, Adam 5e-4 (betas 0.9, 0.99), cosine decay.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "span"
    c.model.scale = 4
    c.model.kwargs.feature_channels = 48
    c.model.kwargs.bias = True
    c.model.kwargs.norm = True            # False: checkpoints carrying the no_norm buffer
    c.model.kwargs.img_range = 255.0
    c.model.kwargs.rgb_mean = (0.4488, 0.4371, 0.4040)
    c.data.patch_size = 256
    c.train.batch_size = 64
    c.train.lr = 5e-4
    c.train.beta_2 = 0.99
    c.train.loss.l1 = 1.0
    c.train.schedule = "cosine"
    # 3x3 convs at LR size: conv_1, 6 x 3 in the blocks, conv_2, the upsampler: 21 pixels.
    # Each tile keeps overlap / 2 = 24 from its cuts.
    c.infer.overlap = 48
    return c
