"""SRVGGNetCompact at the size of realesr-general-x4v3 (64 features, 32 convs, PReLU) trained
PSNR-oriented on Real-ESRGAN's second-order degradation; fine-tune the official weights with
--weights=realesr-general-x4v3.pth.

Real-ESRGAN publishes no training options for its compact models; these are those of the
RealESRNet stage (train_realesrnet_x4plus.yml, see configs/realesrnet.py): Adam(lr 2e-4, betas
0.9 / 0.99), L1 on the USM-sharpened GT, EMA 0.999, 1,000,000 iterations at a constant rate,
gt_size 256 from 400x400 crops, global batch 48 with a pool of 192.
"""

from configs import realesrnet, srvgg


def get_config():
    c, compact = realesrnet.get_config(), srvgg.get_config()
    c.model = compact.model
    c.infer.overlap = compact.infer.overlap
    return c
