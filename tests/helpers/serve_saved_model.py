"""Load an exported SavedModel in a fresh process (no sr_tf import) and call its signatures.

usage: python tests/helpers/serve_saved_model.py EXPORT_DIR IMAGE.npy OUT.npz
"""

import sys

import numpy as np
import tensorflow as tf

loaded = tf.saved_model.load(sys.argv[1])
image = np.load(sys.argv[2])
plain = loaded.signatures["serving_default"](image=tf.constant(image))["image"].numpy()
options = loaded.signatures["upscale_with_options"](
    image=tf.constant(image), tile_size=tf.constant(8), overlap=tf.constant(6),
    self_ensemble=tf.constant(True))["image"].numpy()
png = tf.io.encode_png(image).numpy()
encoded = loaded.signatures["upscale_bytes"](image_bytes=tf.constant(png))["image_bytes"].numpy()
np.savez(sys.argv[3], plain=plain, options=options, decoded=tf.io.decode_png(encoded).numpy())
