"""SPAN x4 (Wan et al. 2024, hongyuanyu/SPAN), the NTIRE 2024 efficient-SR winner: 48 features.

Training values are the base defaults: the official training options were not checked
for this port (no recipe ships with spandrel's copy), so none is claimed here.
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
    # 3x3 convs at LR size: conv_1, 6 x 3 in the blocks, conv_2, the upsampler: 21 pixels.
    # Each tile keeps overlap / 2 = 24 from its cuts.
    c.infer.overlap = 48
    return c
