"""SavedModel export for TF Serving: tiled upscaling of images of any size.

Signatures (all tile/ensemble work happens inside the graph):
- ``serving_default``: ``image`` uint8 [H, W, 3] -> ``image`` uint8 [sH, sW, 3] (default options).
- ``upscale_with_options``: also ``tile_size`` int32, ``overlap`` int32, ``self_ensemble`` bool.
- ``upscale_bytes``: ``image_bytes`` encoded PNG/JPEG -> ``image_bytes`` PNG. Names end in
  ``_bytes``, so TF Serving's REST API takes and returns them base64-encoded.
- ``upscale_bytes_with_options``: the same with the three options.
TF Serving requires every input of a signature, so the options live in their own signatures and
the plain ones use the defaults given at export time.

The export is written to ``export_dir/<version>/`` atomically (:mod:`sr_tf.export.versions`), so
TF Serving (which loads numeric version folders) never sees a partial model.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import tensorflow as tf

from sr_tf.export.versions import write_version
from sr_tf.image_io import decode_image, to_uint8
from sr_tf.inference import Upscaler

_IMAGE = tf.TensorSpec([None, None, 3], tf.uint8, name="image")
_BYTES = tf.TensorSpec([], tf.string, name="image_bytes")
_TILE = tf.TensorSpec([], tf.int32, name="tile_size")
_OVERLAP = tf.TensorSpec([], tf.int32, name="overlap")
_ENSEMBLE = tf.TensorSpec([], tf.bool, name="self_ensemble")


class ServingModule(tf.Module):
    """The exported object: an :class:`Upscaler` and its serving functions."""

    def __init__(self, upscaler: Upscaler):
        super().__init__(name="sr_tf_serving")
        self.upscaler = upscaler
        self.scale = tf.constant(upscaler.scale, name="scale")

    def _upscale(self, image, tile_size, overlap, ensemble) -> tf.Tensor:
        return to_uint8(self.upscaler.upscale_float_graph(tf.cast(image, tf.float32), tile_size,
                                                          overlap, ensemble))

    def _defaults(self):
        u = self.upscaler
        return tf.constant(u.tile_size), tf.constant(u.overlap), tf.constant(u.ensemble)

    @tf.function(input_signature=[_IMAGE])
    def serve(self, image):
        return {"image": self._upscale(image, *self._defaults())}

    @tf.function(input_signature=[_IMAGE, _TILE, _OVERLAP, _ENSEMBLE])
    def serve_with_options(self, image, tile_size, overlap, self_ensemble):
        return {"image": self._upscale(image, tile_size, overlap, self_ensemble)}

    @tf.function(input_signature=[_BYTES])
    def serve_bytes(self, image_bytes):
        return {"image_bytes": tf.io.encode_png(
            self._upscale(decode_image(image_bytes), *self._defaults()))}

    @tf.function(input_signature=[_BYTES, _TILE, _OVERLAP, _ENSEMBLE])
    def serve_bytes_with_options(self, image_bytes, tile_size, overlap, self_ensemble):
        return {"image_bytes": tf.io.encode_png(
            self._upscale(decode_image(image_bytes), tile_size, overlap, self_ensemble))}


def export_saved_model(model: keras.Model, scale: int, export_dir: str | os.PathLike,
                       version: int | None = None, tile_size: int = 512, overlap: int = 32,
                       batch_size: int = 4, self_ensemble: bool = False) -> Path:
    """Write ``export_dir/<version>/`` atomically; returns that path."""
    module = ServingModule(Upscaler(model, scale, tile_size, overlap, batch_size, self_ensemble))
    signatures = {
        "serving_default": module.serve,
        "upscale_with_options": module.serve_with_options,
        "upscale_bytes": module.serve_bytes,
        "upscale_bytes_with_options": module.serve_bytes_with_options,
    }
    return write_version(
        export_dir, lambda folder: tf.saved_model.save(module, str(folder), signatures=signatures),
        version)
