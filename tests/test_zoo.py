"""Every generator of the zoo, small configurations: `.keras` round trip on odd sizes, a few
training steps, and SavedModel exports served in a fresh process at two image sizes.

Architecture-specific checks (official parity, detection, attention formulas, tiling limits)
live in test_official_parity.py and each architecture's own test file.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import run_python
from sr_tf.export import export_saved_model
from sr_tf.inference import whole_image_upscale
from sr_tf.models import build_generator
from sr_tf.trainers import PixelLossWeights, SRTrainer

WINDOW = {"embed_dim": 12, "depths": (2,), "num_heads": (2,), "window_size": 4}
# id: (generator, scale, small kwargs, LR tile size for the export: tiled when the model tiles
# exactly at that tile's overlap (tile - 12), one tile for models whose attention pools the
# whole input)
ZOO = {
    "srcnn": ("srcnn", 3, {}, 20),
    "vdsr": ("vdsr", 2, {"depth": 5}, 24),
    "srresnet": ("srresnet", 3, {"num_blocks": 2}, 36),
    "edsr_x2": ("edsr", 2, {"num_blocks": 2, "res_scale": 0.1}, 28),
    "edsr_x4": ("edsr", 4, {"num_blocks": 1}, 24),
    "rrdb_x4": ("rrdb", 4, {"num_blocks": 1}, 52),
    "rrdb_x2": ("rrdb", 2, {"num_blocks": 1}, 84),
    "rcan": ("rcan", 3, {"num_groups": 2, "num_blocks": 2, "filters": 16, "reduction": 4,
                         "rgb_range": 255.0}, 64),
    "rdn": ("rdn", 3, {"num_blocks": 2, "num_layers": 3, "growth": 8, "filters": 16,
                       "rgb_range": 255.0}, 36),
    "imdn": ("imdn", 2, {"nf": 16, "num_modules": 2}, 64),
    "srvgg": ("srvgg", 4, {"num_feat": 8, "num_conv": 2}, 20),
    "swinir": ("swinir", 2, WINDOW, 36),
    "hat": ("hat", 2, {**WINDOW, "compress_ratio": 3, "squeeze_factor": 6}, 44),
    "span": ("span", 2, {"feature_channels": 8}, 54),
    "plksr": ("plksr", 2, {"dim": 8, "n_blocks": 1, "kernel_size": 5}, 24),
    "realplksr": ("realplksr", 2, {"dim": 8, "n_blocks": 1, "kernel_size": 5, "dysample": True,
                                   "layer_norm": True}, 40),
    "mosr_gps": ("mosr", 3, {"n_block": 1, "dim": 8, "upsampler": "gps", "kernel_size": 5}, 40),
    "mosr_dys": ("mosr", 2, {"n_block": 1, "dim": 8, "upsampler": "dys"}, 40),
    "moesr": ("moesr", 4, {"dim": 16, "n_blocks": 1, "n_block": 1}, 40),
    "safmn": ("safmn", 3, {"dim": 8, "n_blocks": 1}, 40),
    "swiftsrgan": ("swiftsrgan", 2, {"num_channels": 8, "num_blocks": 1}, 36),
    "rlfn": ("rlfn", 3, {"feature_channels": 8}, 48),
    "pan": ("pan", 3, {"nf": 8, "unf": 6, "nb": 1}, 28),
    "swin2sr": ("swin2sr", 2, {**WINDOW, "mlp_ratio": 2.0}, 36),
    "drct": ("drct", 2, {**WINDOW, "gc": 4}, 36),
    "dat": ("dat", 2, {"embed_dim": 32, "split_size": (2, 4), "depth": (3,), "num_heads": (2,),
                       "expansion_factor": 2.0}, 64),
    "rgt": ("rgt", 2, {"embed_dim": 32, "depth": (2,), "num_heads": (2,), "mlp_ratio": 2.0,
                       "split_size": (2, 4)}, 64),
    "craft": ("craft", 2, {"window_size": 4, "embed_dim": 32, "depths": (1,), "num_heads": (2,),
                           "split_size_0": 2, "split_size_1": 4}, 64),
    "fdat": ("fdat", 4, {"embed_dim": 16, "num_groups": 1, "depth_per_group": 1, "num_heads": 2,
                         "window_size": 4, "mid_dim": 8}, 64),
    "seemore": ("seemore", 2, {"num_experts": 2, "num_layers": 1, "embedding_dim": 8}, 40),
    "bsrn": ("bsrn", 2, {"num_feat": 16, "num_block": 2}, 48),
    "grl": ("grl", 2, {"embed_dim": 24, "depths": (3,), "num_heads_window": (2,),
                       "num_heads_stripe": (2,), "window_size": 4, "stripe_size": (4, 8),
                       "stripe_shift": True, "anchor_window_down_factor": 2, "mlp_ratio": 2.0,
                       "local_connection": True, "upsampler": "pixelshuffledirect"}, 64),
    "omnisr": ("omnisr", 3, {"num_feat": 16, "window_size": 4, "res_num": 1}, 64),
    "ditn": ("ditn", 2, {"dim": 8, "ITL_blocks": 1, "SAL_blocks": 1, "patch_size": 4}, 64),
    "dctlsa": ("dctlsa", 2, {"nf": 8, "num_head": 2}, 64),
    "carn_m": ("carn", 3, {"variant": "carn_m", "group": 4}, 56),
    "realcugan": ("realcugan", 4, {"pro": True}, 48),
    "atd": ("atd", 2, {"embed_dim": 16, "depths": (2,), "num_heads": (2,), "window_size": 4,
                       "category_size": 16, "num_tokens": 8, "convffn_kernel_size": 3,
                       "mlp_ratio": 1.0}, 64),
}

# Cases whose few training steps or file checks take over ~10 s on the 2-core CI machine
# (window/transformer models and the widest CNNs): they run with ``-m extended``.
HEAVY = {"dctlsa", "dat", "craft", "grl", "rgt", "drct", "bsrn", "span", "omnisr", "seemore",
         "rlfn", "moesr", "carn_m", "hat", "fdat", "realcugan", "swin2sr", "swinir", "safmn",
         "rrdb_x2", "rcan", "atd"}
EXTENDED_CASES = {"test_a_few_training_steps_lower_the_loss": HEAVY,
                  "test_keras_round_trip_on_odd_sizes": {"dctlsa"}}


def small(case: str) -> keras.Model:
    name, scale, kwargs, _ = ZOO[case]
    return build_generator(name, scale, **kwargs)


@pytest.mark.parametrize("case", ZOO)
def test_keras_round_trip_on_odd_sizes(case, tmp_path, rng):
    model = small(case)
    scale = ZOO[case][1]
    channels = model.input_shape[-1]
    factor = 1 if channels == 1 else scale          # Y models take the bicubic-upscaled input
    x = rng.uniform(0, 1, (2, 10, 14, channels)).astype("float32")
    out = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")       # sr_tf.models registered
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), out)
    for h, w in [(10, 14), (7, 5), (1, 1)]:
        sr = np.asarray(reloaded(x[:1, :h, :w]))
        assert sr.shape == (1, h * factor, w * factor, channels) and np.isfinite(sr).all()


@pytest.mark.parametrize("case", ZOO)
def test_a_few_training_steps_lower_the_loss(case, rng):
    trainer = SRTrainer(small(case), ZOO[case][1], PixelLossWeights(l1=1.0))
    trainer.optimizer = keras.optimizers.Adam(1e-3)
    scale = ZOO[case][1]
    hr = rng.integers(0, 256, (2, 8 * scale, 8 * scale, 3)).astype(np.uint8)
    batch = (hr[:, ::scale, ::scale], hr, np.zeros(2, np.uint8))   # no dihedral transform
    step = tf.function(trainer.train_step)
    first = float(step(batch)["loss"])
    for _ in range(8):
        last = float(step(batch)["loss"])
    assert np.isfinite(last) and last < first


SERVE = """
import sys, numpy as np, tensorflow as tf
images = np.load(sys.argv[1])
outs = {}
for path in sys.argv[3:]:
    serve = tf.saved_model.load(path).signatures["serving_default"]
    for key in images.files:
        outs[f"{path}:{key}"] = serve(image=tf.constant(images[key]))["image"].numpy()
np.savez(sys.argv[2], **outs)
"""


@pytest.mark.extended
def test_exports_serve_every_architecture_at_two_sizes_in_a_fresh_process(tmp_path, rng):
    """Dynamic shapes in the SavedModel (window masks, pads and crops from the runtime size);
    one fresh process (without sr_tf) serves them all, so TensorFlow starts once."""
    images = {"large": rng.integers(0, 256, (37, 21, 3)).astype(np.uint8),
              "small": rng.integers(0, 256, (3, 6, 3)).astype(np.uint8)}
    np.savez(tmp_path / "in.npz", **images)
    models = {}
    for case, (_, scale, _, tile) in ZOO.items():
        model = small(case)
        path = export_saved_model(model, scale, tmp_path / case, tile_size=tile, overlap=tile - 12)
        models[str(path)] = (model, scale)
    run_python(["-c", SERVE, str(tmp_path / "in.npz"), str(tmp_path / "out.npz"), *models])
    served = np.load(tmp_path / "out.npz")
    for path, (model, scale) in models.items():
        for key, image in images.items():
            whole = np.clip(np.round(whole_image_upscale(model, scale, image).numpy()), 0, 255)
            out = served[f"{path}:{key}"]
            assert out.shape == whole.shape, (path, key)
            assert np.abs(out.astype(int) - whole).max() <= 1, (path, key)
