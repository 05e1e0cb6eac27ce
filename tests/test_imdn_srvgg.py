"""IMDN and SRVGGNetCompact: detection, .keras round trip, any input size, mixed precision, tiling
at the configs' overlaps, training steps, export. Official parity: tests/test_official_parity.py."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import imdn as imdn_config
from configs import srvgg as srvgg_config
from conftest import SHARED
from sr_tf.inference import Upscaler, whole_image_upscale
from sr_tf.models import build_generator
from sr_tf.torch_files import load_state_dict
from sr_tf.weights import detect_architecture, import_weights
from sr_tf.archs.imdn import keys as imdn_weights
from sr_tf.archs.srvgg import keys as srvgg_weights
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


@pytest.mark.parametrize("extra", ["conv_first.weight", "body.0.body.0.weight", "body.3.bias"])
def test_srvgg_keys_plus_anything_else_are_not_srvgg(extra):
    state = torch_state(build_generator("srvgg", 2, **TINY["srvgg"]))
    assert srvgg_weights.detect(state) is not None
    assert srvgg_weights.detect({**state, extra: np.zeros(8, "float32")}) is None


def test_srvgg_without_prelu_weights_is_detected_as_relu_and_imports():
    model = build_generator("srvgg", 3, num_feat=8, num_conv=3, act_type="leakyrelu")
    state = torch_state(model)
    found = detect_architecture(state)
    assert (found.name, found.scale) == ("srvgg", 3)
    assert found.kwargs == {"num_feat": 8, "num_conv": 3, "act_type": "relu"}
    assert "act_type" in found.description            # says it is a guess and how to override
    import_weights(build_generator("srvgg", 3, **found.kwargs), state, "srvgg")


def test_imdn_channel_attention_is_the_official_formula(rng):
    # x * sigmoid(W2 relu(W1 (std + mean) + b1) + b2), population std and mean over H and W of
    # each image. (The imdn_x3 fixture barely constrains this: its output moves by < 2e-4 with
    # std alone.) A batch of two checks the statistics are per image.
    model = build_generator("imdn", 2, nf=64, num_modules=1)
    squeeze, excite = model.get_layer("IMDB1.cca.conv_du.0"), model.get_layer("IMDB1.cca.conv_du.2")
    squeeze.bias.assign(np.array([0.05, -0.05, 0.05, -0.05], "float32"))
    excite.bias.assign(rng.normal(0, 0.5, 64).astype("float32"))
    multiply = next(layer for layer in model.layers if isinstance(layer, keras.layers.Multiply))
    x, out = (np.asarray(t) for t in keras.Model(model.input, [multiply.input[0], multiply.output])(
        rng.uniform(0, 1, (2, 9, 13, 3)).astype("float32")))

    def official(stats):
        hidden = np.maximum(stats @ squeeze.kernel.numpy()[0, 0] + squeeze.bias.numpy(), 0)
        return x / (1 + np.exp(-(hidden @ excite.kernel.numpy()[0, 0] + excite.bias.numpy())))

    mean, std = x.mean(axis=(1, 2), keepdims=True), x.std(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, official(std + mean), atol=1e-5)
    assert np.abs(official(std) - out).max() > 1e-3 and np.abs(official(mean) - out).max() > 1e-3


def conv3x3(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """PyTorch Conv2d(k=3, padding=1) of [H, W, C] with an OIHW weight."""
    height, width = x.shape[:2]
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    return bias + sum(padded[i:i + height, j:j + width] @ weight[:, :, i, j].T
                      for i in range(3) for j in range(3))


def official_srvgg(state: dict, lr: np.ndarray, act_type: str, scale: int) -> np.ndarray:
    """BasicSR SRVGGNetCompact.forward in NumPy: body, PixelShuffle (PyTorch order), + nearest."""
    last = max(int(k.split(".")[1]) for k in state)
    x = lr
    for n in range(0, last + 1, 2):
        x = conv3x3(x, state[f"body.{n}.weight"], state[f"body.{n}.bias"])
        if n < last:
            slope = {"relu": 0.0, "leakyrelu": 0.1}.get(act_type, state.get(f"body.{n + 1}.weight"))
            x = np.where(x > 0, x, x * slope)
    height, width, channels = x.shape
    x = x.reshape(height, width, channels // scale**2, scale, scale).transpose(0, 3, 1, 4, 2)
    return x.reshape(height * scale, width * scale, -1) + lr.repeat(scale, 0).repeat(scale, 1)


@pytest.mark.parametrize("act_type", ["prelu", "relu", "leakyrelu"])
def test_srvgg_matches_the_official_forward_for_every_activation(act_type, rng):
    # The fixture covers prelu only; random PyTorch weights through our importer cover all three.
    shapes = torch_state(build_generator("srvgg", 3, num_feat=6, num_conv=2, act_type=act_type))
    state = {k: rng.normal(0, 0.3, v.shape).astype("float32") for k, v in shapes.items()}
    model = import_weights(build_generator("srvgg", 3, num_feat=6, num_conv=2, act_type=act_type),
                           state, "srvgg")
    lr = rng.uniform(0, 1, (7, 10, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(lr[None], training=False))[0],
                               official_srvgg(state, lr, act_type, 3), atol=1e-4)


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


def test_imdn_attention_reaches_the_whole_image(rng):
    # Why configs/imdn.py tiles only images larger than 1024 pixels: one corner pixel moves the
    # opposite corner, 39 pixels away, although the convs of this model reach 1 + 4 + 2 = 7.
    model = build_generator("imdn", 2, nf=16, num_modules=1)
    image = rng.uniform(0, 1, (1, 40, 40, 3)).astype("float32")
    moved = image.copy()
    moved[0, 0, 0] += 0.5
    corner = [np.asarray(model(x, training=False))[0, -2:, -2:] for x in (image, moved)]
    assert np.any(corner[0] != corner[1])


def hold_attention(model: keras.Model) -> None:
    """Make every IMDN channel attention the identity (sigmoid(30) == 1 in float32): the model
    is then local, as the convs alone are."""
    for layer in model.layers:
        if layer.name.endswith(".cca.conv_du.2"):
            layer.kernel.assign(np.zeros(layer.kernel.shape, "float32"))
            layer.bias.assign(np.full(layer.bias.shape, 30.0, "float32"))


def default_depth(name: str) -> keras.Model:
    """The config's model (its depth, hence receptive field) with few channels; IMDN's attention,
    which pools over the whole input, held constant so only the convs reach (configs/imdn.py)."""
    config = CONFIGS[name].get_config()
    narrow = {"imdn": {"nf": 16}, "srvgg": {"num_feat": 4}}[name]
    model = build_generator(name, 2, **{**config.model.kwargs.to_dict(), **narrow})
    if name == "imdn":
        hold_attention(model)
    return model


@pytest.mark.parametrize("name", ["imdn", "srvgg"])
def test_configs_overlap_covers_the_receptive_field(name):
    # Which output pixels an impulse at the centre of a black image reaches. Every conv averages
    # its window (no bias), so nothing cancels, overflows or underflows on the way (the farthest
    # pixels get about 9^-34). Each tile keeps overlap / 2 LR pixels from its cut edges.
    model, centre = default_depth(name), 40
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D) and not layer.name.endswith(".cca.conv_du.2"):
            layer.kernel.assign(np.full(layer.kernel.shape, 1 / np.prod(layer.kernel.shape[:3]),
                                        "float32"))
            layer.bias.assign(np.zeros(layer.bias.shape, "float32"))
    impulse = np.zeros((1, 2 * centre + 1, 2 * centre + 1, 3), "float32")
    impulse[0, centre, centre] = 1.0
    reached = np.nonzero(np.asarray(model(impulse, training=False))[0].any(axis=-1))
    radius = max(np.abs(np.concatenate(reached) // 2 - centre))
    assert radius == {"imdn": 27, "srvgg": 34}[name]
    assert CONFIGS[name].get_config().infer.overlap // 2 >= radius


@pytest.mark.parametrize("name", ["imdn", "srvgg"])
def test_tiles_equal_the_whole_image_at_the_configs_overlap(name, rng):
    model, overlap = default_depth(name), CONFIGS[name].get_config().infer.overlap
    tile = overlap + 10
    upscaler = Upscaler(model, 2, tile_size=tile, overlap=overlap, batch_size=2)
    # 2 x 2 tiles that overlap by exactly ``overlap``: the cuts keep overlap / 2 from tile edges.
    image = rng.integers(0, 256, (2 * tile - overlap, 2 * tile - overlap, 3)).astype(np.uint8)
    tiled = upscaler(image).numpy().astype(int)
    whole = np.clip(np.round(whole_image_upscale(model, 2, image).numpy()), 0, 255)
    assert tiled.shape == whole.shape == (2 * image.shape[0], 2 * image.shape[1], 3)
    assert np.abs(tiled - whole).max() <= 1
