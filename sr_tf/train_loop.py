"""The training run: distribution, precision, checkpoints/resume, EMA, validation, TensorBoard.

``train(config, workdir)`` is what ``main.py --mode=train`` calls. A run is resumable: every
``ckpt_every`` steps a CheckpointManager saves generator, discriminator, optimizers, EMA weights
and the step; a restarted run (same workdir) continues from the last checkpoint, and with data in
memory it sees exactly the batches an uninterrupted run would (``pipelines.training``).
``train.seed`` seeds the weight initialisation and the data. SIGTERM/Ctrl-C and reaching
``train.max_minutes`` save a checkpoint and stop; with several workers they all agree on the step
to stop at. The EMA generator (all weights averaged, BatchNorm statistics included) is written to
``workdir/model.keras``; each validation is appended to ``workdir/validation.jsonl``.

``train.steps_per_call`` steps run in one compiled call (a loop on the device, the EMA updated
every step); calls end at every logging, checkpoint and validation step, so those and the stop
check happen at the same steps whatever the call length, and the host syncs once per call.
``train.precision=auto`` and ``train.xla`` unset are chosen from the machine
(:mod:`sr_tf.hardware`) and logged with the reason.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import keras
import ml_collections
import numpy as np
import tensorflow as tf
from absl import logging

from pipelines.training import TrainingData
from pipelines.validation import iter_eval_pairs
from sr_tf.degradations.config import degradation_options, kernel_options
from sr_tf.degradations.training_pairs import RealESRGANPairs
from sr_tf.evaluate import evaluate_pair, mean_row
from sr_tf.hardware import choose_precision, choose_xla, cpu_flags, gpu_capabilities
from sr_tf.image_io import atomic_write_bytes
from sr_tf.inference import Upscaler
from sr_tf.losses import PerceptualLoss
from sr_tf.models import build_discriminator, build_generator
from sr_tf.trainers import GANTrainer, PixelLossWeights, SRTrainer
from sr_tf.weights import as_float32


def make_strategy(kind: str = "auto") -> tf.distribute.Strategy:
    """``auto``: MultiWorkerMirrored when TF_CONFIG names a cluster, Mirrored over the GPUs
    when there are several, else the default strategy: one device needs no replicas, and a
    one-device MirroredStrategy still wraps every step in its replica machinery (mirrored
    variables, the gradient all-reduce): EDSR-baseline trained about 12% slower under it on a
    CPU (``benchmarks/train_e2e.py``)."""
    if kind == "auto":
        kind = "multi_worker" if "TF_CONFIG" in os.environ else \
            "mirrored" if len(tf.config.list_logical_devices("GPU")) > 1 else "default"
    if kind == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if kind == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def learning_rate(cfg: ml_collections.ConfigDict, steps: int):
    """Constant, step (multiply by gamma at each milestone) or cosine schedule."""
    if cfg.schedule == "step":
        milestones = list(cfg.milestones)
        values = [cfg.lr * cfg.gamma**i for i in range(len(milestones) + 1)]
        return keras.optimizers.schedules.PiecewiseConstantDecay(milestones, values)
    if cfg.schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(cfg.lr, steps, alpha=cfg.min_lr_ratio)
    return cfg.lr


def make_optimizer(cfg: ml_collections.ConfigDict, steps: int) -> keras.optimizers.Optimizer:
    """Adam or AdamW (float16 gets loss scaling). Clipping is the trainer's: it clips the
    gradient summed over replicas."""
    kwargs = dict(learning_rate=learning_rate(cfg, steps), beta_1=cfg.beta_1, beta_2=cfg.beta_2)
    opt = keras.optimizers.AdamW(weight_decay=cfg.weight_decay, **kwargs) \
        if cfg.optimizer == "adamw" else keras.optimizers.Adam(**kwargs)
    if keras.mixed_precision.global_policy().name == "mixed_float16":
        opt = keras.optimizers.LossScaleOptimizer(opt)
    return opt


def build_trainer(config: ml_collections.ConfigDict, steps: int) -> tuple[SRTrainer, keras.Model]:
    """Generator (+ discriminator for GAN configs) wrapped in its trainer, optimizers set, and
    the EMA copy of the generator."""
    m, t = config.model, config.train
    generator = build_generator(m.name, m.scale, **m.kwargs.to_dict())
    common = dict(pixel_weights=PixelLossWeights(t.loss.l1, t.loss.l2, t.loss.charbonnier),
                  augment=t.augment, grad_clip=t.grad_clip, pairs=realesrgan_pairs(config))
    if config.gan.enabled:
        g = config.gan
        perceptual = PerceptualLoss(g.perceptual_layers.to_dict(), g.vgg_weights) \
            if g.perceptual_weight else None
        discriminator = build_discriminator(g.discriminator, **g.discriminator_kwargs.to_dict())
        trainer = GANTrainer(generator, discriminator, m.scale, perceptual, g.adversarial,
                             g.pixel_weight, g.perceptual_weight, g.adversarial_weight, **common)
        trainer.d_optimizer = make_optimizer(t, steps)
    else:
        trainer = SRTrainer(generator, m.scale, **common)
    trainer.optimizer = make_optimizer(t, steps)
    ema = keras.models.clone_model(generator)
    ema.set_weights(generator.get_weights())
    return trainer, ema


def realesrgan_pairs(config: ml_collections.ConfigDict) -> RealESRGANPairs | None:
    """The on-device Real-ESRGAN degradation of ``data.degradation = "realesrgan"`` runs."""
    if config.data.degradation != "realesrgan":
        return None
    d = config.degradation
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return RealESRGANPairs(degradation_options(d, config.model.scale), d.queue_size,
                           config.train.batch_size // replicas, d.gt_usm, d.gan_gt_usm)


def ema_update(ema: keras.Model, live: keras.Model, step: tf.Variable, decay: float,
               warmup: bool = True) -> None:
    """Move every EMA weight towards the live one: trainable weights and the BatchNorm
    statistics alike (an average without them keeps the initial statistics forever).

    With ``warmup``, as ``tf.train.ExponentialMovingAverage(num_updates=step)``: the rate is
    ``min(decay, (1 + step) / (10 + step))``, so early on the average follows the weights;
    without it the rate is ``decay`` from the first step.
    """
    done = tf.cast(step, tf.float32)
    rate = tf.minimum(decay, (1.0 + done) / (10.0 + done)) if warmup else tf.constant(decay)
    for averaged, current in zip(ema.weights, live.weights):
        value = tf.cast(current, averaged.dtype)
        averaged.assign(rate * averaged + (1.0 - rate) * value
                        if keras.backend.is_float_dtype(averaged.dtype) else value)


class _StopRequested:
    """SIGTERM/SIGINT flag: the loop saves a checkpoint and returns at the next stop check."""

    def __init__(self):
        self.requested = False
        self._previous = {}

    def __enter__(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        logging.warning("signal %d received: saving a checkpoint and stopping", signum)
        self.requested = True

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _multi_worker(strategy: tf.distribute.Strategy) -> bool:
    resolver = getattr(strategy, "cluster_resolver", None)
    return resolver is not None and bool(resolver.cluster_spec().as_dict())


def _is_chief(strategy: tf.distribute.Strategy) -> bool:
    if not _multi_worker(strategy):
        return True
    resolver = strategy.cluster_resolver
    return resolver.task_type in ("chief", None) or (
        resolver.task_type == "worker" and resolver.task_id == 0
        and "chief" not in resolver.cluster_spec().as_dict())


def _save_keras(model: keras.Model, path: Path) -> None:
    """Save a .keras file atomically (temp file in the same folder, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp.keras")
    model.save(tmp)
    os.replace(tmp, path)


def _write_json(path: Path, payload) -> None:
    atomic_write_bytes(path, json.dumps(payload, indent=2).encode())


def validate(upscaler: Upscaler, source: str, max_images: int
             ) -> tuple[dict[str, float], list[np.ndarray]]:
    """Mean model and bicubic scores (Y, shaved) on the validation set, and image panels."""
    rows, panels = [], []
    for pair in list(iter_eval_pairs(source, upscaler.scale))[:max_images]:
        row, sr, bicubic = evaluate_pair(upscaler, pair)
        rows.append(row)
        panels.append(_panel(pair.lr, bicubic.numpy(), np.asarray(sr), pair.hr, upscaler.scale))
    if not rows:
        return {}, panels
    return {k: v for k, v in mean_row(rows).items() if k != "image"}, panels


def _panel(lr, bicubic, sr, hr, scale, size: int = 192) -> np.ndarray:
    """LR (nearest) | bicubic | SR | HR: a centre crop of ``size`` HR pixels (smaller images are
    padded with black), so panels of any image size stack."""
    nearest = np.repeat(np.repeat(lr, scale, axis=0), scale, axis=1)
    h, w = hr.shape[:2]
    y0, x0 = max(0, (h - size) // 2), max(0, (w - size) // 2)

    def crop(image: np.ndarray) -> np.ndarray:
        part = image[y0:y0 + size, x0:x0 + size]
        part = np.repeat(part, 3 // part.shape[-1], axis=-1)   # grey -> RGB for display
        return np.pad(part, [(0, size - part.shape[0]), (0, size - part.shape[1]), (0, 0)])

    return np.concatenate([crop(nearest), crop(bicubic), crop(sr), crop(hr)], axis=1)


def init_generator(generator: keras.Model, ema: keras.Model, path: str, name: str) -> None:
    """Start from a trained generator: a ``.keras`` file or PyTorch weights of architecture
    ``name`` (an official pretrained model, or ESRGAN's PSNR stage)."""
    from sr_tf.weights import import_weights, is_torch_file, load_keras_file, load_state_dict
    if is_torch_file(path):
        import_weights(generator, load_state_dict(path), name, path)
    else:
        generator.set_weights(load_keras_file(path).get_weights())
    ema.set_weights(generator.get_weights())
    logging.info("initialised the generator from %s", path)


def steps_in_call(current: int, t: ml_collections.ConfigDict, validating: bool) -> int:
    """How many steps the next call runs from step ``current``: at most ``steps_per_call``,
    ending at the next logging, checkpoint or validation step, or at the last step."""
    every = [t.log_every, t.ckpt_every] + ([t.val_every] if validating else [])
    return min([t.steps_per_call, t.steps - current] + [n - current % n for n in every])


def train(config: ml_collections.ConfigDict, workdir: str | os.PathLike) -> dict[str, float]:
    """Train (or resume) the run described by ``config`` in ``workdir``; returns final metrics."""
    workdir = Path(workdir)
    t, d = config.train, config.data
    gpus = gpu_capabilities()
    precision, why = choose_precision(t.precision, cpu_flags(), gpus)
    xla, why_xla = choose_xla(t.xla, gpus)
    logging.info("precision %s: %s; XLA %s: %s", precision, why, "on" if xla else "off", why_xla)
    keras.mixed_precision.set_global_policy(precision)
    keras.utils.set_random_seed(t.seed)
    strategy = make_strategy(t.distribute)
    logging.info("distribution: %s, %d replica(s)", type(strategy).__name__,
                 strategy.num_replicas_in_sync)
    chief = _is_chief(strategy)
    data = TrainingData(d.train, config.model.scale, d.patch_size, d.mode, d.crops_per_image,
                        d.layout, d.strict, d.cache, t.seed,
                        kernel_options(config.degradation) if d.degradation == "realesrgan"
                        else None)

    with strategy.scope():
        trainer, ema = build_trainer(config, t.steps)
        step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        parts = dict(generator=trainer.generator, optimizer=trainer.optimizer, ema=ema, step=step)
        if config.gan.enabled:
            parts.update(discriminator=trainer.discriminator, d_optimizer=trainer.d_optimizer)
        if trainer.pairs is not None:
            parts.update(training_pair_pool=trainer.pairs)
        checkpoint = tf.train.Checkpoint(**parts)
    # MultiWorkerMirroredStrategy: every worker saves (saving is collective); only the chief's
    # checkpoints are the run's, the others go to a private folder per task.
    ckpt_dir = workdir / "checkpoints" if chief else \
        workdir / f".worker_{strategy.cluster_resolver.task_id}"
    manager = tf.train.CheckpointManager(checkpoint, ckpt_dir, max_to_keep=t.keep_checkpoints)
    if manager.latest_checkpoint:
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
        logging.info("resumed from %s at step %d", manager.latest_checkpoint, int(step.numpy()))
    elif t.init_from:
        init_generator(trainer.generator, ema, t.init_from, config.model.name)

    first_step = int(step.numpy())
    # Batches go to the devices ahead of the step that takes them (two per replica).
    dist_dataset = strategy.distribute_datasets_from_function(
        lambda context: data.dataset(t.batch_size, first_step, context),
        tf.distribute.InputOptions(experimental_fetch_to_device=True,
                                   experimental_per_replica_buffer_size=2))

    def replica_step(batch):
        return trainer.train_step(batch)

    if xla:
        replica_step = tf.function(replica_step, jit_compile=True)

    def one_step(iterator):
        logs = strategy.run(replica_step, args=(next(iterator),))
        ema_update(ema, trainer.generator, step, float(t.ema_decay), t.ema_warmup)
        step.assign_add(1)
        return {k: strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in logs.items()}

    @tf.function
    def train_steps(iterator, count):
        """``count`` >= 1 steps in one call; returns the last step's logs."""
        logs = one_step(iterator)
        for _ in tf.range(count - 1):
            logs = one_step(iterator)
        return logs

    @tf.function
    def any_worker(flag):
        """True on every worker when ``flag`` is true on any (a collective all-reduce)."""
        votes = strategy.run(lambda: tf.cast(flag, tf.int32))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, votes, axis=None) > 0

    writer = tf.summary.create_file_writer(str(workdir / "tb")) if chief \
        else tf.summary.create_noop_writer()
    if chief:
        workdir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(workdir / "config.json", config.to_json_best_effort(indent=2).encode())

    def save() -> None:
        manager.save(checkpoint_number=int(step.numpy()))
        if chief:
            _save_keras(ema, workdir / "model.keras")

    # Validation scores the EMA in float32, as model.keras reloads (``as_float32``), so a
    # bfloat16 run's figures are those ``--mode=eval`` gives for its file.
    scored = as_float32(ema)
    val_upscaler = Upscaler(scored, config.model.scale, config.infer.tile_size,
                            config.infer.overlap, config.infer.batch_size)

    def validate_ema(current: int) -> dict[str, float]:
        if scored is not ema:
            scored.set_weights(ema.get_weights())
        return _validate_and_log(val_upscaler, config, current, started, workdir, chief)

    iterator = iter(dist_dataset)
    progbar = keras.utils.Progbar(t.steps, stateful_metrics=["loss", "steps/s", "lr"],
                                  verbose=1 if chief and t.progress else 0)
    progbar.update(first_step)
    results: dict[str, float] = {}
    last_time, last_step = time.time(), first_step
    started = time.time()
    timed_from, first_timed, timed_steps = None, 0, 0
    deadline = started + 60 * t.max_minutes if t.max_minutes else float("inf")
    # One worker alone must not leave (its peers would wait in an all-reduce forever): with
    # several workers the stop is agreed every log interval.
    agreed_stop = _multi_worker(strategy)
    with _StopRequested() as stop, writer.as_default():
        current = first_step
        if config.data.val and t.init_from and current == 0:    # the imported model's score
            results = validate_ema(0)
        while current < t.steps:
            count = steps_in_call(current, t, bool(config.data.val))
            logs = train_steps(iterator, tf.constant(count, tf.int32))
            current += count
            if timed_from is None:
                timed_from, first_timed = time.time(), current
            timed_steps = current - first_timed
            logged = current % t.log_every == 0 or current == t.steps
            if logged:
                now = time.time()
                rate = (current - last_step) / max(now - last_time, 1e-9)
                last_time, last_step = now, current
                lr_now = float(keras.ops.convert_to_numpy(trainer.optimizer.learning_rate))
                values = {k: float(v) for k, v in logs.items()}
                for k, v in values.items():
                    tf.summary.scalar(f"train/{k}", v, step=current)
                tf.summary.scalar("train/learning_rate", lr_now, step=current)
                tf.summary.scalar("train/steps_per_sec", rate, step=current)
                progbar.update(current, [("loss", values["loss"]), ("steps/s", rate),
                                         ("lr", lr_now)])
            if current % t.ckpt_every == 0:
                save()
            if config.data.val and (current % t.val_every == 0 or current == t.steps):
                results = validate_ema(current)
            wants_stop = stop.requested or time.time() >= deadline
            if agreed_stop:
                wants_stop = logged and bool(any_worker(tf.constant(wants_stop)))
            if wants_stop and current < t.steps:
                logging.info("stopping at step %d", current)
                break
        loop_end = time.time()
        save()
        writer.flush()
    final = {"step": int(step.numpy()), **results}
    if timed_steps:     # speed after the first call (tracing) and before the final save
        final["steps_per_s"] = timed_steps / (loop_end - timed_from)
    if chief:
        _write_json(workdir / "metrics.json", final)
    return final


def _validate_and_log(upscaler: Upscaler, config: ml_collections.ConfigDict, current: int,
                      started: float, workdir: Path, chief: bool) -> dict[str, float]:
    """Validate the EMA generator; TensorBoard scalars and panels, and validation.jsonl."""
    t = config.train
    results, panels = validate(upscaler, config.data.val, t.val_images)
    for k, v in results.items():
        tf.summary.scalar(f"val/{k}", v, step=current)
    if panels and (current % t.image_every == 0 or current == t.steps):
        tf.summary.image("val/lr_bicubic_sr_hr", np.stack(panels[:4]), step=current,
                         max_outputs=4)
    logging.info("step %d validation: %s", current,
                 ", ".join(f"{k} {v:.3f}" for k, v in results.items()))
    if chief:
        with open(workdir / "validation.jsonl", "a") as log:
            log.write(json.dumps({"step": current, "time_s": round(time.time() - started, 1),
                                  **results}) + "\n")
    return results
