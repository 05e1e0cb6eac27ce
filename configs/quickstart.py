"""Quick start: EDSR-baseline x4 (8 blocks) on the bundled demo photos, a few minutes on 2 CPUs."""

from configs import edsr


def get_config():
    c = edsr.get_config()
    c.model.kwargs.num_blocks = 8
    c.data.patch_size = 64
    c.train.batch_size = 8
    c.train.steps = 600
    c.train.lr = 5e-4
    c.train.ema_decay = 0.99
    c.train.log_every = 20
    c.train.ckpt_every = 200
    c.train.val_every = 300
    c.train.image_every = 300
    return c
