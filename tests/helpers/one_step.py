"""Two SRTrainer steps of a small generator under MirroredStrategy on 1 and on 2 logical CPU
devices, from the same initial weights; saves both runs' weights.

usage: python tests/helpers/one_step.py MODEL GRAD_CLIP OUT.npz
MODEL is edsr or srresnet (BatchNorm). OUT.npz holds ``init/i`` (the initial weights), ``one/i``
and ``two/i`` (after two steps on 1 and 2 devices), and ``norm`` (the first step's gradient
norm on one device). The batch is augmented (codes given) and, with GRAD_CLIP > 0, clipping is
active when the gradient norm is above it (the test checks).
"""

import sys

import tensorflow as tf

name, clip = sys.argv[1], float(sys.argv[2])
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sr_tf.models import build_generator  # noqa: E402
from sr_tf.trainers import PixelLossWeights, SRTrainer  # noqa: E402

rng = np.random.default_rng(0)
hr = rng.integers(0, 256, (4, 16, 16, 3)).astype(np.uint8)
batch = (hr[:, ::2, ::2], hr, np.arange(4, dtype=np.uint8) * 2 + 1)
keras.utils.set_random_seed(0)
init = build_generator(name, 2, num_blocks=1, filters=8).get_weights()


def train(devices: int) -> tuple[list[np.ndarray], float]:
    """Weights after two steps on ``devices`` devices, and the first step's gradient norm."""
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(devices)])
    with strategy.scope():
        trainer = SRTrainer(build_generator(name, 2, num_blocks=1, filters=8), 2,
                            PixelLossWeights(l1=2.0, l2=1.0), grad_clip=clip)
        trainer.generator.set_weights(init)
        trainer.optimizer = keras.optimizers.SGD(learning_rate=0.1)

    @tf.function
    def step(batch):
        return strategy.run(trainer.train_step, args=(batch,))

    dataset = tf.data.Dataset.from_tensors(batch).repeat()
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    before = [v.numpy() for v in trainer.generator.trainable_variables]
    step(next(iterator))
    after = [v.numpy() for v in trainer.generator.trainable_variables]
    step(next(iterator))
    # SGD: the first update is lr * (clipped) gradient.
    norm = float(np.sqrt(sum(np.sum((b - a) ** 2) for b, a in zip(before, after)))) / 0.1
    return [v.numpy() for v in trainer.generator.weights], norm


one, norm = train(1)
two, _ = train(2)
np.savez(sys.argv[3], norm=norm, **{f"init/{i}": w for i, w in enumerate(init)},
         **{f"one/{i}": w for i, w in enumerate(one)}, **{f"two/{i}": w for i, w in enumerate(two)})
