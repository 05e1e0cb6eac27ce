"""A tiny EDSR config for process-level training tests (data folder from SR_TF_TEST_DATA)."""

import os

from configs import edsr


def get_config():
    c = edsr.get_config()
    c.model.scale = 2
    c.model.kwargs.num_blocks = 1
    c.model.kwargs.filters = 8
    c.data.train = os.environ["SR_TF_TEST_DATA"]
    c.data.val = ""
    c.data.patch_size = 16
    c.data.crops_per_image = 4
    c.train.batch_size = 4
    c.train.steps = 40
    c.train.log_every = 5
    c.train.ckpt_every = 10
    c.train.progress = False
    c.train.precision = "float32"     # the guarantees are tested in float32 on any machine
    c.train.xla = False
    return c
