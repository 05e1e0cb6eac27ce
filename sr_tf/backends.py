"""LiteRT and ONNX Runtime as batch upscalers (:class:`~sr_tf.inference.BatchUpscaler`).

An exported ``.tflite`` / ``.onnx`` file maps uint8 ``[N, H, W, 3]`` to uint8 ``[N, sH, sW, 3]``
(:mod:`sr_tf.export.portable`). Wrapped here, it is called from inside the traced tiling loop of
:mod:`sr_tf.inference` (through ``tf.numpy_function``), so predict and eval run an exported file
with exactly the tiling and self-ensemble a Keras model gets. Tiles are rounded to uint8 before
the file sees them and its uint8 output is what gets stitched, as in an app.

The runtimes themselves (LiteRT with its default XNNPACK delegate, onnxruntime with its CPU
provider) live in :mod:`sr_tf.runtimes`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

from sr_tf.errors import UserError
from sr_tf.export.portable import METADATA_KEY, decode_metadata
from sr_tf.image_io import to_uint8
from sr_tf.inference import BatchUpscaler, UpscaleFn
from sr_tf.runtimes import LiteRTRunner, OnnxRunner

BACKENDS = ("tf", "litert", "onnx")


def runner_upscale(runner: Callable[[np.ndarray], np.ndarray]) -> UpscaleFn:
    """A tiling batch function (float [0, 255] in and out) that calls a uint8 runner."""
    def upscale(lr: tf.Tensor) -> tf.Tensor:
        out = tf.numpy_function(runner, [to_uint8(lr)], tf.uint8, stateful=True)
        return tf.cast(tf.ensure_shape(out, [None, None, None, 3]), tf.float32)
    return upscale


def litert_upscaler(model: bytes, source: str, threads: int | None = None
                    ) -> tuple[BatchUpscaler, dict]:
    """A ``.tflite`` export (its bytes) as a batch upscaler, and its metadata."""
    from sr_tf.export.litert import read_metadata
    raw = read_metadata(model)
    if raw is None:
        raise UserError(f"{source}: no {METADATA_KEY} metadata; export the model with "
                        f"--mode=export --format=litert")
    meta = decode_metadata(raw, source)
    runner = LiteRTRunner(model, source, threads)
    return BatchUpscaler(runner_upscale(runner), int(meta["scale"]), int(meta["multiple"])), meta


def onnx_upscaler(model: bytes, source: str, threads: int | None = None
                  ) -> tuple[BatchUpscaler, dict]:
    """An ``.onnx`` export (its bytes) as a batch upscaler, and its metadata."""
    runner = OnnxRunner(model, threads)
    raw = runner.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    if raw is None:
        raise UserError(f"{source}: no {METADATA_KEY} metadata; export the model with "
                        f"--mode=export --format=onnx")
    meta = decode_metadata(raw, source)
    return BatchUpscaler(runner_upscale(runner), int(meta["scale"]), int(meta["multiple"])), meta
