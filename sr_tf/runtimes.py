"""LiteRT and ONNX Runtime sessions over an exported file's bytes: uint8 ``[N, H, W, 3]`` in,
uint8 ``[N, sH, sW, 3]`` out. LiteRT runs with its default XNNPACK delegate, onnxruntime with its
CPU provider; both use all the cores this process may run on unless ``threads`` is given.

The one home of the runtimes: :mod:`sr_tf.backends` wraps them as batch upscalers for predict
and eval, and :func:`sr_tf.export.litert.check_int8` runs a fresh int8 file with them. This
module imports nothing from either, so exports never import the backends that score them.
"""

from __future__ import annotations

import os

import numpy as np
from absl import logging

from sr_tf.errors import UserError


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
