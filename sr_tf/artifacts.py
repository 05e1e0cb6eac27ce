"""Any ``--weights`` as a tiled upscaler, on a chosen backend, so users score the file they ship.

- ``.keras`` / ``.pth`` / ``.safetensors``: backend ``tf`` (default) runs the Keras model;
  ``litert`` / ``onnx`` convert it in memory to a float32 file first.
- a SavedModel folder (or its export folder: the newest version): ``tf``, through the tiling
  graph saved inside it, as TF Serving runs it.
- ``.tflite``: ``litert``, the LiteRT interpreter (XNNPACK).
- ``.onnx``: ``onnx``, onnxruntime (CPU).

Every upscaler here has the interface of :class:`sr_tf.inference.Upscaler`, and all but the
SavedModel run under its tiling and self-ensemble.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from sr_tf.errors import UserError
from sr_tf.export.portable import metadata
from sr_tf.inference import DEFAULT_OVERLAP, DEFAULT_TILE, TiledUpscaler, Upscaler

KINDS = {".tflite": "litert", ".onnx": "onnx"}


def artifact_kind(path: str | os.PathLike) -> str | None:
    """``saved_model``, ``litert`` or ``onnx`` for an exported artifact; None for a generator
    file (``.keras`` or PyTorch weights)."""
    path = Path(path)
    if path.is_dir():
        return "saved_model"
    return KINDS.get(path.suffix.lower())


def saved_model_dir(path: str | os.PathLike) -> Path:
    """The SavedModel folder of ``path``: itself, or the newest numeric version inside it."""
    path = Path(path)
    if (path / "saved_model.pb").is_file():
        return path
    versions = sorted((p for p in path.glob("*") if p.name.isdigit()
                       and (p / "saved_model.pb").is_file()), key=lambda p: int(p.name))
    if not versions:
        raise UserError(f"{path}: not a SavedModel (no saved_model.pb) nor an export folder "
                        f"with numeric versions")
    return versions[-1]


class SavedModelUpscaler(TiledUpscaler):
    """An exported SavedModel, run through the tiling graph saved inside it."""

    def __init__(self, path: str | os.PathLike, tile_size: int = DEFAULT_TILE,
                 overlap: int = DEFAULT_OVERLAP, ensemble: bool = False):
        self.path = saved_model_dir(path)
        loaded = tf.saved_model.load(str(self.path))
        if not hasattr(loaded, "upscaler"):
            raise UserError(f"{self.path}: not an sr_tf SavedModel export")
        self._loaded = loaded
        probe = self.upscale_float_graph(tf.zeros([8, 8, 3]), 8, 0, False)   # the scale
        super().__init__(int(probe.shape[0]) // 8, tile_size, overlap, ensemble)

    def upscale_float_graph(self, image, tile_size, overlap, ensemble):
        return self._loaded.upscaler.upscale_float_graph(image, tile_size, overlap, ensemble)


def _backend_error(path: Path, kind: str, backend: str) -> UserError:
    runs_on = "tf" if kind == "saved_model" else kind
    return UserError(f"{path}: a {kind} export runs on --backend={runs_on}, not {backend} "
                     f"(export the Keras model to {backend} instead)")


def open_artifact(path: str | os.PathLike, backend: str | None = None,
                  tile_size: int = DEFAULT_TILE, overlap: int = DEFAULT_OVERLAP,
                  batch_size: int = 4, ensemble: bool = False, threads: int | None = None
                  ) -> tuple[TiledUpscaler, dict]:
    """An exported artifact as an upscaler, and its metadata (``scale``, ``format``, ...)."""
    from sr_tf.backends import litert_upscaler, onnx_upscaler
    path = Path(path)
    kind = artifact_kind(path)
    if kind is None:
        raise UserError(f"{path}: not an exported artifact (SavedModel folder, .tflite, .onnx)")
    if backend not in (None, "tf" if kind == "saved_model" else kind):
        raise _backend_error(path, kind, backend)
    if kind == "saved_model":
        upscaler = SavedModelUpscaler(path, tile_size, overlap, ensemble)
        return upscaler, {"format": "saved_model", "scale": upscaler.scale}
    if not path.is_file():
        raise FileNotFoundError(f"{path}: model file not found")
    opener = litert_upscaler if kind == "litert" else onnx_upscaler
    batch, meta = opener(path.read_bytes(), str(path), threads)
    return Upscaler(batch, batch.scale, tile_size, overlap, batch_size, ensemble), meta


def generator_upscaler(model: keras.Model, scale: int, backend: str = "tf",
                       architecture: str = "model", tile_size: int = DEFAULT_TILE,
                       overlap: int = DEFAULT_OVERLAP, batch_size: int = 4,
                       ensemble: bool = False, threads: int | None = None) -> TiledUpscaler:
    """A Keras generator on ``backend``: as it is (``tf``), or converted in memory to a float32
    LiteRT or ONNX model first (faster on many CPUs)."""
    from sr_tf.backends import BACKENDS, litert_upscaler, onnx_upscaler
    if backend == "tf":
        return Upscaler(model, scale, tile_size, overlap, batch_size, ensemble)
    if backend not in BACKENDS:
        raise UserError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    meta = metadata(model, scale, architecture, backend)
    if backend == "litert":
        from sr_tf.export import litert
        batch, _ = litert_upscaler(litert.with_metadata(litert.convert(model, scale), meta),
                                   f"{architecture} (LiteRT, in memory)", threads)
    else:
        from sr_tf.export import onnx_model
        batch, _ = onnx_upscaler(onnx_model.convert(model, scale, meta),
                                 f"{architecture} (ONNX, in memory)", threads)
    return Upscaler(batch, scale, tile_size, overlap, batch_size, ensemble)


def compare_with_keras(upscaler: TiledUpscaler, model: keras.Model, scale: int,
                       images: list[np.ndarray]) -> dict:
    """Max difference (in 1/255) and PSNR (dB) of ``upscaler`` against the Keras model, both
    tiled alike, over ``images`` (uint8 ``[H, W, 3]``, e.g. two sizes to check dynamic shapes)."""
    reference = Upscaler(model, scale, upscaler.tile_size, upscaler.overlap)
    worst, squared, count = 0, 0.0, 0
    for image in images:
        ours = upscaler(image).numpy().astype(np.int32)
        theirs = reference(image).numpy().astype(np.int32)
        worst = max(worst, int(np.abs(ours - theirs).max()))
        squared += float(np.sum((ours - theirs) ** 2))
        count += ours.size
    mse = squared / count
    return {"max_diff": worst, "psnr_db": float("inf") if mse == 0 else
            float(10 * np.log10(255.0 ** 2 / mse))}
