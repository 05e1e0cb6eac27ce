"""LiteRT (``.tflite``) conversion: float32, float16 weights, or int8 post-training quantization.

Every file has dynamic batch, height and width (the runtime resizes the input tensor) and uint8
RGB input and output (:mod:`sr_tf.export.portable`); int8 files are fully integer, with input and
output scale 1/255 and zero point 0 (the uint8 values are the pixels, the real values the
model's [0, 1] range), so all three variants have the same interface. Only LiteRT
builtin ops are allowed (no TF Select / Flex), so the file runs on the plain LiteRT runtime of a
phone; a model using an op without a builtin kernel stops with an :class:`ExportError` naming it.
Metadata (scale, size multiple, quantization, calibration) is stored in the file's ``sr_tf``
metadata entry.
"""

from __future__ import annotations

import re
import warnings
from typing import Iterable

import flatbuffers
import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema
from tensorflow.lite.python.convert_phase import ConverterError

from sr_tf.export.portable import (METADATA_KEY, QUANTIZATIONS, ExportError, blocked,
                                   encode_metadata, pinned_unit_function, uint8_function)

_LAYER = re.compile(r"^[^/]+/([^/]+)/")     # "functional_1/<layer>/op" -> layer


def convert(model: keras.Model, scale: int, quantize: str = "none",
            calibration: Iterable[np.ndarray] | None = None, per_channel: bool = True) -> bytes:
    """The ``.tflite`` bytes of ``model`` (without metadata; see :func:`with_metadata`).

    ``quantize``: ``none`` (float32), ``fp16`` (float16 weights, computed in float32 where the
    hardware has no float16) or ``int8`` (weights and activations; ``calibration`` yields uint8
    LR patches ``[h, w, 3]``). ``per_channel=False`` quantizes int8 weights per tensor.
    """
    if quantize not in QUANTIZATIONS:
        raise ExportError(f"unknown quantization {quantize!r}; choose from "
                          f"{', '.join(QUANTIZATIONS)}")
    if quantize == "int8":
        if calibration is None:
            raise ExportError("int8 quantization needs calibration images")
        function = pinned_unit_function(model, scale)
    else:
        function = uint8_function(model, scale)
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [function.get_concrete_function()], model)
    # Freeze the weights into the file. Lowering through a SavedModel (the default when a
    # trackable object is given) keeps Keras 3 weights as uninitialised resource variables.
    converter.experimental_lower_to_saved_model = False
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize == "fp16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        patches = [np.asarray(p, np.float32)[None] / 255.0 for p in calibration]
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([p] for p in patches)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.uint8
        converter._experimental_disable_per_channel = not per_channel
    try:
        with warnings.catch_warnings():
            # The pinned ranges of pinned_unit_function are the input statistics it asks for.
            warnings.filterwarnings("ignore", "Statistics for quantized inputs")
            return converter.convert()
    except ConverterError as err:
        raise _blocked_error(err) from None
    except RuntimeError as err:     # int8 calibration runs the float graph in the interpreter
        if quantize != "int8":
            raise
        raise ExportError(f"cannot export to litert int8: calibration cannot run the float "
                          f"graph ({str(err).strip().splitlines()[-1][:200]})") from None


INT8_MIN_PSNR = 25.0    # dB from float on the calibration patches; working files measure 33-60


def check_int8(tflite: bytes, model: keras.Model, scale: int, patches: list[np.ndarray]) -> float:
    """PSNR (dB) of an int8 file against the float model on (up to 16) calibration patches.

    Raises :class:`ExportError` below ``INT8_MIN_PSNR``: a graph can quantize into garbage rather
    than into noise (SRVGG's did, at 12 dB, when quantized in [0, 255]; see
    :func:`~sr_tf.export.portable.pinned_unit_function`), and no file is better than a wrong one.
    """
    from sr_tf.runtimes import LiteRTRunner
    from sr_tf.image_io import to_uint8
    from sr_tf.inference import whole_image_upscale
    runner = LiteRTRunner(tflite, "int8 file")
    squared = []
    for patch in patches[:16]:
        reference = to_uint8(whole_image_upscale(model, scale, patch)).numpy().astype(float)
        squared.append(np.mean((runner(patch[None])[0].astype(float) - reference) ** 2))
    psnr = float(10 * np.log10(255.0 ** 2 / max(float(np.mean(squared)), 1e-10)))
    if psnr < INT8_MIN_PSNR:
        raise ExportError(f"cannot export to litert int8: the quantized graph is {psnr:.1f} dB "
                          f"from the float model on the calibration patches (below "
                          f"{INT8_MIN_PSNR:.0f} dB); use --quantize=fp16")
    return psnr


def _blocked_error(err: ConverterError) -> ExportError:
    """An :class:`ExportError` naming the ops (and layers) LiteRT has no builtin kernel for."""
    ops, layers = [], []
    for item in getattr(err, "errors", []):
        if not item.operator.name:
            continue
        first_line = item.error_message.splitlines()[0] if item.error_message else ""
        if "neither a custom op" not in first_line:
            ops.append(f"{item.operator.name}: {first_line}")
        elif "f64" in item.error_message:       # LiteRT has almost no float64 kernels
            ops.append(f"float64 {item.operator.name}")
        else:
            ops.append(item.operator.name)
        for call in item.location.call:
            found = _LAYER.match(call.name or "")
            if found:
                layers.append(found.group(1))
    if not ops:
        lines = [line for line in str(err).splitlines() if line.strip()]
        return ExportError(f"cannot export to litert: {lines[0] if lines else type(err).__name__}")
    detail = f"in layer {', '.join(dict.fromkeys(layers))}" if layers else ""
    return blocked("litert", sorted(ops), detail)


def with_metadata(tflite: bytes, meta: dict) -> bytes:
    """``tflite`` with ``meta`` stored as its ``sr_tf`` metadata entry."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(encode_metadata(meta), np.uint8)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_KEY
    entry.buffer = len(model.buffers) - 1
    model.metadata = (model.metadata or []) + [entry]
    builder = flatbuffers.Builder(len(tflite) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def read_metadata(tflite: bytes) -> bytes | None:
    """The raw ``sr_tf`` metadata entry of a ``.tflite`` file, or None."""
    model = schema.Model.GetRootAs(tflite, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == METADATA_KEY.encode():
            return model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
    return None


def gpu_incompatible_ops(tflite: bytes) -> list[str]:
    """Why LiteRT's GPU delegate would not take this file: one line per offending op, empty
    when nothing is found.

    Two sources: the report of ``tf.lite.experimental.Analyzer.analyze(gpu_compatibility=True)``
    (its ``GPU COMPATIBILITY WARNING`` lines), and a check of tensor ranks, because the GPU
    delegate holds tensors as at most 4-D (BHWC) and TF 2.21's analyzer accepts graphs it should
    refuse (measured: a 6-D pixel-shuffle TRANSPOSE and TOPK_V2, both "compatible").
    """
    import contextlib
    import io

    from ai_edge_litert.interpreter import Interpreter
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        tf.lite.experimental.Analyzer.analyze(model_content=tflite, gpu_compatibility=True)
    offending, op = [], None
    for line in report.getvalue().splitlines():
        found = re.match(r"\s*Op#\d+ (\w+)\(", line)
        if found:
            op = found.group(1)
        elif line.startswith("GPU COMPATIBILITY WARNING") and op is not None:
            offending.append(f"{op}: {line.split('WARNING:', 1)[-1].strip()}")
    interpreter = Interpreter(model_content=tflite)
    ranks = {t["index"]: len(t["shape_signature"]) for t in interpreter.get_tensor_details()}
    for node in interpreter._get_ops_details():
        rank = max(ranks.get(int(i), 0) for i in [*node["inputs"], *node["outputs"]])
        if rank > 4:
            offending.append(f"{node['op_name']}: {rank}-D tensor (GPU delegate: at most 4-D)")
    return list(dict.fromkeys(offending))


__all__ = ["ExportError", "convert", "gpu_incompatible_ops", "read_metadata", "with_metadata"]
