"""CARN (Ahn et al. 2018) as released: carn.pth, one multi-scale file (x2/x3/x4 upsamplers),
1,591,963 parameters with all three (CARN-M: ``variant="carn_m"``, ``group=4``, 414,811).
Training settings of nmhkahn/CARN-pytorch's README and ``carn/train.py``/``solver.py``."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "carn"
    c.model.scale = 4                      # which upsampler runs: 2, 3 or 4
    c.model.kwargs.multi_scale = True      # up2/up3/up4 in one model (False: one "up")
    c.model.kwargs.group = 1               # CARN-M: 4
    c.model.kwargs.variant = "carn"        # carn (carn.py) or carn_m (carn_m.py)
    # README: LR patch 64 (HR 256 at x4), batch 64, 600k steps, lr 1e-4 halved every 400k
    # (train.py: Adam, L1, gradient norm clipped at 10). The official multi-scale training
    # draws x2, x3 or x4 per step; here one scale trains its upsampler (the others are frozen).
    c.data.patch_size = 256
    c.train.batch_size = 64
    c.train.lr = 1e-4
    c.train.loss.l1 = 1.0
    c.train.steps = 600_000
    c.train.schedule = "step"
    c.train.milestones = (400_000,)
    c.train.gamma = 0.5
    c.train.grad_clip = 10.0
    c.train.ema_decay = 0.0
    # Receptive field in LR pixels: entry 1, 3 x 3 residual blocks of two 3x3 convs 18, the
    # upsampler's convs 1.5, exit 3x3 at HR 1/4: about 21; overlap 2 x 24.
    c.infer.overlap = 48
    return c
