"""RealESRNet x4plus: RRDB x4 trained with L1 on Real-ESRGAN's on-the-fly second-order
degradation of HR-only images (the PSNR stage before RealESRGAN).

Values from BasicSR options/train/RealESRGAN/train_realesrnet_x4plus.yml: RRDB 23 blocks / 64
features / growth 32; Adam(lr 2e-4, betas 0.9 / 0.99); MultiStepLR milestone 1,000,000 (so a
constant rate for the whole run), gamma 0.5; 1,000,000 iterations; EMA 0.999; L1 weight 1 on the
USM-sharpened GT; gt_size 256 cut from the dataset's 400x400 crops; batch 12 per GPU on 4 GPUs.
Here the global batch is 48 and the training-pair pool 192 (BasicSR's 180 is per GPU of 12 and
must be a multiple of the batch). The official run starts from ESRGAN's
ESRGAN_SRx4_DF2KOST_official-ff704c30.pth: pass it with --weights.
"""

from configs import rrdb


def get_config():
    c = rrdb.get_config()
    c.data.degradation = "realesrgan"
    c.data.patch_size = 400            # RealESRGANDataset's crop_pad_size; degraded, then
    c.degradation.gt_size = 256        # paired-cropped to gt_size
    c.degradation.queue_size = 192
    c.train.batch_size = 48
    c.train.lr = 2e-4
    c.train.beta_2 = 0.99
    c.train.loss.l1 = 1.0
    c.train.loss.l2 = 0.0
    c.train.schedule = "step"
    c.train.milestones = (1_000_000,)
    c.train.gamma = 0.5
    c.train.steps = 1_000_000
    c.train.ema_decay = 0.999
    c.train.ckpt_every = 5000          # save_checkpoint_freq
    return c
