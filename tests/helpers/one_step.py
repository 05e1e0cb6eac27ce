"""Two SRTrainer steps under MirroredStrategy on N logical CPU devices; saves the weights.

usage: python tests/helpers/one_step.py N GRAD_CLIP OUT.npz
The batch is augmented (codes given) and, with GRAD_CLIP > 0, clipping is active: the gradient
norm of this model and batch is far above 0.05.
"""

import sys

import tensorflow as tf

devices, clip = int(sys.argv[1]), float(sys.argv[2])
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sr_tf.models import build_generator  # noqa: E402
from sr_tf.trainers import PixelLossWeights, SRTrainer  # noqa: E402

strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(devices)])
rng = np.random.default_rng(0)
hr = rng.integers(0, 256, (4, 16, 16, 3)).astype(np.uint8)
batch = (hr[:, ::2, ::2], hr, np.arange(4, dtype=np.uint8) * 2 + 1)
dataset = tf.data.Dataset.from_tensors(batch).repeat()
with strategy.scope():
    keras.utils.set_random_seed(0)
    trainer = SRTrainer(build_generator("edsr", 2, num_blocks=1, filters=8), 2,
                        PixelLossWeights(l1=2.0, l2=1.0), grad_clip=clip)
    trainer.optimizer = keras.optimizers.SGD(learning_rate=0.1)


@tf.function
def step(batch):
    return strategy.run(trainer.train_step, args=(batch,))


iterator = iter(strategy.experimental_distribute_dataset(dataset))
for _ in range(2):
    step(next(iterator))
np.savez(sys.argv[3], *[v.numpy() for v in trainer.generator.trainable_variables])
