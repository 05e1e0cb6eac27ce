"""Data discovery, bad-input handling, conversion rules and aligned patches."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import write_png
from pipelines.discovery import DataError, Pair, find_pairs, usable_pairs
from pipelines.training import (decoded_pairs, dihedral_augment, grid_patches, patch_dataset,
                                training_dataset)
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


@pytest.mark.parametrize("mode", ["grid", "random"])
def test_patches_stay_aligned_through_augmentation(tmp_path, rng, mode):
    make_paired(tmp_path, rng, hr_size=48, scale=3)
    pairs = usable_pairs(tmp_path, 3, 24)
    ds = training_dataset(pairs, 3, 24, batch_size=4, mode=mode, crops_per_image=3, seed=1)
    lr, hr = next(iter(ds))
    assert lr.shape == (4, 8, 8, 3) and hr.shape == (4, 24, 24, 3) and lr.dtype == tf.uint8
    np.testing.assert_array_equal(lr.numpy(), hr.numpy()[:, ::3, ::3])
    for seed in range(4):
        a_lr, a_hr = dihedral_augment(lr, hr, tf.constant([seed, 1]))
        np.testing.assert_array_equal(a_lr.numpy(), a_hr.numpy()[:, ::3, ::3])


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


def test_corrupt_body_is_dropped_not_fatal(tmp_path, rng):
    make_paired(tmp_path, rng, names=("a.png", "b.png"))
    data = (tmp_path / "hr" / "b.png").read_bytes()
    (tmp_path / "hr" / "b.png").write_bytes(data[:60])      # valid header, truncated body
    pairs = usable_pairs(tmp_path, 2, 16)
    images = list(decoded_pairs(pairs, 2))
    assert len(images) == 1
    batches = patch_dataset(decoded_pairs(pairs, 2), 2, 16, 2, repeat=False, mode="grid")
    assert sum(1 for _ in batches) >= 1


def test_tfrecord_shards_round_trip(tmp_path, rng):
    from pipelines.tfrecords import tfrecord_pairs, write_shards
    from pipelines.training import training_images
    make_paired(tmp_path / "data", rng, names=("a.png", "b.png", "c.png"))
    write_png(tmp_path / "hronly" / "d.png", rng.integers(0, 256, (33, 32, 3)).astype(np.uint8))
    pairs = usable_pairs(tmp_path / "data", 2, 16) + usable_pairs(tmp_path / "hronly", 2, 16)
    paths = write_shards(pairs, tmp_path / "shards", num_shards=2)
    assert [p.name for p in paths] == ["pairs-00000-of-00002.tfrecord",
                                       "pairs-00001-of-00002.tfrecord"]
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == [p.name for p in paths]
    from_shards = sorted((lr.numpy().tobytes(), hr.numpy().tobytes())
                         for lr, hr in tfrecord_pairs(str(tmp_path / "shards" / "*.tfrecord"), 2))
    from_files = sorted((lr.numpy().tobytes(), hr.numpy().tobytes())
                        for lr, hr in decoded_pairs(pairs, 2))
    assert from_shards == from_files and len(from_files) == 4
    images = training_images(str(tmp_path / "shards" / "*.tfrecord"), 2, 16)
    lr, hr = next(iter(patch_dataset(images, 2, 16, 2)))
    assert lr.shape == (2, 8, 8, 3) and hr.shape == (2, 16, 16, 3)
    with pytest.raises(DataError, match="no TFRecord shards"):
        tfrecord_pairs(str(tmp_path / "none" / "*.tfrecord"), 2)
