"""SeemoRe x4 (Zamfir et al. 2024, eduardzamfir/seemoredetails) at the official constructor
defaults: 64 dim, 6 residual groups, 6 experts (linear ranks), top-1 routing, 11-tap striped
global convs. ``img_range``, ``use_shuffle``, ``recursive`` and ``topk`` are stored in no
checkpoint: set them here (``--config.model.kwargs.NAME``) for files trained otherwise.

Training values are the base defaults: the official training options were not checked
for this port, so none is claimed here.
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "seemore"
    c.model.scale = 4
    c.model.kwargs.num_experts = 6
    c.model.kwargs.num_layers = 6
    c.model.kwargs.embedding_dim = 64
    c.model.kwargs.img_range = 1.0
    c.model.kwargs.use_shuffle = True
    c.model.kwargs.global_kernel_size = 11
    c.model.kwargs.recursive = 2
    c.model.kwargs.lr_space = "linear"        # linear, exp or double
    c.model.kwargs.topk = 1
    # The router pools the whole image and its top-k choice is per image, so a tile can pick
    # other experts than the whole image does: tiling is never exact. Use large tiles; each
    # keeps overlap / 2 = 48 from its cuts.
    c.infer.overlap = 96
    return c
