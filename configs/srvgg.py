"""SRVGGNetCompact x4 at the size of Real-ESRGAN's realesr-general-x4v3 (64 features, 32 convs,
PReLU; 1,213,296 parameters), trained PSNR-oriented with L1."""

from configs import base


def get_config():
    c = base.get_config()
    c.model.name = "srvgg"
    c.model.scale = 4
    c.model.kwargs.num_feat = 64
    c.model.kwargs.num_conv = 32           # realesr-animevideov3: 16
    c.model.kwargs.act_type = "prelu"      # prelu, relu or leakyrelu
    # Real-ESRGAN publishes no training options for its compact models. These are those of its
    # PSNR-oriented stage, options/train_realesrnet_x4plus.yml: HR patch (gt_size) 256, batch
    # 12 per GPU x 4 GPUs = 48 (kept as the global batch: the compact model runs at LR size and
    # fits it on one device), L1, Adam(lr 2e-4, betas 0.9 / 0.99), EMA 0.999, 1M iterations with
    # the only milestone at 1M (a constant rate). Not reproduced here: its synthetic second-order
    # degradations (train on a paired folder made with them) and its flip-only augmentation
    # (ours also rotates).
    c.data.patch_size = 256
    c.train.batch_size = 48
    c.train.lr = 2e-4
    c.train.beta_2 = 0.99
    c.train.loss.l1 = 1.0
    c.train.steps = 1_000_000
    c.train.schedule = "constant"
    c.train.ema_decay = 0.999
    # 34 3x3 convs at LR size reach 34 pixels; each tile keeps overlap / 2 = 34 from its cuts.
    c.infer.overlap = 68
    return c
