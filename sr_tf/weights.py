"""Import PyTorch state dicts (``.pth`` via torch, ``.safetensors`` without) into our models.

Supported key layouts: VDSR (pytorch-vdsr), EDSR (EDSR-PyTorch), RRDB (ESRGAN and Real-ESRGAN /
BasicSR). Our Keras layers carry the PyTorch module names, so a key ``a.b.weight`` lands on layer
``a.b``. Conv kernels go OIHW -> HWIO; channels are permuted around PixelShuffle/PixelUnshuffle,
whose channel order differs from ``depth_to_space``/``space_to_depth``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import keras
import numpy as np

# ESRGAN (xinntao/ESRGAN) names -> Real-ESRGAN/BasicSR names, which our RRDB uses.
_ESRGAN_RENAMES = [
    (re.compile(r"^RRDB_trunk\.(\d+)\.RDB(\d)\."), r"body.\1.rdb\2."),
    (re.compile(r"^trunk_conv\."), "conv_body."),
    (re.compile(r"^upconv(\d)\."), r"conv_up\1."),
    (re.compile(r"^HRconv\."), "conv_hr."),
]
_WRAPPER_KEYS = ("params_ema", "params", "state_dict", "model")
_IGNORED = re.compile(r"^(sub_mean|add_mean)\.")


class WeightImportError(ValueError):
    """The state dict does not fit the model; the message lists what is missing or left over."""


def load_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a PyTorch state dict from ``.safetensors`` (no torch needed) or ``.pth``/``.pt``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: weights file not found")
    if path.suffix == ".safetensors":
        from safetensors.numpy import load_file
        state = load_file(str(path))
    else:
        try:
            import torch
        except ImportError as err:
            raise WeightImportError(
                f"{path}: reading .pth needs PyTorch (pip install torch), or convert it to "
                ".safetensors first") from err
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    for key in _WRAPPER_KEYS:
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    return {k.removeprefix("module."): np.asarray(v.numpy() if hasattr(v, "numpy") else v)
            for k, v in state.items()}


def _normalise_keys(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {}
    for key, value in state.items():
        for pattern, repl in _ESRGAN_RENAMES:
            key = pattern.sub(repl, key)
        if not _IGNORED.match(key):
            out[key] = value
    return out


def _shuffle_permutation(channels: int, r: int) -> np.ndarray:
    """perm[k * C + c] = c * r^2 + k: TF ``depth_to_space`` order from PyTorch PixelShuffle order."""
    c, k = np.meshgrid(np.arange(channels), np.arange(r * r))
    return (c * r * r + k).reshape(-1)


def _convert(value: np.ndarray, out_shuffle: int, in_unshuffle: int) -> np.ndarray:
    """PyTorch layout -> Keras layout for one weight tensor."""
    if value.ndim == 4:                       # conv OIHW -> HWIO
        value = value.transpose(2, 3, 1, 0)
        if in_unshuffle:
            value = value[:, :, _shuffle_permutation(value.shape[2] // in_unshuffle**2, in_unshuffle)]
    elif value.ndim == 2:                     # linear (out, in) -> (in, out)
        value = value.T
    if out_shuffle:
        perm = _shuffle_permutation(value.shape[-1] // out_shuffle**2, out_shuffle)
        value = value[..., perm]
    return value


def import_torch_weights(model: keras.Model, state: dict[str, np.ndarray],
                         pixel_shuffle: dict[str, int] | None = None,
                         pixel_unshuffle: dict[str, int] | None = None) -> None:
    """Copy a PyTorch state dict into ``model``; every weight must be matched both ways.

    ``pixel_shuffle`` maps layer names whose outputs feed a PixelShuffle(r) to r;
    ``pixel_unshuffle`` maps layer names whose inputs come from PixelUnshuffle(r) to r.
    """
    pixel_shuffle = pixel_shuffle or {}
    pixel_unshuffle = pixel_unshuffle or {}
    state = _normalise_keys(state)
    used: set[str] = set()
    missing: list[str] = []
    for layer in model.layers:
        if not layer.weights:
            continue
        values = []
        for var, attr in zip(layer.weights, _attr_names(layer)):
            key = f"{layer.name}.{attr}"
            if key not in state:
                missing.append(key)
                continue
            value = _convert(state[key], pixel_shuffle.get(layer.name, 0),
                             pixel_unshuffle.get(layer.name, 0))
            if tuple(value.shape) != tuple(var.shape):
                raise WeightImportError(
                    f"{key}: shape {tuple(state[key].shape)} does not fit layer {layer.name} "
                    f"{tuple(var.shape)} (wrong architecture size or scale?)")
            values.append(value)
            used.add(key)
        if len(values) == len(layer.weights):
            layer.set_weights(values)
    unexpected = sorted(set(state) - used)
    if missing or unexpected:
        raise WeightImportError(
            f"state dict does not match {model.name}: missing {missing[:8]}"
            f"{' ...' if len(missing) > 8 else ''}, unexpected {unexpected[:8]}"
            f"{' ...' if len(unexpected) > 8 else ''}")


def _attr_names(layer: keras.layers.Layer) -> list[str]:
    """PyTorch attribute names for a layer's weights, in Keras' weight order."""
    return ["weight", "bias"][:len(layer.weights)]


def import_weights(model: keras.Model, path: str | os.PathLike, architecture: str,
                   scale: int) -> keras.Model:
    """Load a PyTorch checkpoint for ``architecture`` (vdsr, edsr, rrdb) into ``model``."""
    state = load_state_dict(path)
    shuffle: dict[str, int] = {}
    unshuffle: dict[str, int] = {}
    if architecture == "edsr":
        stages = [2, 2] if scale == 4 else [scale]
        shuffle = {f"tail.0.{2 * k}": r for k, r in enumerate(stages)}
    elif architecture == "rrdb" and scale == 2:
        unshuffle = {"conv_first": 2}
    elif architecture not in ("vdsr", "rrdb"):
        raise WeightImportError(f"no PyTorch importer for {architecture!r} (vdsr, edsr, rrdb)")
    try:
        import_torch_weights(model, state, shuffle, unshuffle)
    except WeightImportError as err:
        raise WeightImportError(f"{path}: {err}") from None
    return model


def load_generator(path: str | os.PathLike, name: str, scale: int, **kwargs) -> keras.Model:
    """A generator from a ``.keras`` file, or architecture ``name`` with PyTorch weights imported."""
    from sr_tf.models import build_generator

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: model file not found (train first, or pass --weights)")
    if path.suffix == ".keras":
        return keras.saving.load_model(path, compile=False)
    return import_weights(build_generator(name, scale, **kwargs), path, name, scale)
