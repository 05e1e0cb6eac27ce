"""PyTorch weights into our Keras generators, with the architecture detected from the state dict.

Each architecture package (:data:`sr_tf.archs.ARCHITECTURES`, as spandrel has for PyTorch) says
whether a state dict is its architecture, with which hyper-parameters and scale (``detect``), and
maps every official key naming to our layer names (``normalise``). :mod:`sr_tf.weights.core`
does the conversion.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import keras
import numpy as np
from absl import logging

from sr_tf import archs
from sr_tf.archs.spec import Architecture, Detected
from sr_tf.torch_files import CheckpointError, load_state_dict
from sr_tf.errors import WeightImportError
from sr_tf.weights.core import assign_state

TORCH_SUFFIXES = (".pth", ".pt", ".ckpt", ".safetensors")


def _names() -> str:
    return ", ".join(a.name for a in archs.ARCHITECTURES)


def detect_architecture(state: dict[str, np.ndarray], source: str = "state dict") -> Detected:
    """The architecture, hyper-parameters and scale of a state dict, or a clear error."""
    for arch in archs.ARCHITECTURES:
        found = arch.detect(state)
        if found is not None:
            return found
    raise WeightImportError(f"{source}: unknown architecture (tried {_names()}); first keys: "
                            f"{sorted(state)[:6]}. Pass --model=NAME to import it by name.")


def _architecture(name: str) -> Architecture:
    arch = archs.find(name)
    if arch is None:
        raise WeightImportError(f"no PyTorch importer for {name!r} ({_names()})")
    return arch


def import_weights(model: keras.Model, state: dict[str, np.ndarray], name: str,
                   source: str = "state dict") -> keras.Model:
    """Copy an (unwrapped) PyTorch state dict of architecture ``name`` into ``model``."""
    try:
        assign_state(model, _architecture(name).normalise(state))
    except WeightImportError as err:
        hint = ""
        try:
            found = detect_architecture(state)
            hint = f" The file looks like: {found.description}."
        except WeightImportError:
            pass
        raise WeightImportError(f"{source}: {err}.{hint}") from None
    return model


def is_torch_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a PyTorch checkpoint we read (by suffix)."""
    return Path(path).suffix in TORCH_SUFFIXES


def detect_file(path: str | os.PathLike, quiet: bool = False) -> Detected | None:
    """:func:`detect_architecture` of a checkpoint file; ``quiet``: None when unrecognised."""
    try:
        return detect_architecture(load_state_dict(path), str(path))
    except WeightImportError:
        if quiet:
            return None
        raise


def load_keras_file(path: str | os.PathLike) -> keras.Model:
    """A model saved by ``model.save``, loaded in Keras safe mode (no Python code such as a
    ``Lambda`` layer's); what Keras refuses or cannot read is one error naming the file. Keras
    stores the archive's members uncompressed, so members declaring more than 16x the file's
    size (a zip bomb) are refused before Keras reads them."""
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as err:
        raise CheckpointError(f"{path}: not a .keras file ({err})") from err
    if declared > 16 * os.path.getsize(path):
        raise CheckpointError(f"{path}: its members declare {declared} bytes, more than 16x "
                              "the file (a zip bomb?)")
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as err:
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:400]
        raise CheckpointError(f"{path}: Keras cannot load this model ({reason})") from err


def load_generator(path: str | os.PathLike, name: str | None = None, scale: int | None = None,
                   **kwargs) -> keras.Model:
    """A generator from a ``.keras`` file, or from PyTorch weights (``.pth``/``.safetensors``).

    For PyTorch weights, ``name=None`` detects the architecture, its hyper-parameters and scale
    from the file; with ``name`` the model is built from ``name``, ``scale`` and ``kwargs``, and
    every key must fit it. A ``.keras`` file is loaded to compute in float32 (:func:`as_float32`),
    whatever precision it was trained in.
    """
    from sr_tf.models import build_generator

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: model file not found (train first, or pass --weights)")
    if path.suffix == ".keras":
        return as_float32(load_keras_file(path))
    if not is_torch_file(path):
        raise WeightImportError(f"{path}: unknown weights format (.keras, "
                                f"{', '.join(TORCH_SUFFIXES)})")
    state = load_state_dict(path)
    if name is None:
        found = detect_architecture(state, str(path))
        logging.info("%s: detected %s", path, found.description)
        name, scale, kwargs = found.name, found.scale or scale, {**found.kwargs, **kwargs}
    return import_weights(build_generator(name, scale, **kwargs), state, name, str(path))


def as_float32(model: keras.Model) -> keras.Model:
    """``model`` computing in float32 (itself when every layer already does).

    A generator saved under ``mixed_bfloat16`` reloads with that policy in every layer, so it
    would silently infer in bfloat16; it is rebuilt from its config with float32 policies and
    given its weights (kept in float32 under mixed precision, so nothing is lost).
    """
    if all(layer.dtype_policy.name == "float32" for layer in model.layers):
        return model
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")     # sublayers built without a dtype
    try:
        clone = keras.saving.deserialize_keras_object(
            _float32_policies(keras.saving.serialize_keras_object(model)))
    finally:
        keras.mixed_precision.set_global_policy(policy)
    clone.set_weights(model.get_weights())
    return clone


def _float32_policies(config):
    """A serialized Keras object with every dtype policy in it made ``float32``."""
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy":
            return {**config, "config": {**config["config"], "name": "float32"}}
        return {key: _float32_policies(value) for key, value in config.items()}
    if isinstance(config, list):
        return [_float32_policies(value) for value in config]
    return config


__all__ = ["CheckpointError", "Detected", "WeightImportError", "as_float32",
           "detect_architecture", "detect_file", "import_weights", "is_torch_file",
           "load_generator", "load_keras_file", "load_state_dict"]
