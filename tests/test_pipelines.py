"""Data discovery, bad-input handling, conversion rules and aligned patches."""

import itertools

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from conftest import write_png
from pipelines.discovery import DataError, Pair, find_pairs, usable_pairs
from pipelines.training import TrainingData, decoded_pairs, dihedral_augment, grid_patches
from sr_tf.image_io import ImageError, read_image


def make_paired(root, rng, names=("a.png", "b.png"), hr_size=32, scale=2):
    """HR made of constant scale x scale blocks, so lr == hr[::s, ::s] under any dihedral map."""
    for name in names:
        lr = rng.integers(0, 256, (hr_size // scale, hr_size // scale, 3)).astype(np.uint8)
        write_png(root / "lr" / name, lr)
        write_png(root / "hr" / name, np.repeat(np.repeat(lr, scale, axis=0), scale, axis=1))


def test_layouts_are_discovered(tmp_path, rng):
    make_paired(tmp_path / "paired", rng)
    pairs = find_pairs(tmp_path / "paired", 2)
    assert [p.hr.name for p in pairs] == ["a.png", "b.png"] and pairs[0].lr.parent.name == "lr"

    div = tmp_path / "div2k"
    write_png(div / "DIV2K_train_HR" / "0001.png", np.zeros((8, 8, 3), np.uint8))
    write_png(div / "DIV2K_train_LR_bicubic" / "X4" / "0001x4.png", np.zeros((2, 2, 3), np.uint8))
    (pair,) = find_pairs(div, 4)
    assert pair.lr.name == "0001x4.png"

    write_png(tmp_path / "hr_only" / "x.png", np.zeros((8, 8, 3), np.uint8))
    assert find_pairs(tmp_path / "hr_only", 2) == [Pair(tmp_path / "hr_only" / "x.png")]
    assert len(find_pairs("demo", 4)) == 7


def test_every_bad_file_is_named_and_skipped(tmp_path, rng, caplog):
    root = tmp_path / "data"
    make_paired(root, rng, names=("good.png", "wrongscale.png", "small.png"))
    write_png(root / "lr" / "wrongscale.png", np.zeros((15, 16, 3), np.uint8))
    write_png(root / "hr" / "small.png", np.zeros((8, 8, 3), np.uint8))
    write_png(root / "lr" / "small.png", np.zeros((4, 4, 3), np.uint8))
    (root / "hr" / "notimage.png").write_bytes(b"this is text")
    (root / "lr" / "notimage.png").write_bytes(b"this is text")
    write_png(root / "hr" / "orphan.png", np.zeros((32, 32, 3), np.uint8))
    write_png(root / "lr" / "lonely.png", np.zeros((16, 16, 3), np.uint8))
    with caplog.at_level("WARNING"):
        good = usable_pairs(root, scale=2, patch_size=16)
    assert [p.hr.name for p in good] == ["good.png"]
    text = caplog.text
    assert "wrongscale.png: HR is 32x32 but LR wrongscale.png is 16x15; expected exactly x2" in text
    assert "small.png: 8x8 is smaller than the HR patch 16" in text
    assert "notimage.png: not a readable image" in text
    assert "orphan.png: LR partner" in text and "is missing" in text
    assert "lonely.png: no HR partner" in text
    with pytest.raises(DataError, match="notimage.png: not a readable image"):
        usable_pairs(root, scale=2, patch_size=16, strict=True)     # first bad file, sorted


def test_empty_or_missing_folder_stops(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no .png"):
        usable_pairs(tmp_path / "empty", 2, 16)
    with pytest.raises(DataError, match="not found"):
        usable_pairs(tmp_path / "missing", 2, 16)
    with pytest.raises(DataError, match="multiple of scale"):
        usable_pairs(tmp_path / "empty", 3, 16)


def test_conversion_rules(tmp_path, rng):
    rgb = rng.integers(0, 256, (4, 5, 3)).astype(np.uint8)
    wide = rgb.astype(np.uint16) * 257 + rng.integers(-128, 128, rgb.shape).clip(0)
    wide = wide.clip(0, 65535).astype(np.uint16)
    np.testing.assert_array_equal(read_image(write_png(tmp_path / "w.png", wide)),
                                  np.round(wide / 257).astype(np.uint8))
    rgba = np.concatenate([rgb, np.full((4, 5, 1), 7, np.uint8)], axis=-1)
    np.testing.assert_array_equal(read_image(write_png(tmp_path / "a.png", rgba)), rgb)
    grey = rgb[..., 0]
    np.testing.assert_array_equal(read_image(write_png(tmp_path / "g.png", grey)),
                                  np.repeat(grey[..., None], 3, axis=-1))
    assert read_image(tmp_path / "g.png", keep_grey=True).shape == (4, 5, 1)
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage")
    with pytest.raises(ImageError, match="bad.png"):
        read_image(tmp_path / "bad.png")


@pytest.mark.parametrize("cache", ["memory", "none"])
@pytest.mark.parametrize("mode", ["grid", "random"])
def test_patches_stay_aligned_through_augmentation(tmp_path, rng, mode, cache):
    make_paired(tmp_path, rng, hr_size=48, scale=3)
    data = TrainingData(str(tmp_path), 3, 24, mode, crops_per_image=3, cache=cache, seed=1)
    lr, hr, codes = next(iter(data.dataset(4)))
    assert lr.shape == (4, 8, 8, 3) and hr.shape == (4, 24, 24, 3) and lr.dtype == tf.uint8
    assert codes.shape == (4,) and codes.dtype == tf.uint8
    np.testing.assert_array_equal(lr.numpy(), hr.numpy()[:, ::3, ::3])
    for code in range(8):
        a_lr, a_hr = dihedral_augment(lr, hr, tf.fill([4], code))
        np.testing.assert_array_equal(a_lr.numpy(), a_hr.numpy()[:, ::3, ::3])


def test_dihedral_codes_are_the_eight_distinct_symmetries(rng):
    image = rng.integers(0, 256, (1, 5, 5, 1)).astype(np.uint8)
    outputs = {dihedral_augment(image, image, tf.constant([c]))[0].numpy().tobytes()
               for c in range(8)}
    assert len(outputs) == 8


def coordinate_images(root, shapes, scale=2):
    """LR images whose pixel (y, x) of image n holds (y, x, n): a patch shows where it was cut."""
    for n, (h, w) in enumerate(shapes):
        y, x = np.mgrid[:h, :w]
        lr = np.stack([y, x, np.full_like(y, n)], -1).astype(np.uint8)
        write_png(root / "lr" / f"{n}.png", lr)
        write_png(root / "hr" / f"{n}.png", np.repeat(np.repeat(lr, scale, 0), scale, 1))


def _offsets(batches, count):
    """(y, x, image) of the top-left LR pixel of ``count`` patches."""
    lrs = np.concatenate([lr.numpy()[:, 0, 0] for lr, _, _ in itertools.islice(batches, count)])
    return lrs[:, 0].astype(int), lrs[:, 1].astype(int), lrs[:, 2].astype(int)


@pytest.mark.parametrize("cache", ["memory", "none"])
@pytest.mark.parametrize("shape", [(20, 20), (14, 26)])
def test_random_crop_offsets_are_uniform_and_independent(tmp_path, cache, shape):
    # 4x4 LR patches: offsets y in 0..h-4 and x in 0..w-4. The bug this guards against drew y
    # and x from the same random stream: every crop of a square image on the diagonal.
    coordinate_images(tmp_path, [shape])
    data = TrainingData(str(tmp_path), 2, 8, "random", crops_per_image=64, cache=cache, seed=3)
    ny, nx = shape[0] - 3, shape[1] - 3
    y, x, _ = _offsets(data.dataset(64), 6000 // 64)
    assert y.min() == 0 and y.max() == ny - 1 and x.min() == 0 and x.max() == nx - 1
    assert stats.chisquare(np.bincount(y, minlength=ny)).pvalue > 1e-3
    assert stats.chisquare(np.bincount(x, minlength=nx)).pvalue > 1e-3
    table = np.zeros((ny, nx))
    np.add.at(table, (y, x), 1)
    assert stats.chi2_contingency(table).pvalue > 1e-3          # y and x independent
    assert abs(np.corrcoef(y, x)[0, 1]) < 0.05
    assert np.mean(y == x) < 2.0 / min(ny, nx)


def test_memory_stream_visits_each_image_equally_and_is_step_addressable(tmp_path):
    coordinate_images(tmp_path, [(12, 12), (10, 16), (14, 9)])
    data = TrainingData(str(tmp_path), 2, 8, "random", crops_per_image=5, seed=7)
    *_, images = _offsets(data.dataset(5), 3)                   # one pass: 3 images x 5 crops
    assert np.bincount(images).tolist() == [5, 5, 5]
    whole = [tuple(t.numpy() for t in b) for b in itertools.islice(data.dataset(6), 10)]
    resumed = next(iter(data.dataset(6, first_step=7)))
    for a, b in zip(whole[7], resumed):
        np.testing.assert_array_equal(a, b.numpy())
    # Replicas and workers take slices of the same global batch.
    class Context:
        num_replicas_in_sync, num_input_pipelines = 3, 3
    for r in range(3):
        Context.input_pipeline_id = r
        part = next(iter(data.dataset(6, first_step=7, context=Context())))
        np.testing.assert_array_equal(part[1].numpy(), whole[7][1][2 * r:2 * r + 2])


def test_streamed_resume_draws_fresh_data_instead_of_replaying(tmp_path):
    coordinate_images(tmp_path, [(20, 20), (20, 20)])
    data = TrainingData(str(tmp_path), 2, 8, "random", crops_per_image=8, cache="none", seed=1)
    first = next(iter(data.dataset(8)))[0].numpy()
    again = next(iter(data.dataset(8)))[0].numpy()
    resumed = next(iter(data.dataset(8, first_step=50)))[0].numpy()
    np.testing.assert_array_equal(first, again)                  # reproducible
    assert not np.array_equal(first, resumed)


def test_memory_grid_mode_covers_every_patch_once_per_pass(tmp_path):
    coordinate_images(tmp_path, [(12, 12), (10, 16)])           # 3x3 + 2x4 grid patches of 4
    data = TrainingData(str(tmp_path), 2, 8, "grid", seed=2)
    y, x, n = _offsets(data.dataset(17), 1)
    assert sorted(zip(n, y, x)) == sorted(
        [(0, a, b) for a in (0, 4, 8) for b in (0, 4, 8)] + [(1, a, b) for a in (0, 4)
                                                             for b in (0, 4, 8, 12)])


def test_grid_mode_takes_every_patch_as_extract_patches_does(rng):
    hr = rng.integers(0, 256, (37, 50, 3)).astype(np.uint8)
    lr = hr[::2, ::2]
    patches = list(grid_patches(lr, hr, 2, 16))
    assert len(patches) == 2 * 3
    reference = tf.reshape(tf.image.extract_patches(hr[None], [1, 16, 16, 1], [1, 16, 16, 1],
                                                    [1, 1, 1, 1], "VALID"), [-1, 16, 16, 3])
    np.testing.assert_array_equal(np.stack([p[1] for p in patches]), reference.numpy())


def test_hr_only_makes_lr_by_matlab_bicubic(tmp_path, rng):
    from sr_tf.degrade import bicubic_lr
    hr = rng.integers(0, 256, (33, 34, 3)).astype(np.uint8)
    write_png(tmp_path / "x.png", hr)
    (lr, hr_out), = list(decoded_pairs([Pair(tmp_path / "x.png")], 2))
    assert hr_out.shape == (32, 34, 3)
    np.testing.assert_array_equal(lr.numpy(), bicubic_lr(hr[:32], 2).numpy())


@pytest.mark.parametrize("cache", ["memory", "none"])
def test_corrupt_body_is_dropped_not_fatal(tmp_path, rng, cache):
    make_paired(tmp_path, rng, names=("a.png", "b.png"))
    data = (tmp_path / "hr" / "b.png").read_bytes()
    (tmp_path / "hr" / "b.png").write_bytes(data[:60])      # valid header, truncated body
    assert len(list(decoded_pairs(usable_pairs(tmp_path, 2, 16), 2))) == 1
    lr, hr, _ = next(iter(TrainingData(str(tmp_path), 2, 16, "grid", cache=cache).dataset(2)))
    assert hr.shape == (2, 16, 16, 3)


def test_tfrecord_shards_round_trip_and_record_their_settings(tmp_path, rng):
    from pipelines.tfrecords import tfrecord_pairs, write_shards
    make_paired(tmp_path / "data", rng, names=("a.png", "b.png", "c.png"))
    write_png(tmp_path / "hronly" / "d.png", rng.integers(0, 256, (33, 32, 3)).astype(np.uint8))
    pairs = usable_pairs(tmp_path / "data", 2, 16) + usable_pairs(tmp_path / "hronly", 2, 16)
    paths = write_shards(pairs, tmp_path / "shards", scale=2, patch_size=16, num_shards=2)
    assert [p.name for p in paths] == ["pairs-00000-of-00002.tfrecord",
                                       "pairs-00001-of-00002.tfrecord"]
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == [p.name for p in paths]
    pattern = str(tmp_path / "shards" / "*.tfrecord")
    from_shards = sorted((lr.numpy().tobytes(), hr.numpy().tobytes())
                         for lr, hr in tfrecord_pairs(pattern, 2, 16))
    from_files = sorted((lr.numpy().tobytes(), hr.numpy().tobytes())
                        for lr, hr in decoded_pairs(pairs, 2))
    assert from_shards == from_files and len(from_files) == 4
    data = TrainingData(pattern, 2, 16)
    assert data.cache == "none"                                  # shards stream by default
    lr, hr, _ = next(iter(data.dataset(2)))
    assert lr.shape == (2, 8, 8, 3) and hr.shape == (2, 16, 16, 3)
    assert TrainingData(pattern, 2, 16, cache="memory").cache == "memory"
    with pytest.raises(DataError, match=r"shards hold x2 pairs, but model.scale is 4"):
        tfrecord_pairs(pattern, 4, 16)
    with pytest.raises(DataError, match=r"checked for HR patches of 16.*--patch_size=32"):
        tfrecord_pairs(pattern, 2, 32)
    with pytest.raises(DataError, match="no TFRecord shards"):
        tfrecord_pairs(str(tmp_path / "none" / "*.tfrecord"), 2, 16)


def test_validation_scores_a_paired_folder_against_its_own_lr(tmp_path, rng):
    """``data.val`` / ``--eval_dir`` with ``lr/`` and ``hr/`` (``--mode=degrade``'s output beside
    its HR): the LR is the file, not bicubic; the HR is cut at the bottom/right to 2x LR (an HR
    of 2 LR + 1 rows, as the degradation floors); a missing partner or a wrong size is skipped. Deliberate bug seen failing: the paired
    folder read as HR-only (bicubic LR of ``hr/``, and ``lr/`` ignored)."""
    from pipelines.validation import iter_eval_pairs
    hr = rng.integers(0, 256, (33, 40, 3), np.uint8)
    lr = rng.integers(0, 256, (16, 20, 3), np.uint8)           # no relation to bicubic of hr
    write_png(tmp_path / "hr" / "photo.png", hr)
    write_png(tmp_path / "lr" / "photo.png", lr)
    write_png(tmp_path / "hr" / "alone.png", hr)               # no partner
    write_png(tmp_path / "hr" / "wrong.png", hr)
    write_png(tmp_path / "lr" / "wrong.png", lr[:15])          # 33 // 2 = 16 rows expected
    pairs = list(iter_eval_pairs(tmp_path, 2))
    assert [p.path.name for p in pairs] == ["photo.png"]
    np.testing.assert_array_equal(pairs[0].lr, lr)
    np.testing.assert_array_equal(pairs[0].hr, hr[:32])
