"""tf.data training pipeline: decoded LR/HR pairs -> aligned patches -> per-replica batches.

Each element is ``(lr [b, p/s, p/s, 3], hr [b, p, p, 3], dihedral [b])``, all uint8: a quarter of
float32's bytes to move to the accelerator. ``dihedral`` (0..7) names the flip/rotation drawn for
each patch; the train step applies it on the device (:func:`dihedral_augment`). With Real-ESRGAN
degradations (``kernel_options`` given) a fourth item holds each patch's kernels and draws
(``sr_tf.degradations.pipeline.sample_draws``), stateless functions of the patch's seed; the
train step degrades on the device.

Two sources:
- **In memory** (image folders; shards with ``data.cache="memory"``): the decoded pairs sit in
  two flat buffers, and the patch stream is a pure function of ``(seed, patch index)``. Pass ``p``
  visits its patches in a stateless random order; a random-mode patch's offsets and every
  patch's dihedral code are stateless draws keyed on ``(p, patch)``. A run resumed at step ``k``
  starts at patch ``k * global_batch`` and sees exactly the batches of an uninterrupted run, and
  the global batch is the same however it is split over replicas and workers.
- **Streamed** (TFRecord shards by default; folders with ``data.cache="none"``): files are read
  and decoded on every pass, larger than memory. The shuffles are seeded from ``(seed, start
  step)``, so a resumed run continues with fresh data instead of replaying the first batches,
  but not with the batches an uninterrupted run would have seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import tensorflow as tf
from absl import logging
from tqdm import tqdm

from pipelines.discovery import DataError, Pair, usable_pairs
from pipelines.tfrecords import tfrecord_pairs
from sr_tf.degrade import decode_pair
from sr_tf.degradations.pipeline import sample_draws

AUTOTUNE = tf.data.AUTOTUNE
CACHE_MODES = ("auto", "memory", "none")


def load_pair(lr_path: tf.Tensor, hr_path: tf.Tensor, scale: int) -> tuple[tf.Tensor, tf.Tensor]:
    """Decode one pair of files; an empty ``lr_path`` means: make LR from HR by MATLAB bicubic."""
    lr_bytes = tf.cond(tf.strings.length(lr_path) > 0, lambda: tf.io.read_file(lr_path),
                       lambda: tf.constant(b""))
    return decode_pair(lr_bytes, tf.io.read_file(hr_path), scale)


def decoded_pairs(pairs: Sequence[Pair], scale: int) -> tf.data.Dataset:
    """Decoded (lr, hr) uint8 images of checked pairs, in order.

    A file whose header passed the checks but whose body is corrupt is dropped with a warning.
    """
    lr_paths = [str(p.lr) if p.lr is not None else "" for p in pairs]
    hr_paths = [str(p.hr) for p in pairs]
    ds = tf.data.Dataset.from_tensor_slices((lr_paths, hr_paths))
    ds = ds.map(lambda lr, hr: load_pair(lr, hr, scale), num_parallel_calls=AUTOTUNE)
    return ds.ignore_errors(log_warning=True)


def image_source(source: str) -> str:
    """``"shards"`` for a TFRecord pattern (``*.tfrecord``), else ``"folder"``."""
    return "shards" if str(source).endswith(".tfrecord") else "folder"


def decoded_images(source: str, scale: int, patch_size: int, layout: str = "auto",
                   strict: bool = False) -> tf.data.Dataset:
    """Decoded (lr, hr) pairs from a checked folder, ``"demo"``, or TFRecord shards."""
    if image_source(source) == "shards":
        return tfrecord_pairs(str(source), scale, patch_size)
    return decoded_pairs(usable_pairs(source, scale, patch_size, layout, strict), scale)


@dataclass(frozen=True)
class ImageStore:
    """Decoded pairs held in two flat uint8 buffers, addressable by image index."""

    lr: np.ndarray            # all LR images, flattened and concatenated
    hr: np.ndarray
    lr_offsets: np.ndarray    # int64 [N]: where image n starts in ``lr``
    hr_offsets: np.ndarray
    lr_shapes: np.ndarray     # int64 [N, 2]: (height, width) of LR image n
    scale: int

    @property
    def count(self) -> int:
        return len(self.lr_offsets)

    @classmethod
    def from_pairs(cls, images: tf.data.Dataset, scale: int, patch_size: int) -> "ImageStore":
        """Decode every pair once (with a progress bar); pairs smaller than the patch are skipped."""
        lrs, hrs = [], []
        for lr, hr in tqdm(images.as_numpy_iterator(), desc="decoding training images",
                           unit="img", leave=False):
            if min(hr.shape[:2]) < patch_size:
                logging.warning("skipping a %dx%d training image: smaller than the HR patch %d",
                                hr.shape[1], hr.shape[0], patch_size)
                continue
            lrs.append(lr)
            hrs.append(hr)
        if not lrs:
            raise DataError("no training image could be decoded (see warnings above)")
        sizes = lambda arrays: np.cumsum([0] + [a.size for a in arrays[:-1]]).astype(np.int64)
        return cls(np.concatenate([a.reshape(-1) for a in lrs]),
                   np.concatenate([a.reshape(-1) for a in hrs]), sizes(lrs), sizes(hrs),
                   np.array([a.shape[:2] for a in lrs], np.int64), scale)


def _seed(seed: int, *keys) -> tf.Tensor:
    """A stateless RNG seed for ``(seed, *keys)``."""
    out = tf.constant([seed, 0x5EED], tf.int64)
    for key in keys:
        out = tf.random.experimental.stateless_fold_in(out, tf.cast(key, tf.int64))
    return tf.cast(out, tf.int64)


def _crop(flat: tf.Tensor, offset: tf.Tensor, width: tf.Tensor, y: tf.Tensor, x: tf.Tensor,
          size: int) -> tf.Tensor:
    """The ``size`` x ``size`` crop at (y, x) of the image of ``width`` starting at ``offset``."""
    band = tf.slice(flat, [offset + y * width * 3], [size * width * 3])
    return tf.reshape(band, tf.stack([size, width, 3]))[:, x:x + size]


class PatchStream:
    """The in-memory patch stream: patch ``t`` is a pure function of ``(seed, t)``.

    Pass ``p`` covers ``per_pass`` patches (random: ``crops_per_image`` per image; grid: every
    non-overlapping patch), visited in the order of a stateless permutation keyed on ``p``.
    """

    def __init__(self, store: ImageStore, patch_size: int, mode: str = "random",
                 crops_per_image: int = 16, seed: int = 0, kernel_options=None):
        if mode not in ("grid", "random"):
            raise ValueError(f"patch mode must be 'grid' or 'random', got {mode!r}")
        self.store, self.mode, self.seed = store, mode, seed
        self.kernel_options = kernel_options
        self.crops = crops_per_image
        self.p_hr, self.p_lr = patch_size, patch_size // store.scale
        if mode == "grid":
            rows = store.lr_shapes[:, 0] // self.p_lr
            cols = store.lr_shapes[:, 1] // self.p_lr
            self.grid = np.concatenate([
                np.stack(np.broadcast_arrays(n, *np.mgrid[:r, :c] * self.p_lr), -1).reshape(-1, 3)
                for n, (r, c) in enumerate(zip(rows, cols))]).astype(np.int64)
            self.per_pass = len(self.grid)
        else:
            self.per_pass = store.count * crops_per_image

    def patch_ids(self, first: int) -> tf.data.Dataset:
        """(t, pass, id within the pass) for patches ``first, first + 1, ...``."""
        first_pass, per_pass = first // self.per_pass, self.per_pass

        def one_pass(p: tf.Tensor) -> tf.data.Dataset:
            order = tf.random.experimental.stateless_shuffle(
                tf.range(per_pass, dtype=tf.int64), _seed(self.seed, p))
            begin = tf.where(p == first_pass, tf.constant(first % per_pass, tf.int64), 0)
            return tf.data.Dataset.from_tensor_slices(
                (p * per_pass + tf.range(begin, per_pass, dtype=tf.int64),
                 tf.fill([per_pass - begin], p), order[begin:]))

        return tf.data.Dataset.range(first_pass, np.iinfo(np.int64).max).flat_map(one_pass)

    def patch(self, p: tf.Tensor, q: tf.Tensor) -> tuple:
        """(lr, hr, dihedral code[, degradation draws]) of patch ``q`` of pass ``p``."""
        s = self.store
        if self.mode == "grid":
            n, y, x = tf.unstack(tf.gather(self.grid, q))
        else:
            n = q // self.crops
            room = tf.gather(s.lr_shapes, n) - self.p_lr + 1
            u = tf.random.stateless_uniform([2], _seed(self.seed, p, q), dtype=tf.float64)
            y, x = tf.unstack(tf.minimum(tf.cast(u * tf.cast(room, tf.float64), tf.int64),
                                         room - 1))
        width = tf.gather(s.lr_shapes, n)[1]
        lr = _crop(s.lr, tf.gather(s.lr_offsets, n), width, y, x, self.p_lr)
        hr = _crop(s.hr, tf.gather(s.hr_offsets, n), width * s.scale, y * s.scale, x * s.scale,
                   self.p_hr)
        code = tf.random.stateless_uniform([], _seed(self.seed, p, q, 1), 0, 8, tf.int32)
        if self.kernel_options is not None:
            return lr, hr, tf.cast(code, tf.uint8), sample_draws(_seed(self.seed, p, q, 2),
                                                                 self.kernel_options)
        return lr, hr, tf.cast(code, tf.uint8)

    def dataset(self, global_batch: int, first_step: int = 0, replicas: int = 1,
                first_replica: int = 0, local_replicas: int = 1) -> tf.data.Dataset:
        """Per-replica batches for replicas ``first_replica .. + local_replicas`` of ``replicas``.

        Step ``k``'s global batch is patches ``k * global_batch ..``; replica ``r`` takes the
        ``r``-th slice of it, so the global batch does not depend on how it is split.
        """
        per_replica = global_batch // replicas
        lo, hi = first_replica * per_replica, (first_replica + local_replicas) * per_replica
        ids = self.patch_ids(first_step * global_batch)
        if (lo, hi) != (0, global_batch):
            ids = ids.filter(lambda t, p, q: (t % global_batch >= lo) & (t % global_batch < hi))
        patches = ids.map(lambda t, p, q: self.patch(p, q), num_parallel_calls=AUTOTUNE)
        return patches.batch(per_replica, drop_remainder=True).prefetch(AUTOTUNE)


def random_patches(lr: tf.Tensor, hr: tf.Tensor, scale: int, patch: int, count: int,
                   seed: tf.Tensor):
    """``count`` aligned random crops of a pair; offsets from one stateless draw (y and x
    independent) keyed on ``seed``."""
    p_lr = patch // scale
    room = tf.cast(tf.shape(lr)[:2] - p_lr + 1, tf.float64)
    u = tf.random.stateless_uniform([count, 2], seed, dtype=tf.float64)
    offsets = tf.minimum(tf.cast(u * room, tf.int32), tf.cast(room, tf.int32) - 1)

    def crop(image: tf.Tensor, y: tf.Tensor, x: tf.Tensor, size: int) -> tf.Tensor:
        rows = y[:, None] + tf.range(size)[None, :]
        cols = x[:, None] + tf.range(size)[None, :]
        band = tf.gather(image, rows)                             # [N, size, W, 3]
        return tf.gather(band, cols, axis=2, batch_dims=1)        # [N, size, size, 3]

    y, x = offsets[:, 0], offsets[:, 1]
    return tf.data.Dataset.from_tensor_slices(
        (crop(lr, y, x, p_lr), crop(hr, y * scale, x * scale, patch)))


def grid_patches(lr: tf.Tensor, hr: tf.Tensor, scale: int, patch: int):
    """Every non-overlapping aligned patch of a pair.

    The same patches, in the same order, as ``tf.image.extract_patches`` with stride = size
    (the test checks it), cut by reshape/transpose: 35x faster on uint8 2048x2048 images here.
    """
    def cut(image: tf.Tensor, size: int) -> tf.Tensor:
        rows, cols = tf.shape(image)[0] // size, tf.shape(image)[1] // size
        grid = tf.reshape(image[:rows * size, :cols * size], tf.stack([rows, size, cols, size, 3]))
        return tf.reshape(tf.transpose(grid, [0, 2, 1, 3, 4]), [-1, size, size, 3])

    return tf.data.Dataset.from_tensor_slices((cut(lr, patch // scale), cut(hr, patch)))


def streamed_patches(images: tf.data.Dataset, scale: int, patch_size: int, batch_size: int,
                     mode: str = "random", crops_per_image: int = 16, seed: int = 0,
                     first_step: int = 0, shuffle_buffer: int = 2048,
                     repeat: bool = True, kernel_options=None) -> tf.data.Dataset:
    """Batches of patches from images decoded on the fly (larger-than-memory data).

    Shuffles and crops are seeded from ``(seed, first_step)``: a resumed run draws fresh data.
    """
    if mode not in ("grid", "random"):
        raise ValueError(f"patch mode must be 'grid' or 'random', got {mode!r}")
    base = int(tf.random.stateless_uniform([], _seed(seed, first_step), 0, 2**31 - 1, tf.int64))
    images = images.repeat() if repeat else images
    images = images.shuffle(64, seed=base).enumerate()
    if mode == "grid":
        patches = images.interleave(lambda i, pair: grid_patches(*pair, scale, patch_size),
                                    num_parallel_calls=AUTOTUNE, deterministic=True)
    else:
        patches = images.interleave(
            lambda i, pair: random_patches(*pair, scale, patch_size, crops_per_image,
                                           _seed(base, i)),
            num_parallel_calls=AUTOTUNE, deterministic=True)

    def with_codes(t, pair):
        code = tf.cast(tf.random.stateless_uniform([], _seed(base, t, 1), 0, 8, tf.int32), tf.uint8)
        if kernel_options is None:
            return (*pair, code)
        return (*pair, code, sample_draws(_seed(base, t, 2), kernel_options))

    patches = patches.shuffle(shuffle_buffer, seed=base).enumerate().map(with_codes)
    return patches.batch(batch_size, drop_remainder=True).prefetch(AUTOTUNE)


def resolve_cache(cache: str, source: str) -> str:
    """``"memory"`` or ``"none"``: ``"auto"`` keeps folders in memory and streams shards."""
    if cache not in CACHE_MODES:
        raise ValueError(f"data.cache must be one of {CACHE_MODES}, got {cache!r}")
    if cache == "auto":
        return "none" if image_source(source) == "shards" else "memory"
    return cache


class TrainingData:
    """The training patches of a run, decoded once; :meth:`dataset` gives each worker its part."""

    def __init__(self, source: str, scale: int, patch_size: int, mode: str = "random",
                 crops_per_image: int = 16, layout: str = "auto", strict: bool = False,
                 cache: str = "auto", seed: int = 0, kernel_options=None):
        self.cache = resolve_cache(cache, source)
        self.kernel_options = kernel_options     # Real-ESRGAN kernels drawn per patch
        self.scale, self.patch_size, self.mode = scale, patch_size, mode
        self.crops_per_image, self.seed = crops_per_image, seed
        self.images = decoded_images(source, scale, patch_size, layout, strict)
        self.stream = PatchStream(ImageStore.from_pairs(self.images, scale, patch_size),
                                  patch_size, mode, crops_per_image, seed, kernel_options) \
            if self.cache == "memory" else None

    def dataset(self, global_batch: int, first_step: int = 0,
                context: tf.distribute.InputContext | None = None) -> tf.data.Dataset:
        """Per-replica batches for the replicas of input pipeline ``context`` (all when None)."""
        replicas = context.num_replicas_in_sync if context else 1
        pipelines = context.num_input_pipelines if context else 1
        pipeline = context.input_pipeline_id if context else 0
        if global_batch % replicas:
            raise DataError(f"batch size {global_batch} must divide by {replicas} replicas")
        local = replicas // pipelines
        if self.stream is not None:
            return self.stream.dataset(global_batch, first_step, replicas, pipeline * local, local)
        images = self.images.shard(pipelines, pipeline) if pipelines > 1 else self.images
        return streamed_patches(images, self.scale, self.patch_size, global_batch // replicas,
                                self.mode, self.crops_per_image, self.seed, first_step,
                                kernel_options=self.kernel_options)


def dihedral_augment(lr: tf.Tensor, hr: tf.Tensor, codes: tf.Tensor):
    """Apply dihedral element ``codes[i]`` (0..7) to pair ``i`` of a batch, the same on LR and HR.

    Bit 1: flip left-right; bit 2: flip up-down; bit 4: transpose. Square patches
    ``[B, h, h, C]``; exact (no interpolation); runs on any device.
    """
    codes = tf.cast(codes, tf.int32)

    def apply(image: tf.Tensor) -> tf.Tensor:
        mask = lambda bit: tf.reshape(tf.bitwise.bitwise_and(codes, bit) > 0, [-1, 1, 1, 1])
        image = tf.where(mask(1), tf.reverse(image, [2]), image)
        image = tf.where(mask(2), tf.reverse(image, [1]), image)
        return tf.where(mask(4), tf.transpose(image, [0, 2, 1, 3]), image)

    return apply(lr), apply(hr)
