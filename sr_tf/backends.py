"""LiteRT and ONNX Runtime as batch upscalers (:class:`~sr_tf.inference.BatchUpscaler`).

An exported ``.tflite`` / ``.onnx`` file maps uint8 ``[N, H, W, 3]`` to uint8 ``[N, sH, sW, 3]``
(:mod:`sr_tf.export.portable`). Wrapped here, it is called from inside the traced tiling loop of
:mod:`sr_tf.inference` (through ``tf.numpy_function``), so predict and eval run an exported file
with exactly the tiling and self-ensemble a Keras model gets. Tiles are rounded to uint8 before
the file sees them and its uint8 output is what gets stitched, as in an app.

LiteRT runs with its default XNNPACK delegate; onnxruntime with its CPU provider. Both use all
the cores this process may run on unless ``threads`` is given.
"""

from __future__ import annotations

import os
from typing import Callable

import numpy as np
import tensorflow as tf
from absl import logging

from sr_tf.errors import UserError
from sr_tf.export.portable import METADATA_KEY, decode_metadata
from sr_tf.image_io import to_uint8
from sr_tf.inference import BatchUpscaler, UpscaleFn

BACKENDS = ("tf", "litert", "onnx")


def default_threads() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


class LiteRTRunner:
    """A LiteRT interpreter run one tile at a time; the input is resized (and the plan rebuilt)
    only when the tile size changes, which the balanced tiles of one image rarely do.

    Where the XNNPACK delegate cannot prepare the graph (it lacks some int8 kernels), the file
    runs on LiteRT's builtin kernels instead, with a warning: slower, same results.
    """

    def __init__(self, model: bytes, source: str, threads: int | None = None):
        self._model, self._source = model, source
        self._threads = threads or default_threads()
        self._interpreter = self._open(xnnpack=True)
        inputs = self._interpreter.get_input_details()
        found = [(i["dtype"].__name__, [int(d) for d in i["shape_signature"]]) for i in inputs]
        if found != [("uint8", [-1, -1, -1, 3])]:
            raise UserError(f"{source}: expected one uint8 input [N, H, W, 3] of any size (an "
                            f"sr_tf export), found {found}")
        self._input = inputs[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape: tuple[int, ...] | None = None

    def _open(self, xnnpack: bool):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
        resolver = OpResolverType.AUTO if xnnpack else \
            OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        return Interpreter(model_content=self._model, num_threads=self._threads,
                           experimental_op_resolver_type=resolver)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return np.stack([self._one(tile[None]) for tile in batch])

    def _one(self, tile: np.ndarray) -> np.ndarray:
        if tile.shape != self._shape:
            self._interpreter.resize_tensor_input(self._input, tile.shape)
            try:
                self._interpreter.allocate_tensors()
            except RuntimeError as err:
                if "XNNPACK" not in str(err):
                    raise
                logging.warning("%s: XNNPACK cannot run this graph (%s); using LiteRT's builtin "
                                "kernels", self._source, str(err).splitlines()[0][:200])
                self._interpreter = self._open(xnnpack=False)
                self._interpreter.resize_tensor_input(self._input, tile.shape)
                self._interpreter.allocate_tensors()
            self._shape = tile.shape
        self._interpreter.set_tensor(self._input, tile)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output)[0]


class OnnxRunner:
    """An onnxruntime CPU session; dynamic shapes need no re-planning."""

    def __init__(self, model: bytes, threads: int | None = None):
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self._input = self.session.get_inputs()[0].name

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self._input: batch})[0]


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
