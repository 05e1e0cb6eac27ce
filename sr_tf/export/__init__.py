"""Exports, each written atomically to a new version folder ``<export_dir>/<version>/``.

- ``saved_model``: TF Serving, tiling and self-ensemble inside the graph (:mod:`.saved_model`).
- ``litert``: ``<architecture>_x<scale>[_fp16|_int8].tflite`` (:mod:`.litert`).
- ``onnx``: ``<architecture>_x<scale>.onnx`` (:mod:`.onnx_model`).
LiteRT and ONNX files take and return uint8 RGB with any batch, height and width, and carry their
scale and size multiple as metadata (:mod:`.portable`); :mod:`sr_tf.artifacts` runs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras

from sr_tf.export.calibration import Calibration, calibration_patches
from sr_tf.export.portable import FORMATS, QUANTIZATIONS, ExportError, metadata
from sr_tf.export.saved_model import ServingModule, export_saved_model
from sr_tf.export.versions import next_version, write_version

SUFFIXES = {"litert": ".tflite", "onnx": ".onnx"}


def file_name(architecture: str, scale: int, fmt: str, quantize: str = "none") -> str:
    """``edsr_x4_int8.tflite``, ``edsr_x4.onnx``."""
    suffix = "" if quantize == "none" else f"_{quantize}"
    return f"{architecture}_x{scale}{suffix}{SUFFIXES[fmt]}"


def export_file(model: keras.Model, scale: int, export_dir: str | os.PathLike, fmt: str,
                architecture: str, quantize: str = "none",
                calibration: Calibration | None = None, version: int | None = None,
                per_channel: bool = True) -> Path:
    """Convert ``model`` to ``fmt`` (``litert`` or ``onnx``) and write it to a new version folder.

    Conversion runs first, so a model that cannot be exported leaves nothing behind (nor does an
    int8 file that strays from the float model: :func:`.litert.check_int8`). Returns the written
    file's path.
    """
    if fmt not in SUFFIXES:
        raise ExportError(f"unknown file format {fmt!r}; choose from {', '.join(SUFFIXES)}")
    if fmt == "onnx" and quantize != "none":
        raise ExportError("ONNX exports are float32; --quantize applies to --format=litert")
    try:
        from sr_tf.export import litert, onnx_model
    except ImportError as err:
        raise ExportError(f"{fmt} export needs the deploy extra: pip install 'sr-tf[deploy]' "
                          f"({err})") from None
    described = calibration.describe() if quantize == "int8" and calibration else None
    if fmt == "litert":
        patches = calibration.patches if calibration else None
        data = litert.convert(model, scale, quantize, patches, per_channel)
        if quantize == "int8":
            described["psnr_vs_float_db"] = litert.check_int8(data, model, scale, patches)
        data = litert.with_metadata(
            data, metadata(model, scale, architecture, fmt, quantize, described))
    else:
        data = onnx_model.convert(model, scale, metadata(model, scale, architecture, fmt))
    name = file_name(architecture, scale, fmt, quantize)

    def write(folder: Path) -> None:
        folder.mkdir()
        (folder / name).write_bytes(data)

    return write_version(export_dir, write, version) / name


__all__ = ["FORMATS", "QUANTIZATIONS", "SUFFIXES", "Calibration", "ExportError", "ServingModule",
           "calibration_patches", "export_file", "export_saved_model", "file_name",
           "next_version", "write_version"]
