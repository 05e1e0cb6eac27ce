"""Read PyTorch checkpoints without PyTorch: ``.pth``/``.pt`` (zip or legacy) and ``.safetensors``.

A ``.pth`` file is a pickle whose tensors point at raw storages. The zip format (``torch.save``
since 1.6) keeps each storage as an archive member ``<root>/data/<key>``; the legacy format
(older releases such as IMDN's) writes five pickles (magic number, protocol, system info, the
object, the storage keys) and then each storage as an int64 element count and the raw bytes.

A checkpoint is read as data, never run, and a hostile one costs little more than its size:

- Every pickle in the file goes through :func:`_unpickle`: its opcodes are first scanned (only
  those of ints, floats, strings, bytes, tuples, lists, dicts, globals and storage references;
  every counted length and memo index must lie inside the pickle; a file's pickles together
  may hold at most 2 MiB, some 15,000 tensors), then one restricted unpickler admits
  ``OrderedDict``, the tensor and parameter rebuild calls and the storage types, and refuses
  every other global (``os.system``, ...) and any attempt to set their state.
- Storage sizes are checked against the file before anything is read: a zip member must hold
  exactly the bytes its tensors declare, be stored or deflated at most 16x (``torch.save``
  stores them uncompressed) and not be larger than the archive; a legacy storage must fit in
  the bytes left in the file.
- Each tensor is a view into its storage that must lie inside it (offset and strides >= 0, the
  furthest element inside) and hold no more elements than the storage; all distinct views
  together hold at most twice the storages' bytes (a fused weight and its parts; identical
  views, as tied weights are, count once), so a stride-0 view cannot expand a few bytes into
  gigabytes. Containers nest at most 32 deep (a pickle that contains itself is refused) and
  are walked at most once per pickle byte (a "billion laughs" of shared lists is refused).

So reading a file allocates at most three times its storage bytes (the storages and at most
twice as much in tensors; a deflated member may expand 16x) plus the objects its pickles
describe, at most about 40x their size (measured: 168 MiB for a 4 MiB pickle of empty lists,
the worst case we found; so at most about 85 MiB). Any violation is one
:class:`CheckpointError` naming the file and the reason. ``.safetensors`` files are parsed by
the ``safetensors`` library, which checks the header's offsets, shapes and length against the
file itself.
"""

from __future__ import annotations

import collections
import io
import math
import os
import pickle
import pickletools
import struct
import zipfile
import zlib
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

_MAX_PICKLE_BYTES = 2 << 20
_MAX_DEPTH = 32
_MAX_DIMS = 32
_MAX_EXPANSION = 16
_MAX_VIEW_BYTES_PER_STORAGE_BYTE = 2
# The pickle opcodes of plain data, globals and persistent ids: a state dict needs no others
# (no sets, byte arrays, out-of-band buffers, extension codes or object constructors).
_DATA_OPCODES = frozenset({
    "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",
    "NONE", "NEWTRUE", "NEWFALSE", "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1",
    "LONG4", "FLOAT", "BINFLOAT", "STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE",
    "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8",
    "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_LIST", "LIST", "APPEND",
    "APPENDS", "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS",
    "PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE", "GET", "BINGET", "LONG_BINGET",
    "GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "PERSID", "BINPERSID",
})


class CheckpointError(UserError):
    """A weights file that cannot be read; the message names the file and the problem."""


class _Refused(Exception):
    """Why a checkpoint is refused; :func:`read_pth` adds the file name."""


class _Sealed:
    """An object the unpickler hands out: a pickle may not set its state (opcode BUILD)."""

    def __setstate__(self, state):
        raise _Refused("a pickle may not set the state of a tensor, storage or rebuild call")


class _StorageType(_Sealed):
    def __init__(self, dtype: type):
        self.dtype = np.dtype(dtype)


class _Storage(_Sealed):
    """A storage of ``numel`` elements whose bytes may arrive after the pickle (legacy format)."""

    def __init__(self, dtype: np.dtype, numel: int):
        self.dtype, self.numel = dtype, numel
        self.data: np.ndarray | None = None


class _Call(_Sealed):
    """A rebuild function the unpickler admits."""

    def __init__(self, function):
        self.function = function

    def __call__(self, *args):
        return self.function(*args)


_STORAGE_TYPES = {name: _StorageType(dtype) for name, dtype in _STORAGE_DTYPES.items()}


def _is_int(value) -> bool:
    return type(value) is int


class _LazyTensor(_Sealed):
    """A tensor's view into its storage, made an array once the storages are read."""

    def __init__(self, storage, offset, shape, stride):
        if not isinstance(storage, _Storage) or not _is_int(offset):
            raise _Refused("a tensor without a storage and an integer offset")
        if not (isinstance(shape, tuple) and isinstance(stride, tuple)
                and len(shape) == len(stride) <= _MAX_DIMS
                and all(map(_is_int, shape + stride))):
            raise _Refused(f"a tensor with malformed size {str(shape)[:40]} or stride "
                           f"{str(stride)[:40]}")
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride

    @property
    def key(self) -> tuple:
        return id(self.storage), self.offset, self.shape, self.stride

    def view(self) -> np.ndarray:
        """The strided view, refused unless every element lies inside the storage."""
        data = self.storage.data
        if data is None:
            raise _Refused("a tensor whose storage has no bytes in the file")
        if self.offset < 0 or min(self.shape + self.stride, default=0) < 0:
            raise _Refused(f"a tensor view with a negative offset, size or stride "
                           f"({self.offset}, {self.shape}, {self.stride})")
        count = math.prod(self.shape)
        if count == 0:
            return np.zeros(self.shape, data.dtype)
        last = self.offset + sum((d - 1) * s for d, s in zip(self.shape, self.stride))
        if count > data.size or last >= data.size:
            raise _Refused(f"a tensor view (offset {self.offset}, size {self.shape}, stride "
                           f"{self.stride}) reaches beyond its {data.size}-element storage")
        if not self.shape:
            return data[self.offset:self.offset + 1].reshape(())
        strides = [s * data.itemsize if d > 1 else 0 for d, s in zip(self.shape, self.stride)]
        return np.lib.stride_tricks.as_strided(data[self.offset:], self.shape, strides,
                                               writeable=False)


def _rebuild_tensor(storage, offset, shape, stride, *unused) -> _LazyTensor:
    return _LazyTensor(storage, offset, shape, stride)


def _rebuild_parameter(data, *unused):
    return data


class _Unpickler(pickle.Unpickler):
    """Rebuilds tensors and plain containers only; any other global is refused."""

    _ALLOWED = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor"): _Call(_rebuild_tensor),
        ("torch._utils", "_rebuild_tensor_v2"): _Call(_rebuild_tensor),
        ("torch._utils", "_rebuild_parameter"): _Call(_rebuild_parameter),
        ("torch._utils", "_rebuild_parameter_with_state"): _Call(_rebuild_parameter),
    }

    def __init__(self, file, storages: dict, read_storage=None):
        super().__init__(file)
        self.storages = storages
        self.read_storage = read_storage

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return self._ALLOWED[(module, name)]
        if module == "torch" and name in _STORAGE_TYPES:
            return _STORAGE_TYPES[name]
        raise _Refused(f"refusing to unpickle {module}.{name}: only tensors and plain containers "
                       "are read (save the model's state_dict() to load it here)")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)
                and _is_int(pid[4]) and pid[4] >= 0):
            raise _Refused(f"unsupported storage reference {str(pid)[:80]}")
        if len(pid) > 5 and pid[5] is not None:             # legacy view into a storage
            raise _Refused("storage views are not supported")
        dtype, key, numel = pid[1].dtype, pid[2], pid[4]
        storage = self.storages.get(key)
        if storage is None:
            storage = self.storages[key] = _Storage(dtype, numel)
            if self.read_storage is not None:
                storage.data = self.read_storage(key, storage)
        elif (storage.dtype, storage.numel) != (dtype, numel):
            raise _Refused(f"storage {key} is declared twice with different types or sizes")
        return storage


def _pickle_length(data: bytes, limit: int) -> int:
    """The length of the pickle at the start of ``data`` (read up to ``limit`` bytes), refused
    unless it is plain data."""
    stream = io.BytesIO(data)
    try:
        for opcode, arg, _ in pickletools.genops(stream):
            if opcode.name not in _DATA_OPCODES:
                raise _Refused(f"pickle opcode {opcode.name} is not used by state dicts")
            if opcode.name == "FRAME" and arg > len(data) - stream.tell():
                raise _Refused("a pickle frame longer than the file")
            if opcode.name in ("PUT", "BINPUT", "LONG_BINPUT") and arg > len(data):
                raise _Refused("a pickle memo index beyond the pickle's size")
            if opcode.name == "STOP":
                return stream.tell()
    except ValueError as err:                               # a truncated or malformed pickle
        if len(data) >= limit:
            raise _Refused(f"its pickles exceed {_MAX_PICKLE_BYTES >> 20} MiB") from None
        raise _Refused(f"not a readable PyTorch checkpoint (malformed pickle: {err})") from None
    raise AssertionError("genops stops only at STOP")


def _unpickle(data: bytes, limit: int, storages: dict | None = None,
              read_storage=None) -> tuple[object, int]:
    """The object pickled at the start of ``data`` (checked first) and the pickle's length."""
    length = _pickle_length(data, limit)
    stream = io.BytesIO(data[:length])
    return _Unpickler(stream, {} if storages is None else storages, read_storage).load(), length


class _Materialiser:
    """Containers with their tensors made arrays, within the bytes the storages hold.

    A walk visits each container once per path to it; a pickle of ``n`` bytes describes at most
    ``n`` of them as a tree, so more visits mean containers shared to multiply the walk ("billion
    laughs"), which no state dict does. Containers without tensors are returned as they are.
    """

    def __init__(self, storages: dict[str, _Storage], pickle_bytes: int):
        self.bytes_left = _MAX_VIEW_BYTES_PER_STORAGE_BYTE * sum(
            s.data.nbytes for s in storages.values() if s.data is not None)
        self.visits_left = pickle_bytes
        self.tensors: dict[tuple, np.ndarray] = {}

    def __call__(self, obj, depth: int = 0):
        if depth > _MAX_DEPTH:
            raise _Refused(f"containers nested more than {_MAX_DEPTH} deep (or containing "
                           "themselves)")
        if isinstance(obj, _LazyTensor):
            return self._tensor(obj)
        if not isinstance(obj, (dict, list, tuple)):
            return obj
        self.visits_left -= 1
        if self.visits_left < 0:
            raise _Refused("containers shared more often than the pickle's size allows")
        values = obj.values() if isinstance(obj, dict) else obj
        made = [self(v, depth + 1) for v in values]
        if all(new is old for new, old in zip(made, values)):
            return obj
        return dict(zip(obj, made)) if isinstance(obj, dict) else type(obj)(made)

    def _tensor(self, tensor: _LazyTensor) -> np.ndarray:
        if tensor.key not in self.tensors:
            view = tensor.view()
            if view.nbytes > self.bytes_left:
                raise _Refused("its tensors hold more than twice the bytes of its storages "
                               "(overlapping or expanded views)")
            self.bytes_left -= view.nbytes
            self.tensors[tensor.key] = view if view.flags.c_contiguous else view.copy()
        return self.tensors[tensor.key]


def _elements(raw: bytes, dtype: np.dtype, little: bool) -> np.ndarray:
    """Storage bytes as elements in the machine's byte order."""
    return np.frombuffer(raw, dtype.newbyteorder("<" if little else ">")).astype(dtype, copy=False)


def _read_member(archive: zipfile.ZipFile, name: str, limit: int, archive_size: int) -> bytes:
    """Member ``name`` of at most ``limit`` bytes, its declared sizes checked before reading."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise _Refused(f"archive member {name} is missing") from None
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(f"archive member {name} is compressed with method {info.compress_type} "
                       "(torch.save stores members)")
    if info.compress_size > archive_size or info.file_size > _MAX_EXPANSION * max(
            info.compress_size, 1):
        raise _Refused(f"archive member {name} declares {info.file_size} bytes from "
                       f"{info.compress_size} compressed (a zip bomb?)")
    if info.file_size > limit:
        raise _Refused(f"archive member {name} holds {info.file_size} bytes, more than the "
                       f"{limit} expected")
    with archive.open(info) as member:
        raw = member.read(info.file_size)
    if len(raw) != info.file_size:
        raise _Refused(f"archive member {name} is truncated")
    return raw


def _load_zip(path: Path) -> object:
    archive_size = path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("data.pkl")]
        if not pickles:
            raise _Refused("a zip file without data.pkl is not a PyTorch checkpoint")
        root = pickles[0][:-len("data.pkl")]
        order = "little"
        if root + "byteorder" in names:
            order = _read_member(archive, root + "byteorder", 16, archive_size).decode()
            if order not in ("little", "big"):
                raise _Refused(f"unknown byte order {order[:16]!r}")

        def read_storage(key: str, storage: _Storage) -> np.ndarray:
            name, size = f"{root}data/{key}", storage.numel * storage.dtype.itemsize
            raw = _read_member(archive, name, size, archive_size)
            if len(raw) != size:
                raise _Refused(f"storage {key} holds {len(raw)} bytes, its tensors declare {size}")
            return _elements(raw, storage.dtype, order == "little")

        data = _read_member(archive, pickles[0], _MAX_PICKLE_BYTES, archive_size)
        storages: dict[str, _Storage] = {}
        result, length = _unpickle(data, _MAX_PICKLE_BYTES + 1, storages, read_storage)
    return _Materialiser(storages, length)(result)


def _load_legacy(path: Path) -> object:
    with open(path, "rb") as f:
        file_size = os.fstat(f.fileno()).st_size

        pickle_bytes_left = _MAX_PICKLE_BYTES                # for the five pickles together

        def next_pickle(storages: dict | None = None) -> tuple[object, int]:
            nonlocal pickle_bytes_left
            start = f.tell()
            obj, length = _unpickle(f.read(pickle_bytes_left), pickle_bytes_left, storages)
            pickle_bytes_left -= length
            f.seek(start + length)
            return obj, length

        magic, _ = next_pickle()
        if not _is_int(magic) or magic != _LEGACY_MAGIC:
            raise _Refused("not a PyTorch checkpoint (bad magic number)")
        next_pickle()                                       # protocol version
        info, _ = next_pickle()                             # sys_info dict
        storages: dict[str, _Storage] = {}
        result, length = next_pickle(storages)
        keys, _ = next_pickle()
        if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)
                and len(set(keys)) == len(keys)):
            raise _Refused("the storage list is not a list of distinct keys")
        little = not isinstance(info, dict) or info.get("little_endian", True) is not False
        for key in keys:
            if key not in storages:
                raise _Refused(f"storage {key} is listed but no tensor uses it")
            storage = storages[key]
            head = f.read(8)
            if len(head) != 8:
                raise _Refused(f"truncated file (storage {key})")
            (count,) = struct.unpack("<q" if little else ">q", head)
            size = count * storage.dtype.itemsize
            if count != storage.numel:
                raise _Refused(f"storage {key} holds {count} elements, its tensors declare "
                               f"{storage.numel}")
            if size > file_size - f.tell():
                raise _Refused(f"storage {key} declares {size} bytes but the file has "
                               f"{file_size - f.tell()} left")
            storage.data = _elements(f.read(size), storage.dtype, little)
    return _Materialiser(storages, length)(result)


def read_pth(path: str | os.PathLike) -> object:
    """The object ``torch.save`` wrote, with tensors as numpy arrays (PyTorch not needed)."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            return _load_zip(path)
        return _load_legacy(path)
    except _Refused as err:
        raise CheckpointError(f"{path}: {err}") from None
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, struct.error, IndexError,
            OverflowError, zipfile.BadZipFile, zlib.error, AttributeError, TypeError,
            NotImplementedError, RuntimeError, OSError) as err:   # zipfile: method, password, seek
        reason = " ".join(str(err).split())[:200]
        raise CheckpointError(f"{path}: not a readable PyTorch checkpoint ({reason})") from err


def unwrap_state_dict(obj: object, path: str | os.PathLike = "") -> dict[str, np.ndarray]:
    """The tensors of a state dict: released wrappers unwrapped, ``module.`` prefixes removed."""
    while isinstance(obj, dict):
        inner = next((obj[k] for k in WRAPPER_KEYS if isinstance(obj.get(k), dict)), None)
        if inner is None:
            break
        obj = inner
    if not isinstance(obj, dict):
        raise CheckpointError(f"{path}: holds a {type(obj).__name__}, not a state dict")
    state = {k.removeprefix("module."): v for k, v in obj.items()
             if isinstance(k, str) and isinstance(v, np.ndarray)}      # names are strings
    if not state:
        names = sorted(k[:40] for k in obj if isinstance(k, str))[:8]
        raise CheckpointError(f"{path}: no tensors found (keys: {names})")
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
