"""PyTorch state-dict import against PyTorch's own definitions, key schemes and clear errors.

The layout checks compare our import with a numpy re-implementation of PyTorch's documented
semantics (NCHW convolution with OIHW kernels, ``nn.PixelShuffle``, ``nn.PixelUnshuffle``), not
with our own export: a wrong transposition or channel permutation fails them.
"""

import keras
import numpy as np
import pytest
from keras import layers, ops
from safetensors.numpy import save_file

from sr_tf.models import build_generator
from sr_tf.torch_files import CheckpointError, load_state_dict
from sr_tf.weights import (WeightImportError, detect_architecture, import_weights, load_generator)
from sr_tf.weights.core import assign_state


def torch_conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``nn.Conv2d(padding=k//2)`` on NCHW ``x`` with an OIHW ``weight``."""
    k = weight.shape[-1]
    pad = k // 2
    padded = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    h, w = x.shape[2:]
    windows = np.stack([padded[:, :, i:i + h, j:j + w] for i in range(k) for j in range(k)], -1)
    return np.einsum("nchwk,ock->nohw", windows, weight.reshape(*weight.shape[:2], -1)) \
        + bias[None, :, None, None]


def torch_pixel_shuffle(x: np.ndarray, r: int) -> np.ndarray:
    """``nn.PixelShuffle(r)`` on NCHW: channel c*r*r + i*r + j -> pixel (h*r + i, w*r + j)."""
    n, cr, h, w = x.shape
    x = x.reshape(n, cr // (r * r), r, r, h, w).transpose(0, 1, 4, 2, 5, 3)
    return x.reshape(n, cr // (r * r), h * r, w * r)


def torch_pixel_unshuffle(x: np.ndarray, r: int) -> np.ndarray:
    """``nn.PixelUnshuffle(r)`` on NCHW: the inverse of :func:`torch_pixel_shuffle`."""
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // r, r, w // r, r).transpose(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * r * r, h // r, w // r)


def _shuffle_model(r: int) -> keras.Model:
    """pixel_unshuffle(r) -> conv -> pixel_shuffle(r), with PyTorch-style layer names."""
    image = keras.Input((None, None, 3))
    x = layers.Conv2D(5 * r * r, 3, padding="same", name="conv_in")(ops.space_to_depth(image, r))
    x = layers.Conv2D(4 * r * r, 3, padding="same", name="conv_out")(x)
    return keras.Model(image, ops.depth_to_space(x, r))


@pytest.mark.parametrize("r", [2, 3])
def test_import_matches_pytorch_conv_and_pixel_shuffle_definitions(r, rng):
    state = {"conv_in.weight": rng.normal(size=(5 * r * r, 3 * r * r, 3, 3)),
             "conv_in.bias": rng.normal(size=5 * r * r),
             "conv_out.weight": rng.normal(size=(4 * r * r, 5 * r * r, 3, 3)),
             "conv_out.bias": rng.normal(size=4 * r * r)}
    state = {k: v.astype("float32") for k, v in state.items()}
    model = _shuffle_model(r)
    assign_state(model, state)
    x = rng.uniform(size=(1, 3, 4 * r, 5 * r)).astype("float32")             # NCHW
    y = torch_conv2d(torch_pixel_unshuffle(x, r), state["conv_in.weight"], state["conv_in.bias"])
    y = torch_pixel_shuffle(torch_conv2d(y, state["conv_out.weight"], state["conv_out.bias"]), r)
    ours = model.predict(x.transpose(0, 2, 3, 1), verbose=0).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(ours, y, atol=1e-3)


def edsr_x4_state(rng, f: int = 8) -> dict[str, np.ndarray]:
    """A random 1-block EDSR x4 state dict with EDSR-PyTorch names and layouts (no mean shift)."""
    shapes = {"head.0": (f, 3), "body.0.body.0": (f, f), "body.0.body.2": (f, f),
              "body.1": (f, f), "tail.0.0": (4 * f, f), "tail.0.2": (4 * f, f), "tail.1": (3, f)}
    state = {}
    for name, (out, inp) in shapes.items():
        state[f"{name}.weight"] = rng.normal(0, 0.2, (out, inp, 3, 3)).astype("float32")
        state[f"{name}.bias"] = rng.normal(0, 0.2, out).astype("float32")
    return state


def test_edsr_x4_import_matches_a_pytorch_forward(tmp_path, rng):
    """A 1-block EDSR x4 (EDSR-PyTorch names) against a numpy forward in PyTorch conventions."""
    f = 8
    state = edsr_x4_state(rng, f)
    save_file(state, str(tmp_path / "edsr.safetensors"))
    model = load_generator(tmp_path / "edsr.safetensors", "edsr", 4, num_blocks=1, filters=f,
                           rgb_range=255.0)
    lr = rng.uniform(size=(1, 3, 5, 6)).astype("float32")
    mean = np.array([0.4488, 0.4371, 0.4040], "float32")[None, :, None, None] * 255
    conv = lambda x, n: torch_conv2d(x, state[f"{n}.weight"], state[f"{n}.bias"])
    head = conv(lr * 255 - mean, "head.0")
    x = head + conv(np.maximum(conv(head, "body.0.body.0"), 0), "body.0.body.2")
    x = conv(x, "body.1") + head
    x = torch_pixel_shuffle(conv(torch_pixel_shuffle(conv(x, "tail.0.0"), 2), "tail.0.2"), 2)
    expected = (conv(x, "tail.1") + mean) / 255
    ours = model.predict(lr.transpose(0, 2, 3, 1), verbose=0).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(ours, expected, atol=1e-4)
    assert detect_architecture(state).kwargs["num_blocks"] == 1


def test_init_from_starts_training_from_pytorch_weights(tmp_path, rng):
    from sr_tf.train_loop import init_generator
    save_file(edsr_x4_state(rng), str(tmp_path / "edsr.safetensors"))
    kwargs = {"num_blocks": 1, "filters": 8, "rgb_range": 255.0}
    generator = build_generator("edsr", 4, **kwargs)
    ema = keras.models.clone_model(generator)
    init_generator(generator, ema, str(tmp_path / "edsr.safetensors"), "edsr")
    reference = load_generator(tmp_path / "edsr.safetensors", "edsr", 4, **kwargs)
    for ours, ema_w, theirs in zip(generator.get_weights(), ema.get_weights(),
                                   reference.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(ema_w, theirs)


def test_rrdb_esrgan_and_real_esrgan_key_names_agree(tmp_path, rng):
    state = {f"{layer.name}.{attr}": rng.normal(0, 0.1, var.shape[::-1] if var.ndim != 4 else
                                                (var.shape[3], var.shape[2], 3, 3))
             .astype("float32")
             for layer in build_generator("rrdb", 4, num_blocks=1).layers
             for var, attr in zip(layer.weights, ("weight", "bias"))}
    old = {}
    for key, value in state.items():       # xinntao/ESRGAN naming of the same weights
        key = key.replace("conv_body", "trunk_conv").replace("conv_up", "upconv").replace(
            "conv_hr", "HRconv")
        if key.startswith("body."):
            _, block, rdb, rest = key.split(".", 3)
            key = f"RRDB_trunk.{block}.RDB{rdb[-1]}.{rest}"
        old[key] = value
    x = rng.uniform(0, 1, (1, 6, 7, 3)).astype("float32")
    outputs = [import_weights(build_generator("rrdb", 4, num_blocks=1), sd, "rrdb")
               .predict(x, verbose=0) for sd in (state, old)]
    np.testing.assert_array_equal(outputs[0], outputs[1])
    assert detect_architecture(old).kwargs == {"num_blocks": 1, "filters": 64, "growth": 32}


def _vdsr_state(depth=4, filters=64):
    model = build_generator("vdsr", 2, depth=depth, filters=filters)
    return {f"{l.name}.weight": np.zeros(l.weights[0].shape[::-1], "float32")
            for l in model.layers if l.weights}


def test_mismatched_state_dict_names_every_problem(tmp_path):
    state = _vdsr_state()
    del state["output.weight"]
    state["extra.weight"] = np.zeros(3, "float32")
    save_file(state, str(tmp_path / "bad.safetensors"))
    with pytest.raises(WeightImportError, match=r"bad.safetensors.*missing \[output.weight\].*"
                                                r"unexpected \[extra.weight\]"):
        load_generator(tmp_path / "bad.safetensors", "vdsr", 2, depth=4)
    save_file(_vdsr_state(filters=32), str(tmp_path / "wide.safetensors"))
    with pytest.raises(WeightImportError, match=r"shape mismatch \[input.weight \(32, 1, 3, 3\)"
                                                r".*looks like: VDSR.*32 filters"):
        load_generator(tmp_path / "wide.safetensors", "vdsr", 2, depth=4)


def test_unknown_architecture_lists_what_was_tried(tmp_path):
    save_file({"encoder.weight": np.zeros((2, 2), "float32")}, str(tmp_path / "x.safetensors"))
    with pytest.raises(WeightImportError, match=r"unknown architecture \(tried swinir, hat, rrdb"):
        load_generator(tmp_path / "x.safetensors")


def test_unreadable_or_missing_files_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_generator(tmp_path / "none.pth", "vdsr", 2)
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="junk.pth: not a readable PyTorch checkpoint"):
        load_state_dict(tmp_path / "junk.pth")
