"""The training run: distribution, precision, checkpoints/resume, EMA, validation, TensorBoard.

``train(config, workdir)`` is what ``main.py --mode=train`` calls. A run is resumable: every
``ckpt_every`` steps a CheckpointManager saves generator, discriminator, optimizers, EMA weights
and the step; a restarted run (same workdir) continues from the last checkpoint. SIGTERM saves a
checkpoint before exiting, and so does reaching ``train.max_minutes``. The EMA generator is also
written to ``workdir/model.keras``; each validation is appended to ``workdir/validation.jsonl``.
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

from pipelines.training import patch_dataset, training_images
from pipelines.validation import iter_eval_pairs
from sr_tf.evaluate import evaluate_pair, mean_row
from sr_tf.inference import Upscaler
from sr_tf.losses import PerceptualLoss
from sr_tf.models import build_discriminator, build_generator
from sr_tf.trainers import GANTrainer, PixelLossWeights, SRTrainer


def make_strategy(kind: str = "auto") -> tf.distribute.Strategy:
    """``auto``: MultiWorkerMirrored when TF_CONFIG names a cluster, else Mirrored on all devices."""
    if kind == "auto":
        kind = "multi_worker" if "TF_CONFIG" in os.environ else "mirrored"
    if kind == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if kind == "mirrored":
        return tf.distribute.MirroredStrategy()
    if kind == "default":
        return tf.distribute.get_strategy()
    raise ValueError(f"train.distribute must be auto, mirrored, multi_worker or default: {kind!r}")


def set_precision(policy: str) -> None:
    """Global Keras dtype policy: float32, mixed_bfloat16 or mixed_float16."""
    if policy not in ("float32", "mixed_bfloat16", "mixed_float16"):
        raise ValueError(f"train.precision must be float32, mixed_bfloat16 or mixed_float16: {policy!r}")
    keras.mixed_precision.set_global_policy(policy)


def learning_rate(cfg: ml_collections.ConfigDict, steps: int):
    """Constant, step (multiply by gamma at each milestone) or cosine schedule."""
    if cfg.schedule == "constant":
        return cfg.lr
    if cfg.schedule == "step":
        milestones = list(cfg.milestones)
        values = [cfg.lr * cfg.gamma**i for i in range(len(milestones) + 1)]
        return keras.optimizers.schedules.PiecewiseConstantDecay(milestones, values)
    if cfg.schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(cfg.lr, steps, alpha=cfg.min_lr_ratio)
    raise ValueError(f"schedule must be constant, step or cosine: {cfg.schedule!r}")


def make_optimizer(cfg: ml_collections.ConfigDict, steps: int) -> keras.optimizers.Optimizer:
    """Adam or AdamW with optional global-norm gradient clipping (float16 gets loss scaling)."""
    kwargs = dict(learning_rate=learning_rate(cfg, steps), beta_1=cfg.beta_1, beta_2=cfg.beta_2)
    if cfg.grad_clip:
        kwargs["global_clipnorm"] = cfg.grad_clip
    if cfg.optimizer == "adam":
        opt = keras.optimizers.Adam(**kwargs)
    elif cfg.optimizer == "adamw":
        opt = keras.optimizers.AdamW(weight_decay=cfg.weight_decay, **kwargs)
    else:
        raise ValueError(f"optimizer must be adam or adamw: {cfg.optimizer!r}")
    if keras.mixed_precision.global_policy().name == "mixed_float16":
        opt = keras.optimizers.LossScaleOptimizer(opt)
    return opt


def build_trainer(config: ml_collections.ConfigDict, steps: int) -> tuple[SRTrainer, keras.Model]:
    """Generator (+ discriminator for GAN configs) wrapped in its trainer, optimizers set."""
    m, t = config.model, config.train
    generator = build_generator(m.name, m.scale, **m.kwargs.to_dict())
    pixel = PixelLossWeights(t.loss.l1, t.loss.l2, t.loss.charbonnier)
    if config.gan.enabled:
        g = config.gan
        perceptual = PerceptualLoss(g.perceptual_layers.to_dict(), g.vgg_weights) \
            if g.perceptual_weight else None
        trainer = GANTrainer(generator, build_discriminator(g.discriminator,
                                                            **g.discriminator_kwargs.to_dict()),
                             m.scale, perceptual, g.adversarial, g.pixel_weight,
                             g.perceptual_weight, g.adversarial_weight, pixel_weights=pixel,
                             augment=t.augment)
        trainer.d_optimizer = make_optimizer(t, steps)
    else:
        trainer = SRTrainer(generator, m.scale, pixel, augment=t.augment)
    trainer.optimizer = make_optimizer(t, steps)
    ema = keras.models.clone_model(generator)
    ema.set_weights(generator.get_weights())
    return trainer, ema


class _StopRequested:
    """SIGTERM/SIGINT flag: the loop saves a checkpoint and returns at the next step."""

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


def _is_chief(strategy: tf.distribute.Strategy) -> bool:
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    return resolver.task_type in ("chief", None) or (
        resolver.task_type == "worker" and resolver.task_id == 0
        and "chief" not in resolver.cluster_spec().as_dict())


def _save_keras(model: keras.Model, path: Path) -> None:
    """Save a .keras file atomically (temp file in the same folder, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp.keras")
    model.save(tmp)
    os.replace(tmp, path)


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
    """LR (nearest) | bicubic | SR | HR, cropped to a ``size`` HR square from the centre."""
    nearest = np.repeat(np.repeat(lr, scale, axis=0), scale, axis=1)
    h, w = hr.shape[:2]
    y0, x0 = max(0, (h - size) // 2), max(0, (w - size) // 2)

    def crop(image: np.ndarray) -> np.ndarray:
        part = image[y0:y0 + size, x0:x0 + size]
        return np.repeat(part, 3 // part.shape[-1], axis=-1)   # grey -> RGB for display

    return np.concatenate([crop(nearest), crop(bicubic), crop(sr), crop(hr)], axis=1)


def train(config: ml_collections.ConfigDict, workdir: str | os.PathLike) -> dict[str, float]:
    """Train (or resume) the run described by ``config`` in ``workdir``; returns final metrics."""
    workdir = Path(workdir)
    t = config.train
    set_precision(t.precision)
    strategy = make_strategy(t.distribute)
    chief = _is_chief(strategy)
    replicas = strategy.num_replicas_in_sync
    if t.batch_size % replicas:
        raise ValueError(f"train.batch_size {t.batch_size} must divide by {replicas} replicas")
    d = config.data
    images = training_images(d.train, config.model.scale, d.patch_size, d.layout, d.strict, d.cache)
    dataset = patch_dataset(images, config.model.scale, d.patch_size, t.batch_size, d.mode,
                            d.crops_per_image, seed=t.seed)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dist_dataset = strategy.experimental_distribute_dataset(dataset.with_options(options))

    with strategy.scope():
        trainer, ema = build_trainer(config, t.steps)
        step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        parts = dict(generator=trainer.generator, optimizer=trainer.optimizer, ema=ema, step=step)
        if config.gan.enabled:
            parts.update(discriminator=trainer.discriminator, d_optimizer=trainer.d_optimizer)
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
        _init_generator(trainer.generator, ema, t.init_from)

    ema_pairs = list(zip(ema.trainable_variables, trainer.generator.trainable_variables))
    decay = float(t.ema_decay)

    def replica_step(batch):
        return trainer.train_step(batch)

    if t.xla:
        replica_step = tf.function(replica_step, jit_compile=True)

    @tf.function
    def train_step(iterator):
        logs = strategy.run(replica_step, args=(next(iterator),))
        logs = {k: strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in logs.items()}
        # EMA with warm-up, as tf.train.ExponentialMovingAverage(num_updates=step): early on the
        # average follows the weights instead of keeping the random initialisation.
        steps_done = tf.cast(step, tf.float32)
        rate = tf.minimum(decay, (1.0 + steps_done) / (10.0 + steps_done))
        for averaged, live in ema_pairs:
            averaged.assign(rate * averaged + (1.0 - rate) * tf.cast(live, averaged.dtype))
        step.assign_add(1)
        return logs

    writer = tf.summary.create_file_writer(str(workdir / "tb")) if chief \
        else tf.summary.create_noop_writer()
    if chief:
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "config.json").write_text(config.to_json_best_effort(indent=2))

    def save() -> None:
        manager.save(checkpoint_number=int(step.numpy()))
        if chief:
            _save_keras(ema, workdir / "model.keras")

    val_upscaler = Upscaler(ema, config.model.scale, config.infer.tile_size,
                            config.infer.overlap, config.infer.batch_size)
    iterator = iter(dist_dataset)
    progbar = keras.utils.Progbar(t.steps, stateful_metrics=["loss", "steps/s", "lr"],
                                  verbose=1 if chief and t.progress else 0)
    progbar.update(int(step.numpy()))
    results: dict[str, float] = {}
    last_time, last_step = time.time(), int(step.numpy())
    started = time.time()
    timed_from, first_timed, timed_steps = None, 0, 0
    deadline = started + 60 * t.max_minutes if t.max_minutes else float("inf")
    with _StopRequested() as stop, writer.as_default():
        while int(step.numpy()) < t.steps and not stop.requested and time.time() < deadline:
            logs = train_step(iterator)
            current = int(step.numpy())
            if timed_from is None:
                timed_from, first_timed = time.time(), current
            timed_steps = current - first_timed
            if current % t.log_every == 0 or current == t.steps:
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
                results, panels = validate(val_upscaler, config.data.val, t.val_images)
                for k, v in results.items():
                    tf.summary.scalar(f"val/{k}", v, step=current)
                if current % t.image_every == 0 or current == t.steps:
                    tf.summary.image("val/lr_bicubic_sr_hr", np.stack(panels[:4]) if panels
                                     else np.zeros((1, 4, 16, 3), np.uint8), step=current,
                                     max_outputs=4)
                logging.info("step %d validation: %s", current,
                             ", ".join(f"{k} {v:.3f}" for k, v in results.items()))
                if chief:
                    with open(workdir / "validation.jsonl", "a") as log:
                        log.write(json.dumps({"step": current, "time_s": round(
                            time.time() - started, 1), **results}) + "\n")
        save()
        writer.flush()
    final = {"step": int(step.numpy()), **results}
    if timed_steps:     # speed after the first step, so tracing is not counted
        final["steps_per_s"] = timed_steps / (time.time() - timed_from)
    if chief:
        (workdir / "metrics.json").write_text(json.dumps(final, indent=2))
    return final


def _init_generator(generator: keras.Model, ema: keras.Model, path: str) -> None:
    """Start from a PSNR-trained model (ESRGAN starts its GAN stage this way)."""
    source = keras.saving.load_model(path, compile=False)
    generator.set_weights(source.get_weights())
    ema.set_weights(source.get_weights())
    logging.info("initialised the generator from %s", path)
