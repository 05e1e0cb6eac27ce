"""Training pairs made on the device: ``RealESRGANModel.feed_data`` as a module the train step
calls, with its training-pair pool (``_dequeue_and_enqueue``).

The pool holds ``queue_size`` (lq, gt) pairs as uint8 variables (lq is already rounded to 8 bits
and gt comes from 8-bit files, so nothing is lost), and its fill pointer; being variables of
this module, they go into the checkpoint, and a resumed run draws the pairs an uninterrupted one
would. Under a multi-replica strategy each replica keeps its own pool, as each GPU does in
BasicSR; the checkpoint then keeps the first replica's.
"""

from __future__ import annotations

import tensorflow as tf

from sr_tf.degradations.pipeline import DegradationOptions, degrade_batch
from sr_tf.degradations.usm import usm_sharp
from sr_tf.errors import ConfigError


def _pool_variable(shape, dtype, name: str) -> tf.Variable:
    return tf.Variable(tf.zeros(shape, dtype), trainable=False, name=name,
                       synchronization=tf.VariableSynchronization.ON_READ,
                       aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)


class RealESRGANPairs(tf.Module):
    """``(lq, l1/perceptual target, GAN real)`` from a batch of HR patches with their kernels.

    A batch is ``(lr, hr, codes, draws)`` from the training pipeline: ``hr`` uint8 GT patches
    (``lr`` is ignored), ``codes`` their dihedral codes (only the left-right flip is used, as the
    official ``use_hflip: True, use_rot: False``), ``draws`` the per-sample kernels, uniforms and
    seeds of :func:`sr_tf.degradations.pipeline.sample_draws`.
    """

    def __init__(self, options: DegradationOptions, queue_size: int = 180,
                 batch_size: int = 12, usm_target: bool = True, usm_real: bool = False):
        super().__init__(name="realesrgan_pairs")
        if queue_size % batch_size:
            raise ConfigError(f"degradation.queue_size={queue_size} must be a multiple of the "
                             f"per-replica batch {batch_size}")
        self.options, self.queue_size = options, queue_size
        self.usm_target, self.usm_real = usm_target, usm_real
        gt, lq = options.gt_size, options.gt_size // options.scale
        if queue_size:
            self.queue_lq = _pool_variable([queue_size, lq, lq, 3], tf.uint8, "queue_lq")
            self.queue_gt = _pool_variable([queue_size, gt, gt, 3], tf.uint8, "queue_gt")
            self.queue_ptr = _pool_variable([], tf.int32, "queue_ptr")

    def pool(self, lq: tf.Tensor, gt: tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """``_dequeue_and_enqueue`` on uint8 pairs: fill the pool first (the batch passes
        through); once full, shuffle it, hand out its first ``b`` pairs and put the batch there."""
        if not self.queue_size:
            return lq, gt
        b = tf.shape(lq)[0]

        def fill():
            rows = (self.queue_ptr + tf.range(b))[:, None]
            updates = [self.queue_lq.assign(tf.tensor_scatter_nd_update(self.queue_lq, rows, lq)),
                       self.queue_gt.assign(tf.tensor_scatter_nd_update(self.queue_gt, rows, gt)),
                       self.queue_ptr.assign_add(b)]
            with tf.control_dependencies(updates):
                return tf.identity(lq), tf.identity(gt)

        def swap():
            order = tf.random.experimental.stateless_shuffle(tf.range(self.queue_size), seed)
            pool_lq, pool_gt = tf.gather(self.queue_lq, order), tf.gather(self.queue_gt, order)
            updates = [self.queue_lq.assign(tf.concat([lq, pool_lq[b:]], 0)),
                       self.queue_gt.assign(tf.concat([gt, pool_gt[b:]], 0))]
            with tf.control_dependencies(updates):
                return tf.identity(pool_lq[:b]), tf.identity(pool_gt[:b])

        return tf.cond(self.queue_ptr >= self.queue_size, swap, fill)

    def __call__(self, data) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """(lq, target, real), float32 in [0, 1]: target is USM(gt) unless ``usm_target`` is
        off, real (the discriminator's) plain gt unless ``usm_real``."""
        _, hr, codes, draws = data
        flip = tf.reshape(tf.bitwise.bitwise_and(tf.cast(codes, tf.int32), 1) > 0, [-1, 1, 1, 1])
        hr = tf.where(flip, tf.reverse(hr, [2]), hr)
        seed = draws["seed"][0]
        kernels = {k: draws[k] for k in ("kernel1", "kernel2", "sinc_kernel")}
        lq, gt = degrade_batch(tf.cast(hr, tf.float32) / 255.0, kernels, draws["sample_u"], seed,
                               self.options)
        to_uint8 = lambda x: tf.cast(tf.round(x * 255.0), tf.uint8)
        lq, gt = self.pool(to_uint8(lq), to_uint8(gt), tf.random.experimental.stateless_fold_in(
            seed, 4))
        size = self.options.gt_size
        lq = tf.ensure_shape(tf.cast(lq, tf.float32) / 255.0,
                             [None, size // self.options.scale, size // self.options.scale, 3])
        gt = tf.ensure_shape(tf.cast(gt, tf.float32) / 255.0, [None, size, size, 3])
        gt_usm = usm_sharp(gt) if self.usm_target or self.usm_real else None
        return lq, gt_usm if self.usm_target else gt, gt_usm if self.usm_real else gt
