"""Read PyTorch checkpoints without PyTorch: ``.pth``/``.pt`` (zip or legacy) and ``.safetensors``.

A ``.pth`` file is a pickle whose tensors point at raw storages. The zip format (``torch.save``
since 1.6) keeps each storage as an archive member ``<root>/data/<key>``; the legacy format
(older releases such as IMDN's) writes the storages after the pickle, each as an int64 element
count followed by the raw bytes. A restricted unpickler rebuilds tensors as numpy arrays and
refuses every other global, so a checkpoint cannot run code the way ``torch.load`` with
``weights_only=False`` can.
"""

from __future__ import annotations

import collections
import os
import pickle
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import ml_dtypes
import numpy as np

from sr_tf.errors import UserError

_STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "BFloat16Storage": ml_dtypes.bfloat16, "LongStorage": np.int64, "IntStorage": np.int32,
    "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8,
    "BoolStorage": np.bool_, "UntypedStorage": np.uint8,
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
# Wrappers of released checkpoints, most specific first (Real-ESRGAN ships params_ema).
WRAPPER_KEYS = ("params_ema", "params", "state_dict", "model", "net")


class CheckpointError(UserError):
    """A weights file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class _StorageType:
    dtype: type


class _Storage:
    """A storage whose bytes may arrive after the pickle (legacy format)."""

    def __init__(self, dtype: type):
        self.dtype = np.dtype(dtype)
        self.data: np.ndarray | None = None


@dataclass
class _LazyTensor:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def materialise(self) -> np.ndarray:
        flat = self.storage.data
        if not self.shape:
            return np.array(flat[self.offset])
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset:], shape=self.shape,
            strides=[s * flat.itemsize for s in self.stride], writeable=False)
        return np.ascontiguousarray(view)


def _rebuild_tensor(storage, offset, shape, stride, *unused):
    return _LazyTensor(storage, int(offset), tuple(shape), tuple(stride))


def _rebuild_parameter(data, *unused):
    return data


class _Unpickler(pickle.Unpickler):
    """Rebuilds tensors and plain containers only; any other global is refused."""

    _ALLOWED = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    }

    def __init__(self, file, path: Path, storages: dict, read_storage=None):
        super().__init__(file)
        self.path = path
        self.storages = storages
        self.read_storage = read_storage

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return self._ALLOWED[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        raise CheckpointError(
            f"{self.path}: refusing to unpickle {module}.{name}: only tensors and plain containers "
            "are read (save the model's state_dict() to load it here)")

    def persistent_load(self, pid):
        kind, storage_type, key = pid[0], pid[1], str(pid[2])
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise CheckpointError(f"{self.path}: unsupported storage reference {pid[:2]}")
        if key not in self.storages:
            storage = _Storage(storage_type.dtype)
            if self.read_storage is not None:
                storage.data = self.read_storage(key, storage.dtype)
            self.storages[key] = storage
        if len(pid) > 5 and pid[5] is not None:             # legacy view into a storage
            raise CheckpointError(f"{self.path}: storage views are not supported")
        return self.storages[key]


def _materialise(obj):
    if isinstance(obj, _LazyTensor):
        return obj.materialise()
    if isinstance(obj, dict):
        return {k: _materialise(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_materialise(v) for v in obj)
    return obj


def _load_zip(path: Path) -> object:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("data.pkl")]
        if not pickles:
            raise CheckpointError(f"{path}: a zip file without data.pkl is not a PyTorch checkpoint")
        root = pickles[0][:-len("data.pkl")]
        order = archive.read(root + "byteorder").decode() if root + "byteorder" in names \
            else "little"

        def read_storage(key: str, dtype: np.dtype) -> np.ndarray:
            raw = archive.read(f"{root}data/{key}")
            return np.frombuffer(raw, dtype.newbyteorder("<" if order == "little" else ">"))

        with archive.open(pickles[0]) as f:
            return _materialise(_Unpickler(f, path, {}, read_storage).load())


def _load_legacy(path: Path) -> object:
    with open(path, "rb") as f:
        if pickle.load(f) != _LEGACY_MAGIC:                 # noqa: S301 (ints only)
            raise CheckpointError(f"{path}: not a PyTorch checkpoint (bad magic number)")
        pickle.load(f)                                      # noqa: S301 protocol version
        info = pickle.load(f)                               # noqa: S301 sys_info dict
        storages: dict[str, _Storage] = {}
        result = _Unpickler(f, path, storages).load()
        keys = pickle.load(f)                               # noqa: S301 list of str
        little = not isinstance(info, dict) or info.get("little_endian", True)
        for key in keys:
            storage = storages[str(key)]
            (count,) = struct.unpack("<q" if little else ">q", f.read(8))
            raw = f.read(count * storage.dtype.itemsize)
            if len(raw) != count * storage.dtype.itemsize:
                raise CheckpointError(f"{path}: truncated file (storage {key})")
            storage.data = np.frombuffer(raw, storage.dtype.newbyteorder("<" if little else ">"))
    return _materialise(result)


def read_pth(path: str | os.PathLike) -> object:
    """The object ``torch.save`` wrote, with tensors as numpy arrays (PyTorch not needed)."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            return _load_zip(path)
        return _load_legacy(path)
    except CheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, struct.error,
            zipfile.BadZipFile, AttributeError, TypeError) as err:
        raise CheckpointError(f"{path}: not a readable PyTorch checkpoint ({err})") from err


def unwrap_state_dict(obj: object, path: str | os.PathLike = "") -> dict[str, np.ndarray]:
    """The tensors of a state dict: released wrappers unwrapped, ``module.`` prefixes removed."""
    while isinstance(obj, dict):
        inner = next((obj[k] for k in WRAPPER_KEYS if isinstance(obj.get(k), dict)), None)
        if inner is None:
            break
        obj = inner
    if not isinstance(obj, dict):
        raise CheckpointError(f"{path}: holds a {type(obj).__name__}, not a state dict")
    state = {str(k).removeprefix("module."): v for k, v in obj.items() if isinstance(v, np.ndarray)}
    if not state:
        raise CheckpointError(f"{path}: no tensors found (keys: {sorted(map(str, obj))[:8]})")
    return {k: v.astype(np.float32) if v.dtype in (np.float16, ml_dtypes.bfloat16) else v
            for k, v in state.items()}


def load_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A PyTorch state dict from ``.safetensors`` or ``.pth``/``.pt``/``.ckpt``, as numpy arrays."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: weights file not found")
    if path.suffix == ".safetensors":
        from safetensors.numpy import load_file
        try:
            return unwrap_state_dict(load_file(str(path)), path)
        except Exception as err:  # safetensors raises its own error types
            if isinstance(err, CheckpointError):
                raise
            raise CheckpointError(f"{path}: not a readable safetensors file ({err})") from err
    return unwrap_state_dict(read_pth(path), path)
