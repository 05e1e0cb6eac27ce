"""One SRTrainer step under MirroredStrategy on N logical CPU devices; saves the weights.

usage: python tests/helpers/one_step.py N OUT.npz
"""

import sys

import tensorflow as tf

devices = int(sys.argv[1])
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sr_tf.models import build_generator  # noqa: E402
from sr_tf.trainers import PixelLossWeights, SRTrainer  # noqa: E402

strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(devices)])
rng = np.random.default_rng(0)
hr = rng.integers(0, 256, (4, 16, 16, 3)).astype(np.uint8)
lr = hr[:, ::2, ::2]
dataset = tf.data.Dataset.from_tensors((lr, hr))
with strategy.scope():
    keras.utils.set_random_seed(0)
    trainer = SRTrainer(build_generator("edsr", 2, num_blocks=1, filters=8), 2,
                        PixelLossWeights(l1=2.0, l2=1.0), augment=False)
    trainer.optimizer = keras.optimizers.SGD(learning_rate=0.1)


@tf.function
def step(batch):
    return strategy.run(trainer.train_step, args=(batch,))


step(next(iter(strategy.experimental_distribute_dataset(dataset))))
np.savez(sys.argv[2], *[v.numpy() for v in trainer.generator.trainable_variables])
