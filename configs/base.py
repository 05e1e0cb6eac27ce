"""Defaults shared by every model config. Each configs/<model>.py overrides what differs."""

import ml_collections


def get_config() -> ml_collections.ConfigDict:
    c = ml_collections.ConfigDict()

    c.model = ml_collections.ConfigDict()
    c.model.name = "edsr"
    c.model.scale = 4
    c.model.kwargs = ml_collections.ConfigDict()       # architecture arguments

    c.data = ml_collections.ConfigDict()
    c.data.train = "demo"          # folder (paired lr/hr, DIV2K, HR-only), "demo", or "dir/*.tfrecord"
    c.data.val = "demo"            # HR-only folder (e.g. Set5) or "demo"; "" disables validation
    c.data.layout = "auto"         # auto, paired, div2k, hr_only, demo
    c.data.patch_size = 96         # HR patch side; LR patch is patch_size / scale
    c.data.mode = "random"         # random crops, or "grid" (every patch, extract_patches)
    c.data.crops_per_image = 16
    c.data.cache = "auto"          # memory (decode once; exact resume) or none (stream, larger than
                                   # memory); auto: folders in memory, TFRecord shards streamed
    c.data.strict = False          # stop at the first bad file instead of skipping it
    c.data.degradation = "bicubic"   # LR of HR-only folders: "bicubic" (MATLAB imresize) or
                                     # "realesrgan" (on-the-fly second-order, section below)

    c.train = ml_collections.ConfigDict()
    c.train.steps = 300_000
    c.train.max_minutes = 0.0      # wall-clock budget; saves and stops when reached (0 = none)
    c.train.batch_size = 16
    c.train.optimizer = "adam"     # adam or adamw
    c.train.lr = 1e-4
    c.train.beta_1 = 0.9
    c.train.beta_2 = 0.999
    c.train.weight_decay = 0.0     # adamw only
    c.train.schedule = "cosine"    # constant, step or cosine
    c.train.milestones = (200_000,)
    c.train.gamma = 0.5
    c.train.min_lr_ratio = 0.01
    c.train.grad_clip = 0.0        # global-norm clipping; 0 = off
    c.train.loss = ml_collections.ConfigDict({"l1": 1.0, "l2": 0.0, "charbonnier": 0.0})
    c.train.ema_decay = 0.999
    c.train.ema_warmup = True      # rate min(decay, (1 + step) / (10 + step)); False: decay
    c.train.augment = True         # random dihedral transform, on device
    c.train.precision = "auto"     # auto (mixed_bfloat16 on AMX/AVX512-BF16 CPUs and GPUs of
                                   # compute capability >= 8, else float32), float32,
                                   # mixed_bfloat16, mixed_float16
    c.train.xla = ml_collections.config_dict.placeholder(bool)   # None: auto (on with a GPU)
    c.train.steps_per_call = 1     # train steps per compiled call; logging, checkpoints,
                                   # validation and the stop check happen between calls
    c.train.distribute = "auto"    # auto (multi_worker with TF_CONFIG, mirrored over several
                                   # GPUs, else default: one device), mirrored, multi_worker
    c.train.seed = 0
    c.train.init_from = ""         # a .keras generator to start from (ESRGAN's PSNR stage)
    c.train.log_every = 50
    c.train.ckpt_every = 1000
    c.train.keep_checkpoints = 3
    c.train.val_every = 5000
    c.train.image_every = 5000
    c.train.val_images = 5
    c.train.progress = True

    c.gan = ml_collections.ConfigDict()
    c.gan.enabled = False
    c.gan.discriminator = "vgg"    # vgg (128x128 patches) or unet (any multiple of 8)
    c.gan.discriminator_kwargs = ml_collections.ConfigDict()
    c.gan.adversarial = "relativistic"   # vanilla (SRGAN) or relativistic (ESRGAN)
    c.gan.pixel_weight = 0.01
    c.gan.perceptual_weight = 1.0
    c.gan.adversarial_weight = 0.005
    c.gan.perceptual_layers = ml_collections.ConfigDict({"block5_conv4": 1.0})
    c.gan.vgg_weights = ""         # torchvision vgg19-dcbb9e9d.pth or Keras notop .h5 file;
                                   # "imagenet" downloads the Keras one;
                                   # "random": untrained VGG (tests only)

    # Real-ESRGAN's second-order degradation (data.degradation = "realesrgan"). Defaults are
    # BasicSR's options/train/RealESRGAN/train_realesrgan_x4plus.yml; data.patch_size is the
    # dataset's 400x400 crop, gt_size the paired crop the model trains on.
    c.degradation = ml_collections.ConfigDict()
    d = c.degradation
    d.kernel_prob = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)   # iso, aniso, generalized_iso/aniso,
    d.sinc_prob = 0.1                                       # plateau_iso/aniso
    d.blur_sigma = (0.2, 3.0)
    d.betag_range = (0.5, 4.0)
    d.betap_range = (1.0, 2.0)
    d.kernel_prob2 = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)
    d.sinc_prob2 = 0.1
    d.blur_sigma2 = (0.2, 1.5)
    d.betag_range2 = (0.5, 4.0)
    d.betap_range2 = (1.0, 2.0)
    d.final_sinc_prob = 0.8
    d.resize_prob = (0.2, 0.7, 0.1)       # up, down, keep
    d.resize_range = (0.15, 1.5)
    d.gaussian_noise_prob = 0.5
    d.noise_range = (1.0, 30.0)
    d.poisson_scale_range = (0.05, 3.0)
    d.gray_noise_prob = 0.4
    d.jpeg_range = (30.0, 95.0)
    d.second_blur_prob = 0.8
    d.resize_prob2 = (0.3, 0.4, 0.3)
    d.resize_range2 = (0.3, 1.2)
    d.gaussian_noise_prob2 = 0.5
    d.noise_range2 = (1.0, 25.0)
    d.poisson_scale_range2 = (0.05, 2.5)
    d.gray_noise_prob2 = 0.4
    d.jpeg_range2 = (30.0, 95.0)
    d.gt_size = 256
    d.queue_size = 180            # training-pair pool (a multiple of the per-replica batch)
    d.gt_usm = True               # pixel and perceptual losses on the USM-sharpened GT
                                  # (the yml's l1_gt_usm / percep_gt_usm)
    d.gan_gt_usm = False          # the discriminator's real images: plain GT

    c.infer = ml_collections.ConfigDict()
    c.infer.tile_size = 512        # LR pixels; tiles are balanced to share the image evenly
    c.infer.overlap = 32           # LR pixels; each tile keeps overlap/2 away from its cut edges
    c.infer.batch_size = 4         # tiles per model call
    c.infer.self_ensemble = False
    c.infer.threads = 0            # LiteRT / onnxruntime threads (0: every core we may use)
    c.infer.max_pixels = 8192 * 8192   # predict/eval refuse larger images from their header,
                                       # before decoding (decompression bombs); 61 MP cameras fit

    c.export = ml_collections.ConfigDict()
    c.export.calibration_patches = 128     # int8: LR patches for post-training calibration
    c.export.calibration_patch_size = 64   # int8: their side, LR pixels
    c.export.calibration_images = 32       # int8: spread over the first this many training images
    return c
