"""IMDN and SRVGGNetCompact: detection, .keras round trip, any input size, mixed precision, tiling
at the configs' overlaps, training steps, export. Official parity: tests/test_official_parity.py."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import imdn as imdn_config
from configs import srvgg as srvgg_config
from conftest import SHARED, run_python
from sr_tf.export import export_saved_model
from sr_tf.inference import Upscaler, whole_image_upscale
from sr_tf.models import build_generator
from sr_tf.torch_files import load_state_dict
from sr_tf.trainers import PixelLossWeights, SRTrainer
from sr_tf.weights import detect_architecture, import_weights
from sr_tf.weights import imdn as imdn_weights
from sr_tf.weights import srvgg as srvgg_weights
from sr_tf.weights.core import torch_key

OFFICIAL = SHARED / "fixtures" / "official"
CONFIGS = {"imdn": imdn_config, "srvgg": srvgg_config}
TINY = {"imdn": {"nf": 16, "num_modules": 2}, "srvgg": {"num_feat": 8, "num_conv": 2}}
VARIANTS = [("imdn", TINY["imdn"]), ("srvgg", TINY["srvgg"]),
            ("srvgg", {**TINY["srvgg"], "act_type": "leakyrelu"})]


def torch_state(model: keras.Model) -> dict[str, np.ndarray]:
    """Our weights under their PyTorch names and layouts (conv kernels OIHW, PReLU (C,))."""
    state = {}
    for variable in model.weights:
        value = np.asarray(variable)
        state[torch_key(variable)] = value.transpose(3, 2, 0, 1) if value.ndim == 4 else \
            value.reshape(-1)
    return state


@pytest.mark.skipif(not OFFICIAL.is_dir(), reason="../shared/fixtures/official is absent")
@pytest.mark.parametrize("case", ["imdn_x3", "srvgg_x4"])
def test_detection_gives_the_official_constructor_arguments(case):
    meta = json.loads((OFFICIAL / case / "meta.json").read_text())
    official = dict(meta["kwargs"])
    scale = official.pop("upscale")
    if meta["architecture"] == "SRVGGNetCompact":       # our model is RGB -> RGB
        assert official.pop("num_in_ch") == official.pop("num_out_ch") == 3
    found = detect_architecture(load_state_dict(OFFICIAL / case / "weights.pth"))
    assert found.name == case.split("_")[0]
    assert (found.scale, found.kwargs) == (scale, official)
    assert build_generator(found.name, scale, **found.kwargs).count_params() == meta["params"]


@pytest.mark.parametrize("name,kwargs", [("edsr", {"num_blocks": 1, "filters": 8}),
                                         ("rrdb", {"num_blocks": 1, "filters": 8, "growth": 4}),
                                         ("vdsr", {"depth": 3, "filters": 8}),
                                         ("imdn", TINY["imdn"]), ("srvgg", TINY["srvgg"])])
def test_detectors_claim_only_their_own_layout(name, kwargs):
    # EDSR-PyTorch has bare body.N convs too (body.1 here): SRVGG must not take it.
    state = torch_state(build_generator(name, 2, **kwargs))
    assert (imdn_weights.detect(state) is not None) == (name == "imdn")
    assert (srvgg_weights.detect(state) is not None) == (name == "srvgg")
    assert detect_architecture(state).name == name


def test_srvgg_without_prelu_weights_is_detected_as_relu_and_imports():
    model = build_generator("srvgg", 3, num_feat=8, num_conv=3, act_type="leakyrelu")
    state = torch_state(model)
    found = detect_architecture(state)
    assert (found.name, found.scale) == ("srvgg", 3)
    assert found.kwargs == {"num_feat": 8, "num_conv": 3, "act_type": "relu"}
    assert "act_type" in found.description            # says it is a guess and how to override
    import_weights(build_generator("srvgg", 3, **found.kwargs), state, "srvgg")


@pytest.mark.parametrize("name,kwargs", VARIANTS)
def test_keras_round_trip_and_any_input_size(name, kwargs, tmp_path, rng):
    model = build_generator(name, 3, **kwargs)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", compile=False)
    for height, width in [(1, 1), (5, 7), (23, 16)]:
        lr = rng.uniform(0, 1, (1, height, width, 3)).astype("float32")
        out = np.asarray(model(lr, training=False))
        assert out.shape == (1, 3 * height, 3 * width, 3) and np.isfinite(out).all()
        np.testing.assert_array_equal(np.asarray(loaded(lr, training=False)), out)


@pytest.mark.parametrize("name", ["imdn", "srvgg"])
def test_mixed_bfloat16_forward_is_close_to_float32(name, rng):
    model = build_generator(name, 2, **TINY[name])
    lr = rng.uniform(0, 1, (1, 19, 23, 3)).astype("float32")
    expected = np.asarray(model(lr, training=False))
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        mixed = build_generator(name, 2, **TINY[name])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    mixed.set_weights(model.get_weights())
    out = mixed(lr, training=False)
    assert out.dtype == "bfloat16"
    assert np.abs(np.asarray(tf.cast(out, tf.float32)) - expected).max() < 0.03


def hold_attention(model: keras.Model) -> None:
    """Make every IMDN channel attention the identity (sigmoid(30) == 1 in float32): the model
    is then local, as the convs alone are."""
    for layer in model.layers:
        if layer.name.endswith(".cca.conv_du.2"):
            layer.kernel.assign(np.zeros(layer.kernel.shape, "float32"))
            layer.bias.assign(np.full(layer.bias.shape, 30.0, "float32"))


@pytest.mark.parametrize("name,narrow", [("imdn", {"nf": 16}), ("srvgg", {"num_feat": 4})])
def test_tiles_equal_the_whole_image_at_the_configs_overlap(name, narrow, rng):
    # The configs' depth (hence receptive field), fewer channels. IMDN's attention pools over
    # the whole input, so tiles only match with it held constant (see configs/imdn.py).
    config = CONFIGS[name].get_config()
    model = build_generator(name, 2, **{**config.model.kwargs.to_dict(), **narrow})
    if name == "imdn":
        hold_attention(model)
    overlap = config.infer.overlap
    upscaler = Upscaler(model, 2, tile_size=overlap + 10, overlap=overlap, batch_size=2)
    image = rng.integers(0, 256, (overlap + 11, overlap + 13, 3)).astype(np.uint8)   # 2 x 2 tiles
    tiled = upscaler(image).numpy().astype(int)
    whole = np.clip(np.round(whole_image_upscale(model, 2, image).numpy()), 0, 255)
    assert tiled.shape == whole.shape == (2 * image.shape[0], 2 * image.shape[1], 3)
    assert np.abs(tiled - whole).max() <= 1


@pytest.mark.parametrize("name", ["imdn", "srvgg"])
def test_a_few_training_steps_lower_the_loss(name, rng):
    kwargs = {**TINY[name], "num_modules": 1} if name == "imdn" else TINY[name]
    trainer = SRTrainer(build_generator(name, 2, **kwargs), 2, PixelLossWeights(l1=1.0))
    trainer.optimizer = keras.optimizers.Adam(1e-3)
    hr = rng.integers(0, 256, (2, 32, 32, 3)).astype(np.uint8)
    step = tf.function(trainer.train_step)
    first = float(step((hr[:, ::2, ::2], hr))["loss"])
    for _ in range(20):
        last = float(step((hr[:, ::2, ::2], hr))["loss"])
    assert np.isfinite(last) and last < first


def test_imdn_export_reloads_in_a_fresh_process(tmp_path, rng):
    model = build_generator("imdn", 2, nf=16, num_modules=1)
    path = export_saved_model(model, 2, tmp_path / "export", tile_size=16, overlap=12)
    image = rng.integers(0, 256, (13, 21, 3)).astype(np.uint8)
    np.save(tmp_path / "image.npy", image)
    run_python(["tests/helpers/serve_saved_model.py", str(path), str(tmp_path / "image.npy"),
                str(tmp_path / "out.npz")])
    out = np.load(tmp_path / "out.npz")
    expected = Upscaler(model, 2, tile_size=16, overlap=12)(image).numpy()
    np.testing.assert_array_equal(out["plain"], expected)
    np.testing.assert_array_equal(out["decoded"], expected)
    ensemble = Upscaler(model, 2, tile_size=8, overlap=6, ensemble=True)(image).numpy()
    np.testing.assert_array_equal(out["options"], ensemble)
