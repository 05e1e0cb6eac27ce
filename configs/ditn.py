"""DITN x4 (Liu et al. 2023) with the official ``DITN_Real`` constructor's defaults
(yongliuy/DITN: dim 60, one UFONE unit of 4 ITL and 4 SAL blocks, ffn expansion 2, no biases,
patch 8).

``patch_size`` is stored in no weights file; set it with ``--config.model.kwargs.patch_size``.
No training recipe is given: none was checked against the official options.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "ditn"
    c.model.scale = 4
    c.model.kwargs.dim = 60
    c.model.kwargs.ITL_blocks = 4
    c.model.kwargs.SAL_blocks = 4
    c.model.kwargs.UFONE_blocks = 1
    c.model.kwargs.ffn_expansion_factor = 2.0
    c.model.kwargs.bias = False
    c.model.kwargs.patch_size = 8
    # ITL attends within 8-pixel patches; each SAL block reaches 1 + 2 + 9 = 12 pixels (5x5,
    # 7x7 dilated 3, the feed-forward's 3x3), 48 for four: an overlap of 64 keeps that
    # receptive field inside every tile.
    c.infer.tile_size = 256
    c.infer.overlap = 64
    c.infer.batch_size = 1
    return c
