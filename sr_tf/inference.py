"""Whole-image and seam-free tiled inference, and geometric self-ensemble.

One tiling function (:func:`tiled_upscale`) serves predict, eval, validation and the exported
SavedModel. Tiles overlap by ``overlap`` LR pixels; neighbouring tiles are cut at the middle of
their overlap, so every kept pixel is at least ``overlap // 2`` pixels from a tile edge the whole
image does not have. When that margin covers the network's receptive field the stitched result
equals whole-image inference; plain averaging of overlaps would leave seams instead.
Tiles are processed one row of tiles at a time, in batches, so memory is bounded by the tile, not
the image.

The tiles go to a :class:`BatchUpscaler`: a Keras generator (:func:`model_upscaler`), or an
exported LiteRT / ONNX file run by its own runtime (:mod:`sr_tf.backends`), so every backend
gets the same tiling and self-ensemble.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from sr_tf.color import rgb_to_ycbcr, ycbcr_to_rgb
from sr_tf.errors import ConfigError
from sr_tf.image_io import to_uint8
from sr_tf.imresize import imresize, upscale_integer
from sr_tf.models import input_channels
from sr_tf.layers.common import PadToMultiple, reflect_pad_to_multiple

# Batch [N, h, w, 3] float in [0, 255] -> [N, s*h, s*w, 3] float in [0, 255].
UpscaleFn = Callable[[tf.Tensor], tf.Tensor]

DEFAULT_TILE = 512
DEFAULT_OVERLAP = 32


def size_multiple(model: keras.Model) -> int:
    """Tile sides and starts are multiples of this: the pixel-unshuffle block of the input, and
    the window of window-attention models (so tiles see the windows the whole image sees)."""
    multiple = 1
    for op in model.operations:
        if type(op).__name__ == "SpaceToDepth":
            multiple = math.lcm(multiple, op.block_size)
        elif isinstance(op, PadToMultiple):
            multiple = math.lcm(multiple, op.multiple)
    return multiple


def pad_mode(model: keras.Model) -> str:
    """How the model pads to its multiple (``reflect``, or ``symmetric`` as ATD's official
    forward does): the tiler pads the same way, since models that attend across the whole
    image (ATD's token dictionary) see the padding everywhere."""
    return next((op.mode for op in model.operations if isinstance(op, PadToMultiple)), "reflect")


def model_scale(model: keras.Model) -> int | None:
    """The upscaling factor of an RGB generator, measured on an 8x8 input (None for Y models)."""
    if input_channels(model) == "y":
        return None
    out = model(np.zeros((1, 8, 8, 3), np.float32), training=False)
    return int(out.shape[1]) // 8


def unit_upscaler(model: keras.Model, scale: int, portable: bool = False) -> UpscaleFn:
    """Wrap a generator as an RGB -> RGB batch upscaler on [0, 1] floats, the models' own range.

    Y-channel models (SRCNN, VDSR) get the MATLAB bicubic upscale, run on Y, and take Cb/Cr from
    the bicubic image. Inputs whose sides are not multiples the model needs are reflect-padded
    (as Real-ESRGAN and SwinIR do) and the output cropped. ``portable=True`` computes the bicubic
    upscale with :func:`~sr_tf.imresize.upscale_integer` (float32 convolution) instead of sparse
    matmuls, so LiteRT and ONNX can convert the function.
    """
    channels = input_channels(model)
    multiple, mode = size_multiple(model), pad_mode(model)
    bicubic = upscale_integer if portable else imresize

    def run(lr: tf.Tensor) -> tf.Tensor:
        if channels == "y":
            ycc = rgb_to_ycbcr(bicubic(lr, scale), peak=1.0)
            y = tf.cast(model(ycc[..., :1], training=False), tf.float32)
            return ycbcr_to_rgb(tf.concat([y, ycc[..., 1:]], axis=-1), peak=1.0)
        return tf.cast(model(lr, training=False), tf.float32)

    def upscale(lr: tf.Tensor) -> tf.Tensor:
        lr = tf.cast(lr, tf.float32)
        h, w = tf.shape(lr)[1], tf.shape(lr)[2]
        return run(reflect_pad_to_multiple(lr, multiple, mode))[:, :h * scale, :w * scale]

    return upscale


def model_upscaler(model: keras.Model, scale: int, portable: bool = False) -> UpscaleFn:
    """:func:`unit_upscaler` on [0, 255] floats, the range the tiling and every caller use."""
    unit = unit_upscaler(model, scale, portable)
    return lambda lr: unit(tf.cast(lr, tf.float32) / 255.0) * 255.0


@dataclass(frozen=True)
class BatchUpscaler:
    """What the tiling needs from a model: its batch function, scale and size multiple.

    ``fn`` maps float ``[N, h, w, 3]`` in [0, 255] to float ``[N, s*h, s*w, 3]`` for any ``h, w``
    (it pads to ``multiple`` itself); tile sides and starts are kept multiples of ``multiple`` so
    tiles see the pixel phases the whole image sees.
    """

    fn: UpscaleFn
    scale: int
    multiple: int = 1
    pad: str = "reflect"           # how the whole image is padded to ``multiple`` (pad_mode)

    @classmethod
    def of_model(cls, model: keras.Model, scale: int, portable: bool = False) -> BatchUpscaler:
        """A Keras generator (see :func:`model_upscaler`)."""
        return cls(model_upscaler(model, scale, portable), scale, size_multiple(model),
                   pad_mode(model))


def check_tiling(tile_size: int, overlap: int, multiple: int = 1) -> None:
    """Raise :class:`ConfigError` unless tiles of at most ``tile_size`` pixels, starting on
    multiples of ``multiple``, can overlap by ``overlap``: ``ceil(overlap / multiple) <
    tile_size // multiple`` (tile 64 with 8-pixel alignment allows overlap <= 56)."""
    tile_units = max(tile_size // multiple, 1)      # a tile is at least one unit
    if not 0 <= overlap < tile_size or -(-overlap // multiple) >= tile_units:
        most = (tile_units - 1) * multiple
        raise ConfigError(f"infer.overlap={overlap} does not fit infer.tile_size={tile_size}: "
                          f"tiles start on multiples of {multiple} pixels for this model, so "
                          f"the overlap can be at most {most}; lower infer.overlap or raise "
                          f"infer.tile_size")


def _axis_tiles(length: tf.Tensor, tile: tf.Tensor, overlap: tf.Tensor, multiple: int):
    """Balanced tiles along one axis: their size, starts, and the [lo, hi) each keeps.

    Uses the fewest tiles of at most ``tile`` pixels whose neighbours overlap by at least
    ``overlap``, shrunk to share the length evenly (a 600-pixel side with tile 512 gets two
    316-pixel tiles, not two of 512). ``length`` is a multiple of ``multiple``; sizes and starts
    stay multiples of it, so a pixel-unshuffling model sees the same phase as on the whole image.
    The plan is made in units of ``multiple`` pixels (overlap rounded up to whole units) and
    needs :func:`check_tiling`'s condition, which it asserts.
    """
    units, tile_units = length // multiple, tf.maximum(tile // multiple, 1)
    overlap_units = -(-overlap // multiple)
    tf.debugging.assert_less(
        overlap_units, tile_units,
        message="overlap does not fit the tile at the model's alignment (see check_tiling)")
    step = tf.maximum(tile_units - overlap_units, 1)   # no division by 0 before the assert
    count = tf.maximum(1, -(-(units - overlap_units) // step))
    size = tf.minimum(-(-(units + (count - 1) * overlap_units) // count), units)
    spread = tf.maximum(count - 1, 1)
    starts = tf.range(count) * (units - size) // spread * multiple
    size = size * multiple
    cuts = (starts[1:] + starts[:-1] + size) // 2
    lo = tf.concat([[0], cuts], axis=0)
    hi = tf.concat([cuts, [length]], axis=0)
    return size, starts, lo, hi


def tiled_upscale(upscale: UpscaleFn, image: tf.Tensor, scale: int, tile_size: tf.Tensor,
                  overlap: tf.Tensor, batch_size: int = 4, multiple: int = 1,
                  pad: str = "reflect") -> tf.Tensor:
    """Upscale one LR image ``[H, W, 3]`` (float, [0, 255]) tile by tile; returns float SR.

    ``tile_size`` and ``overlap`` are in LR pixels (``overlap < tile_size``); an image smaller than
    a tile is one tile. ``multiple`` is :func:`size_multiple` of the model: the image is padded
    to it (``pad``: the model's :func:`pad_mode`, as whole-image inference does) and the result
    cropped. Works eagerly and
    inside ``tf.function`` with dynamic shapes.
    """
    image = tf.cast(image, tf.float32)
    tile_size = tf.cast(tile_size, tf.int32)
    overlap = tf.cast(overlap, tf.int32)
    tf.debugging.assert_less(overlap, tile_size, message="overlap must be smaller than tile_size")
    tf.debugging.assert_non_negative(overlap, message="overlap must be >= 0")
    out_h, out_w = tf.shape(image)[0] * scale, tf.shape(image)[1] * scale
    image = reflect_pad_to_multiple(image[None], multiple, pad)[0]
    height, width = tf.shape(image)[0], tf.shape(image)[1]
    tile_h, starts_y, lo_y, hi_y = _axis_tiles(height, tile_size, overlap, multiple)
    tile_w, starts_x, lo_x, hi_x = _axis_tiles(width, tile_size, overlap, multiple)
    n_x = tf.size(starts_x)
    rows = tf.TensorArray(tf.float32, size=tf.size(starts_y), infer_shape=False,
                          element_shape=tf.TensorShape([None, None, 3]))
    for iy in tf.range(tf.size(starts_y)):
        # One batch of tiles at a time: bounded memory, and no concurrent model calls.
        tf.autograph.experimental.set_loop_options(parallel_iterations=1)
        band = image[starts_y[iy]:starts_y[iy] + tile_h]
        # Pieces are stored transposed so TensorArray.concat joins them along the width.
        pieces = tf.TensorArray(tf.float32, size=n_x, infer_shape=False,
                                element_shape=tf.TensorShape([None, None, 3]))
        for first in tf.range(0, n_x, batch_size):
            tf.autograph.experimental.set_loop_options(parallel_iterations=1)
            ix = tf.range(first, tf.minimum(first + batch_size, n_x))
            cols = tf.gather(starts_x, ix)[:, None] + tf.range(tile_w)[None, :]
            crops = tf.gather(band, cols, axis=1)                # [h, B, w, 3]
            sr = upscale(tf.transpose(crops, [1, 0, 2, 3]))      # [B, s*h, s*w, 3]
            y0 = (lo_y[iy] - starts_y[iy]) * scale
            y1 = (hi_y[iy] - starts_y[iy]) * scale
            for k in tf.range(tf.size(ix)):
                j = ix[k]
                x0 = (lo_x[j] - starts_x[j]) * scale
                x1 = (hi_x[j] - starts_x[j]) * scale
                pieces = pieces.write(j, tf.transpose(sr[k, y0:y1, x0:x1], [1, 0, 2]))
        rows = rows.write(iy, tf.transpose(pieces.concat(), [1, 0, 2]))
    return rows.concat()[:out_h, :out_w]


def _dihedral(image: tf.Tensor, k: tf.Tensor) -> tf.Tensor:
    """Element ``k`` (0..7) of the dihedral group: optional left-right flip, then rot90 k%4."""
    flipped = tf.cond(k >= 4, lambda: tf.image.flip_left_right(image), lambda: image)
    return tf.image.rot90(flipped, k % 4)


def _dihedral_inverse(image: tf.Tensor, k: tf.Tensor) -> tf.Tensor:
    """Undo :func:`_dihedral` ``k``."""
    rotated = tf.image.rot90(image, (4 - k % 4) % 4)
    return tf.cond(k >= 4, lambda: tf.image.flip_left_right(rotated), lambda: rotated)


def self_ensemble(upscale_one: Callable[[tf.Tensor], tf.Tensor], image: tf.Tensor,
                  scale: int) -> tf.Tensor:
    """Geometric self-ensemble (x8): average over flips/rot90 of the input, each undone on output.

    A loop, not eight copies, so a traced graph holds the upscaler once.
    """
    shape = tf.shape(image)
    total = tf.zeros(tf.stack([shape[0] * scale, shape[1] * scale, 3]))
    for k in tf.range(8):
        tf.autograph.experimental.set_loop_options(parallel_iterations=1)
        total += _dihedral_inverse(upscale_one(_dihedral(image, k)), k)
    return total / 8.0


class TiledUpscaler(tf.Module):
    """The options (tile size, overlap, self-ensemble) and the uint8 / float API around a traced
    :meth:`upscale_float_graph`, which subclasses supply.

    ``upscaler(image_uint8)`` returns the uint8 SR image; :meth:`upscale_float` the float one.
    """

    def __init__(self, scale: int, tile_size: int = DEFAULT_TILE, overlap: int = DEFAULT_OVERLAP,
                 ensemble: bool = False):
        super().__init__(name="upscaler")
        self.scale = scale
        self.tile_size = tile_size
        self.overlap = overlap
        self.ensemble = ensemble

    def upscale_float_graph(self, image: tf.Tensor, tile_size: tf.Tensor, overlap: tf.Tensor,
                            ensemble: tf.Tensor) -> tf.Tensor:
        """Float [H, W, 3] in [0, 255] -> float SR in [0, 255], tiled with the given options."""
        raise NotImplementedError

    def upscale_float(self, image: tf.Tensor, ensemble: bool | None = None,
                      tile_size: int | None = None, overlap: int | None = None) -> tf.Tensor:
        """Float SR in [0, 255] of an LR image ``[H, W, 3]`` (uint8 or float in [0, 255]).

        Options left as ``None`` take the upscaler's defaults.
        """
        return self.upscale_float_graph(
            tf.cast(image, tf.float32),
            tf.constant(self.tile_size if tile_size is None else tile_size, tf.int32),
            tf.constant(self.overlap if overlap is None else overlap, tf.int32),
            tf.constant(self.ensemble if ensemble is None else ensemble))

    def __call__(self, image: tf.Tensor, ensemble: bool | None = None,
                 tile_size: int | None = None, overlap: int | None = None) -> tf.Tensor:
        """uint8 SR image of an LR image ``[H, W, 3]``."""
        return to_uint8(self.upscale_float(image, ensemble, tile_size, overlap))


class Upscaler(TiledUpscaler):
    """A generator (or any :class:`BatchUpscaler`) with this module's tiling and self-ensemble,
    as one traced function per option set.

    Used by predict, eval, validation during training, and export.
    """

    def __init__(self, model: keras.Model | BatchUpscaler, scale: int,
                 tile_size: int = DEFAULT_TILE, overlap: int = DEFAULT_OVERLAP,
                 batch_size: int = 4, ensemble: bool = False):
        super().__init__(scale, tile_size, overlap, ensemble)
        batch = model if isinstance(model, BatchUpscaler) else BatchUpscaler.of_model(model, scale)
        if batch.scale != scale:
            raise ValueError(f"the model upscales x{batch.scale}, not x{scale}")
        self.model = model
        self.batch_size = batch_size
        self.multiple, self.pad = batch.multiple, batch.pad
        check_tiling(tile_size, overlap, self.multiple)
        self._upscale_batch = batch.fn

    def _run(self, image: tf.Tensor, tile_size: tf.Tensor, overlap: tf.Tensor,
             ensemble: tf.Tensor) -> tf.Tensor:
        def one(x: tf.Tensor) -> tf.Tensor:
            return tiled_upscale(self._upscale_batch, x, self.scale, tile_size, overlap,
                                 self.batch_size, self.multiple, self.pad)
        return tf.cond(tf.cast(ensemble, tf.bool),
                       lambda: self_ensemble(one, image, self.scale), lambda: one(image))

    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32),
                                  tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([], tf.bool)], reduce_retracing=True)
    def upscale_float_graph(self, image, tile_size, overlap, ensemble):
        """Traced tiled upscale: float [H, W, 3] in [0, 255] -> float SR in [0, 255].

        Traced once per Upscaler; every caller (predict, eval, each export signature) calls it.
        """
        return self._run(image, tile_size, overlap, ensemble)


def whole_image_upscale(model: keras.Model, scale: int, image: tf.Tensor) -> tf.Tensor:
    """Untiled reference: float SR in [0, 255] of one LR image (memory grows with the image)."""
    return model_upscaler(model, scale)(tf.cast(image, tf.float32)[None])[0]
