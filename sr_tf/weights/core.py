"""Copy a PyTorch state dict into a Keras model: one generic rule for every architecture.

Our layers carry the PyTorch module paths as names, so each Keras variable has a PyTorch key: its
path ``"a.b/c/kernel"`` becomes ``"a.b.c.weight"``. Values are converted by variable kind: conv
kernels OIHW -> HWIO, linear kernels transposed, everything else reshaped (PReLU, norms, tables).
Channel orders around pixel (un)shuffles, which differ between PyTorch and ``depth_to_space``, are
found in the model graph: a conv feeding ``depth_to_space(r)`` gets its outputs permuted, a conv
fed by ``space_to_depth(r)`` its inputs.
"""

from __future__ import annotations

import keras
import numpy as np

from sr_tf.errors import WeightImportError

# Keras variable name -> PyTorch parameter/buffer name; other names are the same in both.
TORCH_NAMES = {"kernel": "weight", "gamma": "weight", "beta": "bias",
               "moving_mean": "running_mean", "moving_variance": "running_var", "alpha": "weight"}


def torch_key(variable: keras.Variable) -> str:
    """The PyTorch state-dict key of a Keras variable (see the module docstring)."""
    *layers, name = variable.path.split("/")
    return ".".join([*layers, TORCH_NAMES.get(name, name)])


def shuffle_convs(model: keras.Model) -> tuple[dict[str, int], dict[str, int]]:
    """(convs whose output feeds ``depth_to_space(r)``, convs whose input is ``space_to_depth(r)``)."""
    outputs, inputs = {}, {}
    for op in model.operations:
        kind = type(op).__name__
        if kind == "DepthToSpace":
            for node in op._inbound_nodes:
                source = node.input_tensors[0]._keras_history.operation
                if not isinstance(source, keras.layers.Conv2D):
                    raise WeightImportError(f"depth_to_space in {model.name} is not fed by a conv")
                outputs[source.name] = op.block_size
        elif kind == "SpaceToDepth":
            for node in op._outbound_nodes:
                if isinstance(node.operation, keras.layers.Conv2D):
                    inputs[node.operation.name] = op.block_size
    return outputs, inputs


def shuffle_permutation(channels: int, r: int) -> np.ndarray:
    """perm[k * C + c] = c * r^2 + k: TF ``depth_to_space`` order from PyTorch PixelShuffle order."""
    c, k = np.meshgrid(np.arange(channels), np.arange(r * r))
    return (c * r * r + k).reshape(-1)


def to_keras(value: np.ndarray, variable: keras.Variable, out_shuffle: int = 0,
             in_unshuffle: int = 0) -> np.ndarray:
    """One PyTorch tensor in the layout of ``variable`` (shape checked by the caller)."""
    name = variable.path.rsplit("/", 1)[-1]
    if name == "kernel" and value.ndim == 4:          # conv OIHW -> HWIO
        value = value.transpose(2, 3, 1, 0)
        if in_unshuffle:
            r = in_unshuffle
            value = value[:, :, shuffle_permutation(value.shape[2] // r**2, r)]
    elif name == "kernel" and value.ndim == 2:        # linear (out, in) -> (in, out)
        value = value.T
    elif value.size == int(np.prod(variable.shape)):
        value = value.reshape(variable.shape)
    if out_shuffle:
        value = value[..., shuffle_permutation(value.shape[-1] // out_shuffle**2, out_shuffle)]
    return value


def _listing(keys: list[str], limit: int = 8) -> str:
    more = f" ... ({len(keys)} in all)" if len(keys) > limit else ""
    return f"[{', '.join(keys[:limit])}{more}]"


def assign_state(model: keras.Model, state: dict[str, np.ndarray]) -> None:
    """Copy ``state`` (keys already in our layer paths) into ``model``; all keys must match both ways.

    Raises :class:`WeightImportError` listing missing keys, unexpected keys and shape mismatches,
    key by key; the model is left unchanged then.
    """
    shuffled, unshuffled = shuffle_convs(model)
    targets = {torch_key(v): v for v in model.weights}
    missing = sorted(set(targets) - set(state))
    unexpected = sorted(set(state) - set(targets))
    values, mismatched = {}, []
    for key in sorted(set(targets) & set(state)):
        variable = targets[key]
        layer = key.rsplit(".", 1)[0]
        value = to_keras(np.asarray(state[key]), variable, shuffled.get(layer, 0),
                         unshuffled.get(layer, 0))
        if tuple(value.shape) != tuple(variable.shape):
            mismatched.append(f"{key} {tuple(state[key].shape)} vs ours {tuple(variable.shape)}")
        else:
            values[key] = value
    if missing or unexpected or mismatched:
        problems = [f"{name} {_listing(keys)}" for name, keys in
                    (("missing", missing), ("unexpected", unexpected),
                     ("shape mismatch", mismatched)) if keys]
        raise WeightImportError(f"weights do not fit {model.name}: " + "; ".join(problems))
    for key, value in values.items():
        targets[key].assign(value.astype(targets[key].dtype))
