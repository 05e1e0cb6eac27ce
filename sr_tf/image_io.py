"""Reading and writing images with one conversion rule everywhere.

Rule for every image the toolkit reads (training, validation, eval, predict):
- 16-bit PNG -> 8-bit by ``round(v / 257)`` (65535 maps to 255 exactly).
- RGBA / grey+alpha -> the alpha channel is dropped (colour kept as stored, no compositing).
- Greyscale -> RGB by repeating the channel (``keep_grey=True`` keeps one channel, which the
  benchmark protocol needs: a greyscale HR is scored on its raw intensity).
- PNG, JPEG, BMP and GIF (first frame) are decoded; anything else is an :class:`ImageError`.

Decompression bombs: :func:`read_image` reads the pixel count from the file's header (PNG IHDR,
JPEG frame header, BMP info header, every GIF frame descriptor) and refuses an image above
``max_pixels`` before decoding anything, so a small file cannot make us allocate gigabytes.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Iterator

import numpy as np
import tensorflow as tf

from sr_tf.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
# 8192 x 8192: every camera sensor sold today (61 MP full frame, 8K video frames) fits, and the
# decoded image stays under 0.8 GB as float32 RGB. configs/base.py infer.max_pixels holds it.
DEFAULT_MAX_PIXELS = 8192 * 8192
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IHDR_END = 33                # PNG signature (8) + IHDR chunk (4 length, 4 type, 13 data, 4 CRC)


class ImageError(UserError):
    """A file that is not a usable image; the message names the file and the problem."""


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Sorted entries directly inside ``folder`` named like images (by suffix).

    Entries that are not readable files (a folder named ``x.png``, a broken or looping symlink)
    are listed too, so that every reader reports them as bad files instead of skipping them
    silently.
    """
    return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def printable_name(path: str | os.PathLike) -> str:
    """The file name as valid text: bytes that are not UTF-8 (``caf\\xe9.png`` from a Latin-1
    system) are written as backslash escapes, so reports and terminals can show every name."""
    return os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")


@contextlib.contextmanager
def _image_errors(path: Path) -> Iterator[None]:
    """Turn the ways reading an image file fails into one :class:`ImageError` naming it."""
    try:
        yield
    except ImageError:
        raise
    except (OSError, tf.errors.OpError, IndexError, struct.error, UnicodeDecodeError) as err:
        raise ImageError(f"{path}: not a readable image ({_first_line(err)})") from err


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """(height, width) of an image file from its header, without decoding pixels; raises
    :class:`ImageError` if unreadable or not a PNG, JPEG, BMP or GIF."""
    path = Path(path)
    with _image_errors(path):
        with open(path, "rb") as f:
            data = f.read(_IHDR_END)
            if not data.startswith(_PNG_SIGNATURE):      # only PNG has its size at the start
                data += f.read()
        return _header_size(data, path)[:2]


def _header_size(data: bytes, path: Path) -> tuple[int, int, int]:
    """(height, width, pixels the decoder allocates) read from an encoded image's header."""
    if data.startswith(_PNG_SIGNATURE):
        if data[12:16] != b"IHDR":
            raise ImageError(f"{path}: corrupt PNG header")
        width, height = struct.unpack(">II", data[16:24])
    elif data[:2] == b"\xff\xd8":
        height, width = (int(n) for n in tf.image.extract_jpeg_shape(data).numpy()[:2])
    elif data[:2] == b"BM":
        if struct.unpack("<I", data[14:18])[0] == 12:        # OS/2 header: 16-bit sides
            width, height = struct.unpack("<HH", data[18:22])
        else:                                                # negative height: top-down rows
            width, height = (abs(n) for n in struct.unpack("<ii", data[18:26]))
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif_size(data, path)
    else:
        raise ImageError(f"{path}: not a readable image (not PNG, JPEG, BMP or GIF data)")
    return height, width, height * width


def _gif_size(data: bytes, path: Path) -> tuple[int, int, int]:
    """(height, width, pixels) of a GIF: the decoder makes a full canvas for every frame, so the
    pixels are summed over the frames (found by walking the blocks, never decompressing one)."""
    def color_table(flags: int) -> int:
        return 3 << ((flags & 7) + 1) if flags & 0x80 else 0

    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos, pixels = 13 + color_table(flags), 0
    while data[pos] != 0x3B:                                 # trailer
        if data[pos] == 0x2C:                                # image descriptor
            frame_w, frame_h, frame_flags = struct.unpack("<HHB", data[pos + 5:pos + 10])
            pixels += max(width * height, frame_w * frame_h)
            pos += 10 + color_table(frame_flags) + 1         # + the LZW code size byte
        elif data[pos] == 0x21:                              # extension: introducer, label
            pos += 2
        else:
            raise ImageError(f"{path}: corrupt GIF (block 0x{data[pos]:02x} at byte {pos})")
        while data[pos]:                                     # data sub-blocks, then a 0 byte
            pos += data[pos] + 1
        pos += 1
    return height, width, pixels


def decode_image(contents: tf.Tensor, keep_grey: bool = False) -> tf.Tensor:
    """Decode encoded bytes to uint8 ``[H, W, 3]`` (or ``[H, W, 1]``) by the module's rule.

    Graph-safe: usable inside ``tf.data`` and exported serving functions.
    """
    channels = 0 if keep_grey else 3
    is_png = tf.strings.substr(contents, 0, 8) == _PNG_SIGNATURE
    bit_depth = tf.cond(
        is_png,
        lambda: tf.io.decode_raw(tf.strings.substr(contents, 24, 1), tf.uint8)[0],
        lambda: tf.constant(8, tf.uint8))

    def decode16() -> tf.Tensor:
        wide = tf.io.decode_png(contents, channels=channels, dtype=tf.uint16)
        return tf.cast(tf.round(tf.cast(wide, tf.float32) / 257.0), tf.uint8)

    def decode8() -> tf.Tensor:
        return tf.io.decode_image(contents, channels=channels, dtype=tf.uint8,
                                  expand_animations=False)

    image = tf.cond(bit_depth == 16, decode16, decode8)
    if keep_grey:
        # Drop alpha: 2 channels (grey+alpha) -> 1, 4 (RGBA) -> 3.
        n = tf.shape(image)[-1]
        image = tf.cond(n == 2, lambda: image[..., :1],
                        lambda: tf.cond(n == 4, lambda: image[..., :3], lambda: image))
        image = tf.ensure_shape(image, [None, None, None])
    else:
        image = tf.ensure_shape(image, [None, None, 3])
    return image


def read_image(path: str | os.PathLike, keep_grey: bool = False,
               max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read a file to a uint8 numpy array ``[H, W, 3]`` (``[H, W, 1]`` for grey with keep_grey).

    An image whose header says it decodes to more than ``max_pixels`` pixels (None: no limit)
    is an :class:`ImageError`, raised before any pixel is decoded.
    """
    path = Path(path)
    with _image_errors(path):
        data = path.read_bytes()
        if not data:
            raise ImageError(f"{path}: empty file")
        height, width, pixels = _header_size(data, path)
        if max_pixels is not None and pixels > max_pixels:
            raise ImageError(f"{path}: {width}x{height} image decodes to {pixels:,} pixels, over "
                             f"the limit of {max_pixels:,}; raise it with "
                             f"--config.infer.max_pixels=N")
        return decode_image(tf.constant(data), keep_grey=keep_grey).numpy()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


# A PNG text chunk right after IHDR marks every image this toolkit writes (see written_by_sr_tf).
_SIGNED = _png_chunk(b"tEXt", b"Software\x00sr_tf")


def write_image(path: str | os.PathLike, image: np.ndarray | tf.Tensor) -> None:
    """Write a uint8 image as PNG atomically (a temporary file in the same folder, then rename),
    marked as ours by a ``Software: sr_tf`` text chunk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = tf.io.encode_png(tf.convert_to_tensor(image, tf.uint8)).numpy()
    atomic_write_bytes(path, encoded[:_IHDR_END] + _SIGNED + encoded[_IHDR_END:])


def written_by_sr_tf(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a PNG that :func:`write_image` wrote (reads only its first bytes)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_IHDR_END + len(_SIGNED))
    except OSError:
        return False
    return head.startswith(_PNG_SIGNATURE) and head[_IHDR_END:] == _SIGNED


def _file_mode() -> int:
    """The mode ``open()`` gives a new file under the current umask (``mkstemp`` gives 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never
    half; the file gets the permissions of a normally created one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_uint8(image: tf.Tensor) -> tf.Tensor:
    """Round and saturate a float image in [0, 255] to uint8."""
    return tf.cast(tf.clip_by_value(tf.round(image), 0.0, 255.0), tf.uint8)


def _first_line(err: BaseException) -> str:
    if isinstance(err, UnicodeDecodeError):   # TF failing to decode its own error text
        return "corrupt image data"
    if isinstance(err, OSError) and err.strerror:      # "Is a directory", not the path again
        return err.strerror
    text = getattr(err, "message", None) or str(err)
    return text.strip().splitlines()[0] if text.strip() else type(err).__name__
