"""Sharded TFRecords for data sets larger than memory (or on remote file systems).

Each record holds a pair's *encoded* files as they are on disk (no re-encoding, no quality
change), the HR file name, and the scale and HR patch size the pairs were checked for; an
HR-only pair stores empty LR bytes and gets its LR made on the fly, as from folders. Write once,
then train with ``--config.data.train='shards/*.tfrecord'``: shards are streamed (decoded every
pass) unless ``--config.data.cache=memory``. Reading shards with another scale, or a larger
patch than they were checked for, stops with a message.

    python -m pipelines.tfrecords --data=/data/DIV2K --scale=4 --patch_size=128 --out=shards
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import tensorflow as tf

from pipelines.discovery import DataError, Pair
from sr_tf.degrade import decode_pair

_FEATURES = {
    "hr": tf.io.FixedLenFeature([], tf.string),
    "lr": tf.io.FixedLenFeature([], tf.string),
    "name": tf.io.FixedLenFeature([], tf.string),
    "scale": tf.io.FixedLenFeature([], tf.int64, default_value=0),
    "patch_size": tf.io.FixedLenFeature([], tf.int64, default_value=0),
}


def _bytes(value: bytes) -> tf.train.Feature:
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _int(value: int) -> tf.train.Feature:
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))


def write_shards(pairs: Sequence[Pair], out_dir: str | os.PathLike, scale: int, patch_size: int,
                 num_shards: int = 8) -> list[Path]:
    """Write ``pairs`` (checked for ``scale`` and ``patch_size``) round-robin into ``num_shards``
    files; each file appears only when complete."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    num_shards = max(1, min(num_shards, len(pairs)))
    paths = [out_dir / f"pairs-{i:05d}-of-{num_shards:05d}.tfrecord" for i in range(num_shards)]
    tmp_paths = [p.with_name(f".{p.name}.tmp") for p in paths]
    writers = [tf.io.TFRecordWriter(str(p)) for p in tmp_paths]
    try:
        for i, pair in enumerate(pairs):
            example = tf.train.Example(features=tf.train.Features(feature={
                "hr": _bytes(pair.hr.read_bytes()),
                "lr": _bytes(pair.lr.read_bytes() if pair.lr else b""),
                "name": _bytes(pair.hr.name.encode()),
                "scale": _int(scale),
                "patch_size": _int(patch_size),
            }))
            writers[i % num_shards].write(example.SerializeToString())
    finally:
        for writer in writers:
            writer.close()
    for tmp, final in zip(tmp_paths, paths):
        os.replace(tmp, final)
    return paths


def check_shard(path: str, scale: int, patch_size: int) -> None:
    """Stop unless ``path``'s records were written for ``scale`` and a patch >= ``patch_size``."""
    try:
        record = next(iter(tf.data.TFRecordDataset(path).take(1)), None)
    except tf.errors.OpError as err:
        raise DataError(f"{path}: not a readable TFRecord file ({err.message})") from err
    if record is None:
        raise DataError(f"{path}: empty TFRecord shard")
    example = tf.io.parse_single_example(record, _FEATURES)
    written_scale, checked = int(example["scale"]), int(example["patch_size"])
    if written_scale == 0:
        raise DataError(f"{path}: written without scale metadata by an older sr_tf; rewrite the "
                        "shards with python -m pipelines.tfrecords")
    if written_scale != scale:
        raise DataError(f"{path}: shards hold x{written_scale} pairs, but model.scale is {scale}")
    if patch_size > checked:
        raise DataError(f"{path}: pairs were checked for HR patches of {checked}, smaller than "
                        f"data.patch_size={patch_size}; rewrite with --patch_size={patch_size}")


def tfrecord_pairs(pattern: str, scale: int, patch_size: int) -> tf.data.Dataset:
    """Decoded (lr, hr) uint8 pairs from shards matching ``pattern``, read in parallel."""
    files = sorted(tf.io.gfile.glob(pattern))
    if not files:
        raise DataError(f"{pattern}: no TFRecord shards match")
    check_shard(files[0], scale, patch_size)
    records = tf.data.Dataset.from_tensor_slices(files).interleave(
        tf.data.TFRecordDataset, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    def parse(record: tf.Tensor):
        example = tf.io.parse_single_example(record, _FEATURES)
        return decode_pair(example["lr"], example["hr"], scale)

    return records.map(parse, num_parallel_calls=tf.data.AUTOTUNE).ignore_errors(log_warning=True)


def main(argv: list[str]) -> None:
    from absl import flags

    from pipelines.discovery import usable_pairs
    f = flags.FLAGS
    pairs = usable_pairs(f.data, f.scale, f.patch_size, f.layout)
    for path in write_shards(pairs, f.out, f.scale, f.patch_size, f.num_shards):
        print(path)


if __name__ == "__main__":
    from absl import app, flags
    flags.DEFINE_string("data", None, "Data folder (any layout pipelines.discovery reads).")
    flags.DEFINE_integer("scale", 4, "Upscaling factor.")
    flags.DEFINE_integer("patch_size", 96, "HR patch size used for the size checks.")
    flags.DEFINE_string("layout", "auto", "Data layout.")
    flags.DEFINE_string("out", None, "Output folder for the shards.")
    flags.DEFINE_integer("num_shards", 8, "Number of shard files.")
    flags.mark_flags_as_required(["data", "out"])
    app.run(main)
