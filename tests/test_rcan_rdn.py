"""RCAN and RDN: detection, both RCAN namings, save/reload, any input size, mixed precision,
tiling, training and export. Output parity with the official code is tests/test_official_parity.py.
"""

import inspect
import json
import re

import keras
import numpy as np
import pytest

from configs import rcan as rcan_config
from configs import rdn as rdn_config
from conftest import SHARED
from sr_tf import archs
from sr_tf.archs.edsr import keys as edsr
from sr_tf.archs.rcan import keys as rcan
from sr_tf.archs.rdn import keys as rdn
from sr_tf.inference import Upscaler, whole_image_upscale
from sr_tf.models import build_generator
from sr_tf.torch_files import load_state_dict
from sr_tf.weights import detect_architecture, import_weights
from sr_tf.weights.core import torch_key

OFFICIAL = SHARED / "fixtures" / "official"
needs_fixtures = pytest.mark.skipif(not OFFICIAL.is_dir(), reason="../shared/fixtures is absent")

TINY_RCAN = {"num_groups": 2, "num_blocks": 2, "filters": 16, "reduction": 4, "rgb_range": 255.0}
TINY_RDN = {"num_blocks": 2, "num_layers": 3, "growth": 8, "filters": 16, "rgb_range": 255.0}
SMALLEST = {"rcan": {**TINY_RCAN, "num_groups": 1, "num_blocks": 1, "filters": 8},
            "rdn": {**TINY_RDN, "num_blocks": 1, "num_layers": 2}}
# Official constructor arguments -> ours.
OFFICIAL_NAMES = {"n_resgroups": "num_groups", "n_resblocks": "num_blocks", "n_feats": "filters",
                  "reduction": "reduction", "num_group": "num_groups", "num_block": "num_blocks",
                  "num_feat": "filters", "squeeze_factor": "reduction", "D": "num_blocks",
                  "C": "num_layers", "G": "growth", "G0": "filters"}


def torch_state(model: keras.Model, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random values in PyTorch layout (OIHW kernels) under the model's PyTorch keys."""
    state = {}
    for v in model.weights:
        shape = tuple(v.shape)
        if len(shape) == 4:
            shape = (shape[3], shape[2], shape[0], shape[1])
        state[torch_key(v)] = rng.normal(0, 0.05, shape).astype(np.float32)
    return state


def to_basicsr(state: dict[str, np.ndarray], groups: int, blocks: int) -> dict[str, np.ndarray]:
    """EDSR-PyTorch RCAN keys -> BasicSR RCAN keys (written out here, independently of
    :func:`sr_tf.archs.rcan.keys.normalise`); BasicSR has no mean-shift weights."""
    rules = [(r"^head\.0\.", "conv_first."), (rf"^body\.{groups}\.", "conv_after_body."),
             (rf"^body\.(\d+)\.body\.{blocks}\.", r"body.\1.conv."),
             (r"^body\.(\d+)\.body\.(\d+)\.body\.3\.conv_du\.0\.",
              r"body.\1.residual_group.\2.rcab.3.attention.1."),
             (r"^body\.(\d+)\.body\.(\d+)\.body\.3\.conv_du\.2\.",
              r"body.\1.residual_group.\2.rcab.3.attention.3."),
             (r"^body\.(\d+)\.body\.(\d+)\.body\.(\d)\.", r"body.\1.residual_group.\2.rcab.\3."),
             (r"^tail\.0\.", "upsample."), (r"^tail\.1\.", "conv_last.")]
    out = {}
    for key, value in state.items():
        if not key.startswith(("sub_mean.", "add_mean.")):
            for pattern, replacement in rules:
                key = re.sub(pattern, replacement, key)
            out[key] = value
    return out


def _run(model: keras.Model, image: np.ndarray) -> np.ndarray:
    return np.asarray(model(image[None], training=False))[0]


# --- detection ---------------------------------------------------------------------------------

@needs_fixtures
@pytest.mark.parametrize("case", ["rcan_official_x4", "rcan_basicsr_x2", "rdn_x3", "rdn_x4"])
def test_detection_returns_the_official_arguments(case):
    meta = json.loads((OFFICIAL / case / "meta.json").read_text())
    found = detect_architecture(load_state_dict(OFFICIAL / case / "weights.pth"))
    expected = {OFFICIAL_NAMES[k]: v for k, v in meta["kwargs"].items() if k in OFFICIAL_NAMES}
    assert found.name == meta["architecture"].lower()
    assert found.kwargs == {**expected, "rgb_range": 255.0}
    assert found.scale == meta["scale"]


@pytest.mark.parametrize("name,scale,kwargs", [
    ("rcan", 2, TINY_RCAN), ("rcan", 3, {**TINY_RCAN, "num_groups": 3, "reduction": 8}),
    ("rcan", 4, {**TINY_RCAN, "num_blocks": 1, "filters": 32}), ("rcan", 8, TINY_RCAN),
    ("rdn", 2, TINY_RDN), ("rdn", 3, {**TINY_RDN, "num_blocks": 3}),
    ("rdn", 4, {**TINY_RDN, "num_layers": 2, "growth": 12, "filters": 8})])
def test_detection_reads_every_hyper_parameter_and_scale(name, scale, kwargs, rng):
    state = torch_state(build_generator(name, scale, **kwargs), rng)
    if name == "rcan":       # the stored mean shift says rgb_range
        state["sub_mean.bias"] = -255.0 * np.array([0.4488, 0.4371, 0.4040], np.float32)
    names = [state] + ([to_basicsr(state, kwargs["num_groups"], kwargs["num_blocks"])]
                       if name == "rcan" else [])
    for named in names:
        found = detect_architecture(named)
        assert (found.name, found.scale, found.kwargs) == (name, scale, kwargs)
        # No other of these detectors (EDSR's included) claims them.
        others = [m for m in (rcan, rdn, edsr) if m.NAME != name]
        assert all(m.detect(named) is None for m in others)


def test_edsr_keys_are_not_rcan_or_rdn(rng):
    state = torch_state(build_generator("edsr", 2, num_blocks=2, filters=8), rng)
    assert rcan.detect(state) is None and rdn.detect(state) is None
    assert detect_architecture(state).name == "edsr"


def test_rgb_range_is_read_from_the_mean_shift(rng):
    state = torch_state(build_generator("rcan", 2, **TINY_RCAN), rng)
    state["sub_mean.bias"] = -np.array([0.4488, 0.4371, 0.4040], np.float32)
    assert rcan.detect(state).kwargs["rgb_range"] == 1.0


# --- both RCAN namings -------------------------------------------------------------------------

@pytest.mark.parametrize("scale", [3, 4])
def test_both_rcan_namings_give_the_same_output(scale, rng):
    model = build_generator("rcan", scale, **TINY_RCAN)
    state = torch_state(model, rng)
    # BasicSR computes the standard mean shift in forward; give the EDSR-PyTorch file the same.
    for layer in ("sub_mean", "add_mean"):
        kernel, bias = model.get_layer(layer).get_weights()
        state[f"{layer}.weight"], state[f"{layer}.bias"] = kernel.transpose(3, 2, 0, 1), bias
    image = rng.uniform(0, 1, (9, 11, 3)).astype(np.float32)
    official = import_weights(build_generator("rcan", scale, **TINY_RCAN), state, "rcan")
    basicsr = import_weights(build_generator("rcan", scale, **TINY_RCAN),
                             to_basicsr(state, 2, 2), "rcan")
    np.testing.assert_array_equal(_run(official, image), _run(basicsr, image))
    assert np.abs(_run(official, image) - _run(model, image)).max() > 0.01   # weights did change


# --- saving, input sizes, precision ------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs", [("rcan", TINY_RCAN), ("rdn", TINY_RDN)])
def test_mixed_bfloat16_forward_is_close_to_float32(name, kwargs, rng):
    model = build_generator(name, 2, **kwargs)
    image = rng.uniform(0, 1, (12, 10, 3)).astype(np.float32)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        half = build_generator(name, 2, **kwargs)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    half.set_weights(model.get_weights())
    out = _run(half, image).astype(np.float32)
    assert np.abs(out - _run(model, image)).mean() < 0.01


# --- tiling ------------------------------------------------------------------------------------

def _tiled_vs_whole(model: keras.Model, scale: int, overlap: int, rng) -> int:
    """Largest uint8 difference between tiled and whole-image output over a few shapes."""
    upscaler = Upscaler(model, scale, tile_size=overlap + 12, overlap=overlap, batch_size=3)
    worst = 0
    for shape in [(37, 53), (1, 1), (6, 71)]:
        image = rng.integers(0, 256, shape + (3,)).astype(np.uint8)
        tiled = upscaler(image).numpy().astype(int)
        whole = np.clip(np.round(whole_image_upscale(model, scale, image).numpy()), 0, 255)
        assert tiled.shape == (shape[0] * scale, shape[1] * scale, 3)
        worst = max(worst, int(np.abs(tiled - whole).max()))
    return worst


@pytest.mark.parametrize("scale", [3, 4])
def test_rdn_tiles_equal_whole_image_at_twice_the_receptive_field(scale, rng):
    # The overlap rule of configs/rdn.py: 2 x (D * C + 6).
    model = build_generator("rdn", scale, **TINY_RDN)
    assert _tiled_vs_whole(model, scale, 2 * (2 * 3 + 6), rng) <= 1


def test_rcan_tiles_are_exact_only_without_its_global_attention(rng):
    # Convolutions: head + groups * (2 * blocks + 1) + body conv + upsampler + tail = 14 pixels.
    model = build_generator("rcan", 2, **TINY_RCAN)
    overlap = 2 * (1 + 2 * (2 * 2 + 1) + 1 + 1 + 1)
    assert _tiled_vs_whole(model, 2, overlap, rng) > 1     # attention means differ per tile
    for layer in model.layers:                             # constant gates: a plain conv net
        if layer.name.endswith("conv_du.2"):
            layer.kernel.assign(np.zeros(layer.kernel.shape))
    assert _tiled_vs_whole(model, 2, overlap, rng) <= 1


# --- training, export, configs -----------------------------------------------------------------

@pytest.mark.parametrize("config", [rcan_config, rdn_config])
def test_config_lists_every_architecture_argument(config):
    c = config.get_config()
    builder = archs.find(c.model.name).build
    assert set(inspect.signature(builder).parameters) - {"scale"} == set(c.model.kwargs)
    assert c.data.patch_size % c.model.scale == 0 and c.infer.overlap < c.infer.tile_size
