"""SwinIR and HAT: official parity, detection, any input size, runtime-shape masks, bf16,
.keras round trip, seam-free tiling, training and SavedModel export (tiny configs)."""

import importlib
import inspect
import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import SHARED
from sr_tf import archs
from sr_tf.archs.hat import keys as hat_weights
from sr_tf.archs.hat.model import overlap_position_index
from sr_tf.archs.swinir import keys as swinir_weights
from sr_tf.image_io import read_image
from sr_tf.inference import Upscaler, size_multiple, whole_image_upscale
from sr_tf.layers.common import cyclic_shift
from sr_tf.layers.window_attention import Mlp, layer_norm, relative_position_index, shift_mask
from sr_tf.models import build_generator
from sr_tf.torch_files import load_state_dict
from sr_tf.weights import detect_architecture, import_weights, load_generator
from sr_tf.errors import WeightImportError

OFFICIAL = SHARED / "fixtures" / "official"
CASES = ["swinir_classical_x4", "swinir_lightweight_x2", "swinir_realworld_x4", "hat_x4"]
needs_fixtures = pytest.mark.skipif(not (OFFICIAL / "hat_x4").is_dir(),
                                    reason="../shared/fixtures/official is absent")

# Tiny variants (window 4) and the overlap that keeps their tiles within 1/255 of whole-image
# output: twice their reach (HAT's channel attention pools whole tiles: never bit-exact).
TINY = {
    "swinir": (2, {"embed_dim": 12, "depths": (2,), "num_heads": (2,), "window_size": 4}, 24),
    "hat": (2, {"embed_dim": 12, "depths": (2,), "num_heads": (2,), "window_size": 4,
                "compress_ratio": 3, "squeeze_factor": 6}, 32),
}
VARIANTS = [("swinir", 3, {"upsampler": "pixelshuffle"}),
            ("swinir", 8, {"upsampler": "pixelshuffledirect", "resi_connection": "3conv"}),
            ("swinir", 4, {"upsampler": "nearest+conv"}),
            ("hat", 3, {"overlap_ratio": 1.0, "resi_connection": "identity"})]
OUR_KWARGS = {"swinir": ("embed_dim", "depths", "num_heads", "window_size", "mlp_ratio",
                         "upsampler", "resi_connection", "img_range"),
              "hat": ("embed_dim", "depths", "num_heads", "window_size", "mlp_ratio",
                      "compress_ratio", "squeeze_factor", "conv_scale", "overlap_ratio",
                      "resi_connection", "img_range")}


def tiny(name, scale=None, **overrides):
    default_scale, kwargs, _ = TINY[name]
    return build_generator(name, scale or default_scale, **{**kwargs, **overrides})


def meta(case):
    return json.loads((OFFICIAL / case / "meta.json").read_text())


def lr_image(case):
    return read_image(OFFICIAL / case / "lr.png").astype("float32")[None] / 255.0


def official_mask(height, width, window, shift):
    """The official calculate_mask, in numpy: region ids by slices, compared within windows."""
    ids = np.zeros((height, width))
    bands = (slice(0, -window), slice(-window, -shift), slice(-shift, None))
    for i, rows in enumerate(bands):
        for j, cols in enumerate(bands):
            ids[rows, cols] = 3 * i + j
    ids = ids.reshape(height // window, window, width // window, window).transpose(0, 2, 1, 3)
    ids = ids.reshape(-1, window * window)
    return np.where(ids[:, None, :] != ids[:, :, None], -100.0, 0.0)


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_import_by_name_reproduces_the_official_output(case):
    m = meta(case)
    name = m["architecture"].lower()
    kwargs = {k: m["kwargs"][k] for k in OUR_KWARGS[name]}
    model = build_generator(name, m["scale"], **kwargs)
    for file in ("weights.pth", "weights.safetensors"):
        import_weights(model, load_state_dict(OFFICIAL / case / file), name)
        out = np.asarray(model(lr_image(case), training=False))[0]
        assert model.count_params() == m["params"]
        assert np.abs(out - np.load(OFFICIAL / case / "sr.npy")).max() <= 2e-4, file


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_detection_gives_the_official_arguments(case):
    m = meta(case)
    found = detect_architecture(load_state_dict(OFFICIAL / case / "weights.safetensors"))
    assert found.name == m["architecture"].lower() and found.scale == m["scale"]
    expected = {k: m["kwargs"][k] for k in OUR_KWARGS[found.name]}
    assert {k: found.kwargs[k] for k in expected} == expected, found.description


@needs_fixtures
def test_recomputed_position_indices_equal_the_official_buffers():
    swin = load_state_dict(OFFICIAL / "swinir_classical_x4" / "weights.safetensors")
    stored = swin["layers.0.residual_group.blocks.0.attn.relative_position_index"]
    np.testing.assert_array_equal(relative_position_index(8), stored)
    hat = load_state_dict(OFFICIAL / "hat_x4" / "weights.safetensors")
    np.testing.assert_array_equal(relative_position_index(16), hat["relative_position_index_SA"])
    # PyTorch wraps HAT's negative OCA indices around the 39 x 39 table.
    np.testing.assert_array_equal(overlap_position_index(16, 24),
                                  hat["relative_position_index_OCA"] % 39**2)


@needs_fixtures
def test_detection_declines_other_architectures_and_names_unsupported_swinir():
    swin = load_state_dict(OFFICIAL / "swinir_classical_x4" / "weights.safetensors")
    hat = load_state_dict(OFFICIAL / "hat_x4" / "weights.safetensors")
    rrdb = load_state_dict(OFFICIAL / "rrdb_x4" / "weights.safetensors")
    assert swinir_weights.detect(hat) is None and hat_weights.detect(swin) is None
    assert swinir_weights.detect(rrdb) is None and hat_weights.detect(rrdb) is None
    denoiser = {k: v for k, v in swin.items() if not k.startswith(("upsample", "conv_before"))}
    with pytest.raises(WeightImportError, match="without an upsampler"):
        swinir_weights.detect(denoiser)


def test_swinir_s_has_the_released_parameter_count():
    # Larger released models (SwinIR-M 11,900,199 at x4, HAT 20,772,507) take long to build;
    # the fixtures check the official counts of the same builders.
    model = build_generator("swinir", 2, embed_dim=60, depths=(6,) * 4, num_heads=(6,) * 4,
                            upsampler="pixelshuffledirect")
    assert model.count_params() == 910_152


@pytest.mark.parametrize("name", ["swinir", "hat"])
def test_config_lists_every_builder_argument(name):
    config = importlib.import_module(f"configs.{name}").get_config()
    builder = inspect.signature(archs.find(name).build).parameters
    assert set(config.model.kwargs) == set(builder) - {"scale"}
    assert config.model.scale in archs.find(name).scales


def test_pytorch_defaults_exact_gelu_and_layer_norm_eps():
    # The fixtures' activations are too small to tell the tanh GELU from erf; test it directly.
    x = np.linspace(-4, 4, 81, dtype="float32")[:, None].repeat(3, axis=1)
    mlp = Mlp(3, 3)
    mlp.build((None, 3))
    mlp.set_weights([np.eye(3), np.zeros(3), np.eye(3), np.zeros(3)])
    exact = 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))
    np.testing.assert_allclose(np.asarray(mlp(x)), exact, atol=1e-6)
    flat = np.array([[0.0, 1e-3, -1e-3]], "float32")           # variance 6.7e-7 << 1e-3
    expected = (flat - flat.mean()) / np.sqrt(flat.var() + 1e-5)
    np.testing.assert_allclose(np.asarray(layer_norm("n")(flat)), expected, rtol=1e-4)


def test_shift_mask_equals_the_official_one_for_runtime_sizes():
    traced = tf.function(lambda h, w: shift_mask(h, w, 4, 2))
    for height, width in [(4, 4), (8, 12), (16, 8)]:
        expected = official_mask(height, width, 4, 2)
        np.testing.assert_array_equal(np.asarray(shift_mask(height, width, 4, 2)), expected)
        np.testing.assert_array_equal(traced(tf.constant(height), tf.constant(width)).numpy(),
                                      expected)


@pytest.mark.parametrize("name,scale,overrides", VARIANTS)
def test_any_size_and_keras_round_trip(name, scale, overrides, tmp_path, rng):
    model = tiny(name, scale, **overrides)
    assert size_multiple(model) == 4
    x = rng.uniform(0, 1, (2, 9, 10, 3)).astype("float32")
    out = np.asarray(model(x))
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(np.asarray(reloaded(x)), out)
    for h, w in [(9, 10), (3, 2), (1, 1), (5, 4)]:
        sr = np.asarray(reloaded(x[:1, :h, :w]))
        assert sr.shape == (1, h * scale, w * scale, 3) and np.isfinite(sr).all()


@pytest.mark.parametrize("name", ["swinir", "hat"])
def test_one_traced_function_serves_every_size(name, rng):
    # The shift mask and the windows follow the runtime shape: no size is baked into the graph.
    model = tiny(name)
    traced = tf.function(model, input_signature=[tf.TensorSpec([None, None, None, 3])])
    for shape in [(1, 13, 21, 3), (2, 5, 7, 3), (1, 8, 16, 3)]:
        x = rng.uniform(0, 1, shape).astype("float32")
        np.testing.assert_allclose(traced(x).numpy(), np.asarray(model(x)), atol=1e-5)


@needs_fixtures
@pytest.mark.parametrize("case", ["swinir_classical_x4", "hat_x4"])
def test_mixed_bfloat16_is_close_to_float32(case):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = load_generator(OFFICIAL / case / "weights.safetensors")
        out = np.asarray(tf.cast(model(lr_image(case)), tf.float32))[0]
    finally:
        keras.mixed_precision.set_global_policy("float32")
    expected = np.load(OFFICIAL / case / "sr.npy")
    assert np.abs(out - expected).mean() < 0.002 and np.abs(out - expected).max() < 0.02


@pytest.mark.parametrize("name", ["swinir", "hat"])
def test_tiled_equals_whole_at_the_tiny_overlap(name, rng):
    scale, _, overlap = TINY[name]
    model = tiny(name)
    upscaler = Upscaler(model, scale, tile_size=overlap + 12, overlap=overlap, batch_size=3)
    for shape in [(37, 53), (5, 7), (1, 1), (6, 90)]:
        image = rng.integers(0, 256, shape + (3,)).astype(np.uint8)
        tiled = upscaler(image).numpy().astype(int)
        whole = np.clip(np.round(whole_image_upscale(model, scale, image).numpy()), 0, 255)
        assert tiled.shape == (shape[0] * scale, shape[1] * scale, 3)
        assert np.abs(tiled - whole).max() <= 1, shape


@pytest.mark.parametrize("shift,axis", [(-3, 1), (3, 2), (5, 1)])
def test_cyclic_shift_and_its_gradient_are_tf_roll_s(shift, axis):
    """Values and gradient equal ``tf.roll``'s (TensorFlow's own op, the reference), and the
    gradient graph holds no StridedSliceGrad (TF's gradient of the slices: 15x slower on
    SwinIR's maps). Deliberate bugs seen failing: the gradient shifted the same way as the
    values; the custom gradient removed (StridedSliceGrad back in the graph)."""
    x = tf.Variable(np.random.default_rng(0).normal(size=(2, 7, 9, 3)).astype(np.float32))
    weights = tf.constant(np.arange(2 * 7 * 9 * 3, dtype=np.float32).reshape(2, 7, 9, 3))

    @tf.function
    def value_and_grad(shift_fn):
        with tf.GradientTape() as tape:
            y = shift_fn(x)
            loss = tf.reduce_sum(y * weights)
        return y, tape.gradient(loss, x)

    ours = value_and_grad(lambda t: cyclic_shift(t, shift, axis))
    reference = value_and_grad(lambda t: tf.roll(t, shift, axis))
    np.testing.assert_array_equal(ours[0], reference[0])
    np.testing.assert_array_equal(ours[1], reference[1])
    graph = value_and_grad.get_concrete_function(lambda t: cyclic_shift(t, shift, axis)).graph
    assert not [op for op in graph.get_operations() if op.type == "StridedSliceGrad"]
