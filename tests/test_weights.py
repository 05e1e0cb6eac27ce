"""PyTorch state-dict import: layouts, PixelShuffle channel order, key schemes, clear errors."""

import numpy as np
import pytest
import tensorflow as tf
from safetensors.numpy import save_file

from sr_tf.models import build_generator
from sr_tf.weights import (WeightImportError, _shuffle_permutation, import_weights,
                           load_generator)


def torch_pixel_shuffle(x: np.ndarray, r: int) -> np.ndarray:
    """PyTorch's definition on NHWC data: channel c*r*r + i*r + j -> pixel (h*r+i, w*r+j)."""
    n, h, w, cr = x.shape
    c = cr // (r * r)
    x = x.reshape(n, h, w, c, r, r).transpose(0, 1, 4, 2, 5, 3)
    return x.reshape(n, h * r, w * r, c)


@pytest.mark.parametrize("r", [2, 3])
def test_shuffle_permutation_maps_torch_order_to_depth_to_space(r, rng):
    x = rng.normal(size=(1, 3, 4, 5 * r * r)).astype("float32")
    ours = tf.nn.depth_to_space(x[..., _shuffle_permutation(5, r)], r).numpy()
    np.testing.assert_array_equal(ours, torch_pixel_shuffle(x, r))


def to_torch_state(model) -> dict[str, np.ndarray]:
    """Inverse of the importer for a model without pixel shuffles: HWIO -> OIHW."""
    state = {}
    for layer in model.layers:
        for var, attr in zip(layer.weights, ("weight", "bias")):
            value = var.numpy()
            value = value.transpose(3, 2, 0, 1) if value.ndim == 4 else value
            state[f"{layer.name}.{attr}"] = np.ascontiguousarray(value)   # safetensors ignores strides
    return state


def test_vdsr_safetensors_round_trip(tmp_path, rng):
    source = build_generator("vdsr", 2, depth=4)
    path = tmp_path / "vdsr.safetensors"
    save_file(to_torch_state(source), str(path))
    target = load_generator(path, "vdsr", 2, depth=4)
    x = rng.uniform(0, 1, (1, 9, 9, 1)).astype("float32")
    np.testing.assert_allclose(target.predict(x, verbose=0), source.predict(x, verbose=0), atol=1e-6)


def test_rrdb_esrgan_and_real_esrgan_key_names(tmp_path, rng):
    source = build_generator("rrdb", 4, num_blocks=2)
    state = to_torch_state(source)
    old = {}
    for key, value in state.items():       # xinntao/ESRGAN naming
        key = key.replace("conv_body", "trunk_conv").replace("conv_up", "upconv").replace(
            "conv_hr", "HRconv")
        if key.startswith("body."):
            _, block, rdb, rest = key.split(".", 3)
            key = f"RRDB_trunk.{block}.RDB{rdb[-1]}.{rest}"
        old[key] = value
    x = rng.uniform(0, 1, (1, 6, 7, 3)).astype("float32")
    for i, sd in enumerate([state, old]):       # Real-ESRGAN names, then ESRGAN names
        path = tmp_path / f"rrdb{i}.safetensors"
        save_file(sd, str(path))
        target = import_weights(build_generator("rrdb", 4, num_blocks=2), path, "rrdb", 4)
        np.testing.assert_allclose(target.predict(x, verbose=0), source.predict(x, verbose=0),
                                   atol=1e-5)


def test_edsr_import_applies_pixel_shuffle_order(tmp_path, rng):
    source = build_generator("edsr", 4, num_blocks=1, rgb_range=255.0)
    state = to_torch_state(source)
    for name in ("tail.0.0", "tail.0.2"):   # our depth_to_space order -> PyTorch PixelShuffle order
        inverse = np.argsort(_shuffle_permutation(64, 2))
        state[f"{name}.weight"] = np.ascontiguousarray(state[f"{name}.weight"][inverse])
        state[f"{name}.bias"] = np.ascontiguousarray(state[f"{name}.bias"][inverse])
    state["sub_mean.weight"] = np.eye(3, dtype="float32")[..., None, None]   # ignored
    path = tmp_path / "edsr.safetensors"
    save_file(state, str(path))
    target = import_weights(build_generator("edsr", 4, num_blocks=1, rgb_range=255.0), path,
                            "edsr", 4)
    x = rng.uniform(0, 1, (1, 5, 6, 3)).astype("float32")
    np.testing.assert_allclose(target.predict(x, verbose=0), source.predict(x, verbose=0),
                               atol=1e-4)


def test_mismatched_state_dict_names_the_problem(tmp_path):
    source = build_generator("vdsr", 2, depth=4)
    state = to_torch_state(source)
    del state["output.weight"]
    state["extra.weight"] = np.zeros(3, "float32")
    path = tmp_path / "bad.safetensors"
    save_file(state, str(path))
    with pytest.raises(WeightImportError, match=r"bad.safetensors.*missing \['output.weight'\].*"
                                                r"unexpected \['extra.weight'\]"):
        load_generator(path, "vdsr", 2, depth=4)
    with pytest.raises(WeightImportError, match="shape"):
        load_generator(_wrong_width(tmp_path), "vdsr", 2, depth=4)


def _wrong_width(tmp_path):
    path = tmp_path / "wide.safetensors"
    save_file(to_torch_state(build_generator("vdsr", 2, depth=4, filters=32)), str(path))
    return path


def test_pth_without_torch_or_missing_file_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_generator(tmp_path / "none.pth", "vdsr", 2)
