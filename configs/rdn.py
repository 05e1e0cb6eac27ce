"""RDN x4 of the paper (Zhang et al. 2018): D=16 residual dense blocks of C=8 layers, growth G=64,
G0=64 filters (EDSR-PyTorch RDNconfig "B"; 22,271,107 parameters).

Training as in the paper and EDSR-PyTorch's demo.sh (RDN_D16C8G64_BIx4): L1 loss; Adam (0.9,
0.999); lr 1e-4 halved every 200 epochs of 1000 iterations; 200 epochs, so the run ends at the
first halving; batch 16 of 32x32 LR patches (HR 64 / 96 / 128 at x2 / x3 / x4).
"""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "rdn"
    c.model.kwargs.num_blocks = 16       # D
    c.model.kwargs.num_layers = 8        # C
    c.model.kwargs.growth = 64           # G
    c.model.kwargs.filters = 64          # G0
    c.model.kwargs.rgb_range = 255.0     # EDSR-PyTorch runs on [0, 255]
    c.data.patch_size = 128              # 32 LR pixels at x4
    c.train.batch_size = 16
    c.train.lr = 1e-4
    c.train.schedule = "step"
    c.train.milestones = (200_000,)
    c.train.gamma = 0.5
    c.train.steps = 200_000
    c.train.loss.l1 = 1.0
    # Exact tiling: the receptive field reaches D*C + 6 = 134 LR pixels (3x3 convs: SFENet1,
    # SFENet2, D*C in the blocks, GFF.1, and the upsampler's), so the overlap is twice that.
    # A 512 tile then keeps 244 pixels a side: about 4x the work of whole-image inference on
    # large images; a smaller overlap is cheaper and no longer exact.
    c.infer.overlap = 268
    return c
