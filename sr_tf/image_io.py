"""Reading and writing images with one conversion rule everywhere.

Rule for every image the toolkit reads (training, validation, eval, predict):
- 16-bit PNG -> 8-bit by ``round(v / 257)`` (65535 maps to 255 exactly).
- RGBA / grey+alpha -> the alpha channel is dropped (colour kept as stored, no compositing).
- Greyscale -> RGB by repeating the channel (``keep_grey=True`` keeps one channel, which the
  benchmark protocol needs: a greyscale HR is scored on its raw intensity).
- PNG, JPEG, BMP and GIF (first frame) are decoded; anything else is an :class:`ImageError`.
"""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf

from sr_tf.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageError(UserError):
    """A file that is not a usable image; the message names the file and the problem."""


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Sorted image files (by suffix) directly inside ``folder``."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """(height, width) of an image file; raises :class:`ImageError` if unreadable.

    PNG: the first 32 bytes (IHDR). JPEG: the file's header markers, without decoding pixels.
    Other formats (BMP, GIF) are decoded.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(32)
        if head.startswith(_PNG_SIGNATURE):
            if head[12:16] != b"IHDR":
                raise ImageError(f"{path}: corrupt PNG header")
            width, height = struct.unpack(">II", head[16:24])
            return int(height), int(width)
        data = path.read_bytes()
        if data[:2] == b"\xff\xd8":
            shape = tf.image.extract_jpeg_shape(data).numpy()
            return int(shape[0]), int(shape[1])
        shape = tf.image.decode_image(data, expand_animations=False).shape
        return int(shape[0]), int(shape[1])
    except ImageError:
        raise
    except (OSError, tf.errors.OpError, IndexError, struct.error, UnicodeDecodeError) as err:
        raise ImageError(f"{path}: not a readable image ({_first_line(err)})") from err


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


def read_image(path: str | os.PathLike, keep_grey: bool = False) -> np.ndarray:
    """Read a file to a uint8 numpy array ``[H, W, 3]`` (``[H, W, 1]`` for grey with keep_grey)."""
    path = Path(path)
    try:
        data = path.read_bytes()
        if not data:
            raise ImageError(f"{path}: empty file")
        return decode_image(tf.constant(data), keep_grey=keep_grey).numpy()
    except ImageError:
        raise
    except (OSError, tf.errors.OpError, UnicodeDecodeError) as err:
        # TF can fail to decode its own error text for binary garbage (UnicodeDecodeError).
        raise ImageError(f"{path}: not a readable image ({_first_line(err)})") from err


def write_image(path: str | os.PathLike, image: np.ndarray | tf.Tensor) -> None:
    """Write a uint8 image as PNG atomically: a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = tf.io.encode_png(tf.convert_to_tensor(image, tf.uint8)).numpy()
    atomic_write_bytes(path, encoded)


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
    if isinstance(err, UnicodeDecodeError):
        return "corrupt image data"
    text = getattr(err, "message", None) or str(err)
    return text.strip().splitlines()[0] if text.strip() else type(err).__name__
