"""Tiled inference equals whole-image inference (<= 1/255 on uint8) for every model in the zoo."""

import itertools
import math

import numpy as np
import pytest
import tensorflow as tf

from sr_tf.errors import ConfigError
from sr_tf.inference import (BatchUpscaler, Upscaler, _axis_tiles, self_ensemble,
                             whole_image_upscale)
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
    model = build_generator("srcnn", 2)
    with pytest.raises(ConfigError, match="overlap can be at most 7"):
        Upscaler(model, 2, tile_size=8, overlap=8)
    upscaler = Upscaler(model, 2, tile_size=8, overlap=4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="overlap must be smaller"):
        upscaler(np.zeros((4, 4, 3), np.uint8), overlap=8)     # a per-call option, in the graph


def _fewest_tiles(length: int, tile: int, overlap: int, multiple: int) -> int:
    """Independent count: tiles of the largest aligned size, each starting the largest aligned
    step after the previous one that keeps ``overlap`` (greedy, hence the fewest)."""
    size = max(tile // multiple, 1) * multiple
    if length <= size:
        return 1
    step = (size - overlap) // multiple * multiple
    return 1 + math.ceil((length - size) / step)


def test_tile_plan_is_the_fewest_aligned_tiles_that_keep_the_overlap():
    """Every valid (length, tile, overlap, multiple): tiles no larger than the tile, starting on
    multiples, distinct, covering the side, overlapping by >= overlap, each kept pixel at least
    overlap // 2 from a cut, and as few as the greedy count. Seen failing on the plan before the
    fix (overlap + multiple - 1 as the overlap): 937 tiles for 118 at length 1000, tile 64,
    overlap 56, multiple 8, most of them duplicates."""
    cases = itertools.product((8, 40, 64, 200, 1000), (8, 16, 64, 72), (0, 3, 8, 13, 56),
                              (1, 2, 8))
    checked = 0
    for length, tile, overlap, multiple in cases:
        tile_units = max(tile // multiple, 1)
        if length % multiple or overlap >= tile or -(-overlap // multiple) >= tile_units:
            continue
        size, starts, lo, hi = (t.numpy() for t in _axis_tiles(
            tf.constant(length), tf.constant(tile), tf.constant(overlap), multiple))
        case = (length, tile, overlap, multiple)
        assert len(starts) == _fewest_tiles(length, tile, overlap, multiple), case
        assert size <= max(tile, multiple) and size % multiple == 0 and size <= length, case
        assert np.all(starts % multiple == 0) and np.all(np.diff(starts) > 0), case
        assert starts[0] == 0 and starts[-1] + size == length, case
        assert np.all(starts[:-1] + size - starts[1:] >= overlap), case
        assert lo[0] == 0 and hi[-1] == length and np.all(lo[1:] == hi[:-1]), case
        inner = (lo - starts)[1:], (starts + size - hi)[:-1]
        assert all(np.all(margin >= overlap // 2) for margin in inner), case
        checked += 1
    assert checked > 150


def test_overlap_that_cannot_fit_the_aligned_tile_is_refused():
    """The issue's case (tile 64, overlap 58, 8-pixel alignment: 935 tiles, 117 distinct) is one
    clear error before any work. Seen failing before the fix: no error, 935 tiles."""
    batch = BatchUpscaler(lambda x: tf.repeat(tf.repeat(x, 2, axis=1), 2, axis=2), 2, 8)
    with pytest.raises(ConfigError, match="multiples of 8 pixels .* at most 56"):
        Upscaler(batch, 2, tile_size=64, overlap=58)
    upscaler = Upscaler(batch, 2, tile_size=64, overlap=56)
    with pytest.raises(tf.errors.InvalidArgumentError, match="overlap does not fit the tile"):
        upscaler(np.zeros((1000, 8, 3), np.uint8), overlap=58)
    image = np.random.default_rng(0).integers(0, 256, (1000, 8, 3)).astype(np.uint8)
    np.testing.assert_array_equal(upscaler(image).numpy(),
                                  np.repeat(np.repeat(image, 2, axis=0), 2, axis=1))
