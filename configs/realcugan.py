"""Real-CUGAN UpCunet (bilibili/ailab Real-CUGAN, ``upcunet_v3.py``): fixed widths (about
1.28M parameters at x2, 1.41M at x4); scale 2, 3 or 4 picks UpCunet2x/3x/4x, ``pro`` the
pro checkpoints' input/output mapping. The repository releases no training code."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "realcugan"
    c.model.scale = 2
    c.model.kwargs.in_channels = 3
    c.model.kwargs.out_channels = 3
    c.model.kwargs.pro = False             # pro checkpoints carry a "pro" entry
    # The valid convolutions eat the reflect margin (18 / 14 / 19 LR pixels at x2 / x3 / x4),
    # so a pixel sees about that far; overlap 2 x 24. Tiling still changes the output
    # slightly: every squeeze-and-excitation block averages over the whole tile (the official
    # tiled mode shares those means across tiles instead). 512 LR pixel tiles, one at a time.
    c.infer.tile_size = 512
    c.infer.overlap = 48
    c.infer.batch_size = 1
    return c
