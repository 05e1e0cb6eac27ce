"""DCTLSA x4 (Zeng et al. 2023) with the official constructor's defaults (zengkun301/DCTLSA:
nf 55, 6 modules, 5 heads; window 16 and mlp_ratio 2 are fixed in the code).

``num_head`` is stored in no weights file; set it with ``--config.model.kwargs.num_head``. No
training recipe is given: none was checked against the official options.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "dctlsa"
    c.model.scale = 4
    c.model.kwargs.nf = 55
    c.model.kwargs.num_modules = 6
    c.model.kwargs.num_head = 5
    # Tiling is never exact: every Swin layer pads its own input to 16 and its shifted windows
    # wrap around the tile unmasked. An overlap of 32 keeps two whole 16-pixel windows on each
    # side of every cut.
    c.infer.tile_size = 256
    c.infer.overlap = 32
    c.infer.batch_size = 1
    return c
