"""A training worker: with TF_CONFIG set, one MultiWorkerMirroredStrategy worker; without it, a
single process. Trains the tiny config with active gradient clipping (0.05; the raw norm is
~1), then saves every variable of its own last checkpoint (generator, EMA, optimizer slots,
step) to OUT.npz.

usage: [TF_CONFIG=...] python tests/helpers/worker.py WORKDIR OUT.npz STEPS_PER_CALL [long]
With ``long`` the run is planned for a million steps (checkpoints every 4) and ends on SIGTERM.
"""

import os
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).parent))
from tiny_config import get_config  # noqa: E402

from sr_tf.train_loop import train  # noqa: E402

workdir = Path(sys.argv[1])
config = get_config()
config.train.steps = 6
config.train.ckpt_every = 6
config.train.log_every = 2
config.train.grad_clip = 0.05
config.train.steps_per_call = int(sys.argv[3])
if sys.argv[4:] == ["long"]:
    config.train.steps = 1_000_000
    config.train.ckpt_every = 4
config.train.distribute = "multi_worker" if "TF_CONFIG" in os.environ else "default"
print("final step", train(config, workdir)["step"], flush=True)
# The chief checkpoints to workdir/checkpoints, the other worker to a private folder.
ckpt_dir = next(d for d in [workdir / "checkpoints", *workdir.glob(".worker_*")]
                if tf.train.latest_checkpoint(str(d)))
reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(ckpt_dir)))
names = sorted(n for n, _ in tf.train.list_variables(str(ckpt_dir))
               if n.endswith("VARIABLE_VALUE") and not n.startswith("save_counter"))
np.savez(sys.argv[2], **{n.replace("/", "|"): reader.get_tensor(n) for n in names})
