"""RLFN x4 (Kong et al. 2022): the released size, 52 feature channels (bytedance/RLFN
``model/rlfn.py``). The repository releases no training code ("please refer to EDSR framework
and our paper"), so training uses the base defaults (L1, Adam)."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "rlfn"
    c.model.scale = 4                      # official upscale
    c.model.kwargs.in_channels = 3
    c.model.kwargs.out_channels = 3
    c.model.kwargs.feature_channels = 52
    # Receptive field in LR pixels: each block's three 3x3 convs reach 3, its ESA about 17 more
    # (stride-2 3x3 conv 1.5, 7x7 pool at stride 2 6, 3x3 conv at stride 6 6, bilinear up 3);
    # six blocks, conv_1, conv_2 and the upsampler: about 123. Tiling is still not exact, and
    # a wider overlap does not help: the ESA's pooling grid starts at each tile's corner and
    # its bilinear resize stretches the pooled map over the tile's own size. Measured with
    # random weights (no trained ones here; x4, 52 channels) on T91 t50 (262 x 330) cut into
    # 160 / 224 px tiles: up to 85/255 off at overlap 64 (mean 3.7/255), 88/255 at 128 (mean
    # 3.5/255). The official test code runs whole images; tiles of 1024 LR pixels hold most
    # images whole (one at a time: ~0.2 GB per 52-channel feature map at 1024 x 1024).
    c.infer.tile_size = 1024
    c.infer.overlap = 128
    c.infer.batch_size = 1
    return c
