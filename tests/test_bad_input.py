"""Bad input never stops a batch and never loses a file: decompression bombs refused from the
header, one image failing while upscaling, names that are not UTF-8 or hold a comma, folders and
symlink loops named like images, our own outputs in the input folder, bfloat16-saved models."""

import csv
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, write_png
from sr_tf.image_io import ImageError, image_size, read_image, written_by_sr_tf

BOMB_SIDE = 20000        # the 1.1 MB PNG that decodes to 1.2 GB


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(path: Path, side: int) -> Path:
    """A valid all-black RGB PNG of side x side pixels in about side**2 / 340 bytes, built in a
    fraction of a second: one deflate block of 100 zero rows after a full flush (so it depends
    on nothing before it) is repeated; the Adler-32 of n zero bytes is ``(n % 65521) << 16 | 1``.
    """
    rows = (b"\x00" + bytes(3 * side)) * 100            # filter byte 0, then black pixels
    packer = zlib.compressobj(9)
    first = packer.compress(rows) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(rows) + packer.flush(zlib.Z_FULL_FLUSH)
    total = len(rows) * (side // 100)
    stream = (first[:2] + block * (side // 100) + b"\x03\x00"      # header, blocks, empty last
              + struct.pack(">I", (total % 65521) << 16 | 1))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
                     + _png_chunk(b"IDAT", stream) + _png_chunk(b"IEND", b""))
    return path


class NearestX2:
    """A stand-in upscaler (nearest neighbour x2) that runs out of memory on one image width."""

    scale = 2

    def __init__(self, fail_width: int | None = None):
        self.fail_width = fail_width

    def __call__(self, image: np.ndarray, ensemble: bool | None = None) -> np.ndarray:
        if image.shape[1] == self.fail_width:
            raise MemoryError("Unable to allocate 1.12 GiB")
        return np.repeat(np.repeat(image, 2, axis=0), 2, axis=1)


def _bad_entries(folder: Path) -> None:
    """A folder named like an image and a symlink loop, inside ``folder``."""
    (folder / "folder.png").mkdir(parents=True)
    os.symlink("loop.png", folder / "loop.png")          # points at itself: ELOOP


def test_png_bomb_is_refused_from_its_header_before_decoding(tmp_path):
    """Fails if the limit is checked after decoding or not at all: seen failing (check removed)
    with "not a readable image", since the body after the header is not image data."""
    header = struct.pack(">IIBBBBB", BOMB_SIDE, BOMB_SIDE, 8, 2, 0, 0, 0)
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + b"no pixels here")
    with pytest.raises(ImageError) as err:
        read_image(path)
    assert str(err.value) == (f"{path}: 20000x20000 image decodes to 400,000,000 pixels, over "
                              f"the limit of 67,108,864; raise it with "
                              f"--config.infer.max_pixels=N")
    assert image_size(png_bomb(tmp_path / "real.png", 300)) == (300, 300)
    assert read_image(tmp_path / "real.png", max_pixels=None).shape == (300, 300, 3)


def test_header_pixel_counts_match_what_the_decoders_allocate(tmp_path, rng):
    """PNG/JPEG/BMP sizes against OpenCV's decode; an animated GIF against TensorFlow's
    decode_gif, which makes a canvas for every frame. Fails if the GIF frames are not summed:
    seen failing (one frame counted) with "DID NOT RAISE" for the 3-frame GIF, max_pixels=1000."""
    import cv2
    import tensorflow as tf
    from PIL import Image
    image = rng.integers(0, 256, (13, 17, 3)).astype(np.uint8)
    for suffix in (".png", ".jpg", ".bmp"):
        path = tmp_path / f"a{suffix}"
        cv2.imwrite(str(path), image)
        assert image_size(path) == cv2.imread(str(path)).shape[:2], suffix
    frames = [Image.fromarray(rng.integers(0, 256, (20, 30, 3)).astype(np.uint8))
              for _ in range(3)]
    gif = tmp_path / "anim.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=50)
    decoded = tf.io.decode_gif(gif.read_bytes()).shape            # [frames, h, w, 3]
    assert decoded[0] == 3 and image_size(gif) == tuple(decoded[1:3])
    assert read_image(gif, max_pixels=int(np.prod(decoded[:3]))).shape == (20, 30, 3)
    with pytest.raises(ImageError, match="decodes to 1,800 pixels, over the limit of 1,000"):
        read_image(gif, max_pixels=1000)                   # one frame (600) would fit


@pytest.mark.slow
def test_bomb_under_a_memory_limit_is_one_line_and_the_batch_goes_on(tmp_path):
    """predict under RLIMIT_AS (1.5 GiB above what TensorFlow itself maps): the 20000x20000 PNG,
    a folder and a symlink loop named like images are one warning line each, the next image is
    written, the exit code is 0, and a non-UTF-8 output folder name prints as its bytes. Seen
    failing on the code before the fix: MemoryError traceback at the bomb, photo.png never
    processed; and with stdout left strict: UnicodeEncodeError printing the summary."""
    from sr_tf.models import build_generator
    build_generator("edsr", 2, num_blocks=1, filters=8).save(tmp_path / "m.keras")
    inputs = tmp_path / "in"
    _bad_entries(inputs)
    png_bomb(inputs / "bomb.png", BOMB_SIDE)
    write_png(inputs / "photo.png", np.full((6, 5, 3), 200, np.uint8))
    out = os.fsdecode(os.fsencode(str(tmp_path)) + b"/sortie_\xe9")
    limited = ("import resource, runpy, sys, tensorflow, keras\n"
               "vm = next(int(l.split()[1]) for l in open('/proc/self/status') "
               "if l.startswith('VmSize')) * 1024\n"
               "resource.setrlimit(resource.RLIMIT_AS, (vm + 3 * 2**29, vm + 3 * 2**29))\n"
               "sys.argv = sys.argv[1:]\n"
               "runpy.run_path('main.py', run_name='__main__')\n")
    result = subprocess.run(
        [sys.executable, "-c", limited, "main.py", "--mode=predict", "--model=edsr",
         "--config.model.scale=2", f"--weights={tmp_path / 'm.keras'}", f"--input={inputs}",
         f"--output={out}"], cwd=ROOT, capture_output=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2",
             "MALLOC_ARENA_MAX": "2", "CUDA_VISIBLE_DEVICES": "",
             "PYTHONIOENCODING": "utf-8"})     # strict, as under an en_US.UTF-8 locale
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == 0 and "Traceback" not in stderr, stderr[-3000:]
    assert result.stdout == b"1 images written to " + os.fsencode(out) + b"; 3 skipped\n"
    warnings = [line for line in stderr.splitlines() if "predict.py" in line]
    assert len(warnings) == 3, warnings
    assert warnings[0].endswith(f"{inputs / 'bomb.png'}: 20000x20000 image decodes to "
                                f"400,000,000 pixels, over the limit of 67,108,864; raise it "
                                f"with --config.infer.max_pixels=N")
    assert warnings[1].endswith(f"{inputs / 'folder.png'}: not a readable image (Is a directory)")
    assert warnings[2].endswith(f"{inputs / 'loop.png'}: not a readable image (Too many levels "
                                f"of symbolic links)")
    assert read_image(Path(out) / "photo_x2.png").shape == (12, 10, 3)


def test_an_image_failing_while_upscaling_is_skipped_and_the_batch_goes_on(tmp_path):
    """Fails if predict lets the upscaler's MemoryError escape: seen failing so (today's code)."""
    from sr_tf.predict import predict
    write_png(tmp_path / "in" / "a.png", np.zeros((4, 7, 3), np.uint8))     # runs out of memory
    write_png(tmp_path / "in" / "b.png", np.zeros((4, 5, 3), np.uint8))
    written, problems = predict(NearestX2(fail_width=7), tmp_path / "in", tmp_path / "out",
                                progress=False)
    assert written == [tmp_path / "out" / "b_x2.png"]
    assert problems == [f"{tmp_path / 'in' / 'a.png'}: out of memory while upscaling (lower "
                        f"infer.tile_size or infer.max_pixels)"]


def test_rerun_into_the_input_folder_does_not_upscale_our_own_outputs(tmp_path):
    """--output equal to --input, run twice: our a_x2.png is refreshed, never taken as an input;
    the user's own b_x2.png (not written by us) still is; an output folder inside the input one
    is never read. Seen failing on today's code: the second run skipped a.png ("would overwrite
    an input") and wrote a_x2_x2.png."""
    from sr_tf.predict import predict
    folder = tmp_path / "photos"
    write_png(folder / "a.png", np.full((3, 4, 3), 10, np.uint8))
    write_png(folder / "b_x2.png", np.full((2, 2, 3), 20, np.uint8))
    for _ in range(2):
        written, problems = predict(NearestX2(), folder, folder, progress=False)
        assert sorted(p.name for p in written) == ["a_x2.png", "b_x2_x2.png"] and not problems
    assert sorted(p.name for p in folder.iterdir()) == ["a.png", "a_x2.png", "b_x2.png",
                                                        "b_x2_x2.png"]
    assert written_by_sr_tf(folder / "a_x2.png") and not written_by_sr_tf(folder / "b_x2.png")
    other = tmp_path / "other"          # --output inside --input: never read as inputs
    write_png(other / "a.png", np.full((3, 4, 3), 10, np.uint8))
    for _ in range(2):
        predict(NearestX2(), other, other / "up", progress=False)
    assert sorted(p.name for p in other.rglob("*")) == ["a.png", "a_x2.png", "up"]


def test_eval_report_keeps_non_utf8_and_comma_names(tmp_path, rng):
    """Names as CSV and JSON read them back (UTF-8, csv module). Seen failing on today's code:
    UnicodeEncodeError on caf\\xe9.png in write_report; with printable names but the CSV still
    joined by commas: 8 fields in a,b.png's row."""
    from sr_tf.evaluate import COLUMNS, evaluate_folder, format_table, write_report
    folder = tmp_path / "bench"
    write_png(folder / "a,b.png", rng.integers(0, 256, (16, 16, 3)).astype(np.uint8))
    try:
        with open(os.fsencode(str(folder)) + b"/caf\xe9.png", "wb") as f:
            f.write((folder / "a,b.png").read_bytes())
    except OSError as err:
        pytest.skip(f"this file system refuses non-UTF-8 names ({err})")
    rows = evaluate_folder(NearestX2(), folder, progress=False)
    csv_path, json_path = write_report(rows, tmp_path / "report")
    assert "caf\\xe9.png" in format_table(rows)
    with open(csv_path, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["image", *COLUMNS] and all(len(row) == 7 for row in table)
    assert [row[0] for row in table[1:]] == ["a,b.png", "caf\\xe9.png", "mean"]
    assert [r["image"] for r in json.loads(json_path.read_text(encoding="utf-8"))] == \
        ["a,b.png", "caf\\xe9.png", "mean"]


def test_folders_and_symlink_loops_named_like_images_are_reported(tmp_path, caplog, rng):
    """Training discovery, eval and predict each name them. Seen failing on today's code: all
    three skipped them silently (list_images dropped anything that is not a regular file)."""
    from pipelines.discovery import usable_pairs
    from pipelines.validation import iter_eval_pairs
    from sr_tf.predict import predict
    write_png(tmp_path / "good.png", rng.integers(0, 256, (32, 32, 3)).astype(np.uint8))
    _bad_entries(tmp_path)
    expected = [f"{tmp_path / 'folder.png'}: not a readable image (Is a directory)",
                f"{tmp_path / 'loop.png'}: not a readable image (Too many levels of symbolic "
                f"links)"]
    with caplog.at_level("WARNING"):
        assert [p.hr.name for p in usable_pairs(tmp_path, 2, 16)] == ["good.png"]
        assert [p.path.name for p in iter_eval_pairs(tmp_path, 2)] == ["good.png"]
    assert caplog.messages == [f"skipping {line}" for line in expected] * 2
    written, problems = predict(NearestX2(), tmp_path, tmp_path / "out", progress=False)
    assert [p.name for p in written] == ["good_x2.png"] and problems == expected


def test_mixed_bfloat16_generator_loads_for_inference_in_float32(tmp_path, rng):
    """A generator saved under mixed_bfloat16 runs in float32 through load_generator (the
    loader of eval, predict and export): every layer computes in float32 and the output equals
    the float32 model with the same weights. Seen failing with the as_float32 call removed:
    compute dtypes {bfloat16, float32}. The bfloat16 model is checked to be off by > 1e-3."""
    import keras
    from sr_tf.models import build_generator
    from sr_tf.weights import load_generator
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        saved = build_generator("edsr", 2, num_blocks=2, filters=8)
        saved.save(tmp_path / "bf16.keras")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    reference = build_generator("edsr", 2, num_blocks=2, filters=8)
    reference.set_weights(saved.get_weights())
    lr = rng.uniform(0, 1, (1, 12, 10, 3)).astype(np.float32)
    expected = reference(lr).numpy()
    as_saved = keras.saving.load_model(tmp_path / "bf16.keras", compile=False)
    assert np.abs(np.asarray(as_saved(lr), np.float32) - expected).max() > 1e-3
    model = load_generator(tmp_path / "bf16.keras")
    assert {layer.compute_dtype for layer in model._flatten_layers()} == {"float32"}
    np.testing.assert_allclose(model(lr).numpy(), expected, rtol=1e-5, atol=1e-6)
