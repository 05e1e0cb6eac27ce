"""Tiled inference equals whole-image inference (<= 1/255 on uint8) for every model in the zoo."""

import numpy as np
import pytest
import tensorflow as tf

from sr_tf.inference import Upscaler, self_ensemble, whole_image_upscale
from sr_tf.models import build_generator

# Small variants of every architecture; overlap = 2 x receptive-field radius in LR pixels.
ZOO = [("srcnn", 3, {}, 8), ("vdsr", 2, {"depth": 8}, 12), ("srresnet", 4, {"num_blocks": 2}, 24),
       ("edsr", 3, {"num_blocks": 2}, 16), ("rrdb", 4, {"num_blocks": 1}, 40),
       ("rrdb", 2, {"num_blocks": 1}, 72)]
SHAPES = [(37, 53), (5, 7), (1, 1), (6, 211)]


@pytest.mark.parametrize("name,scale,kwargs,overlap", ZOO)
def test_tiled_equals_whole(name, scale, kwargs, overlap, rng):
    model = build_generator(name, scale, **kwargs)
    upscaler = Upscaler(model, scale, tile_size=overlap + 12, overlap=overlap, batch_size=3)
    for shape in SHAPES:
        image = rng.integers(0, 256, shape + (3,)).astype(np.uint8)
        tiled = upscaler(image).numpy().astype(int)
        whole = np.clip(np.round(whole_image_upscale(model, scale, image).numpy()), 0, 255)
        assert tiled.shape == (shape[0] * scale, shape[1] * scale, 3)
        assert np.abs(tiled - whole).max() <= 1, (name, shape)


def test_averaging_overlaps_would_leave_seams_but_cutting_does_not(rng):
    # With too small a margin the tile edges show; the margin is what makes tiling exact.
    model = build_generator("edsr", 2, num_blocks=4)
    image = rng.integers(0, 256, (40, 40, 3)).astype(np.uint8)
    whole = np.clip(np.round(whole_image_upscale(model, 2, image).numpy()), 0, 255)
    thin = Upscaler(model, 2, tile_size=16, overlap=2)(image).numpy().astype(float)
    wide = Upscaler(model, 2, tile_size=32, overlap=24)(image).numpy().astype(float)
    assert np.abs(thin - whole).max() > 1 and np.abs(wide - whole).max() <= 1


def test_self_ensemble_undoes_each_transform(rng):
    image = tf.constant(rng.uniform(0, 255, (5, 8, 3)), tf.float32)
    nearest = lambda x: tf.repeat(tf.repeat(x, 2, axis=0), 2, axis=1)   # equivariant "model"
    np.testing.assert_allclose(self_ensemble(nearest, image, 2).numpy(), nearest(image).numpy(),
                               atol=1e-4)


def test_ensemble_option_runs_through_upscaler(rng):
    model = build_generator("edsr", 2, num_blocks=1)
    image = rng.integers(0, 256, (9, 12, 3)).astype(np.uint8)
    out = Upscaler(model, 2, tile_size=8, overlap=4, ensemble=True)(image)
    assert out.shape == (18, 24, 3) and out.dtype == tf.uint8


def test_bad_overlap_is_rejected():
    upscaler = Upscaler(build_generator("srcnn", 2), 2, tile_size=8, overlap=8)
    with pytest.raises(tf.errors.InvalidArgumentError, match="overlap must be smaller"):
        upscaler(np.zeros((4, 4, 3), np.uint8))
