"""Omni-SR x4 (Wang et al. 2023) at the size community trainers build by default (traiNNer-redux's
``omnisr``: num_feat 64, res_num 5, block_num 1, window 8, pe; the official constructor's
res_num default is 1).

``window_size`` is stored only with the position bias (``pe``); for weights without it, set it
with ``--config.model.kwargs.window_size``. No training recipe is given: none was checked
against the official options.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "omnisr"
    c.model.scale = 4
    c.model.kwargs.num_feat = 64
    c.model.kwargs.block_num = 1
    c.model.kwargs.pe = True
    c.model.kwargs.window_size = 8
    c.model.kwargs.res_num = 5
    c.model.kwargs.bias = True
    # Tiling is never exact: each group's ESA and the grid attention (pixels H / 8 apart) see
    # the whole tile. An overlap of 32 keeps four 8-pixel windows on each side of every cut.
    c.infer.tile_size = 256
    c.infer.overlap = 32
    c.infer.batch_size = 1
    return c
