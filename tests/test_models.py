"""Architectures: parameter counts from the papers, discriminators, scales (every generator's
round trip and training: test_zoo.py)."""

import keras
import numpy as np
import pytest

from sr_tf.models import build_discriminator, build_generator

PAPER_COUNTS = [
    ("srcnn", 4, {}, 8_129),
    ("vdsr", 4, {}, 664_704),
    ("rrdb", 4, {}, 16_697_987),
    ("edsr", 4, {}, 1_517_571),
]


@pytest.mark.parametrize("name,scale,kwargs,count", PAPER_COUNTS)
def test_parameter_counts(name, scale, kwargs, count):
    # Trainable ones: EDSR's frozen mean-shift convs (24 values) are not counted.
    model = build_generator(name, scale, **kwargs)
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == count


def test_approximate_counts():
    assert 1.5e6 < build_generator("srresnet", 4).count_params() < 1.6e6      # "about 1.5M"
    paper = build_generator("edsr", 4, num_blocks=32, filters=256, res_scale=0.1)
    assert 42.5e6 < paper.count_params() < 43.5e6                               # "about 43M"


@pytest.mark.parametrize("name,size", [("vgg", 128), ("unet", 64), ("unet", 40)])
def test_discriminators_round_trip(name, size, tmp_path, rng):
    model = build_discriminator(name) if name == "unet" else build_discriminator(name, patch_size=size)
    x = rng.uniform(0, 1, (2, size, size, 3)).astype("float32")
    out = model.predict(x, verbose=0)
    assert out.shape == ((2, 1) if name == "vgg" else (2, size, size, 1))
    model.save(tmp_path / "d.keras")
    np.testing.assert_allclose(keras.saving.load_model(tmp_path / "d.keras").predict(x, verbose=0),
                               out, atol=1e-6)


def test_unsupported_scale_is_a_clear_error():
    with pytest.raises(ValueError, match="rrdb supports scale 1, 2, 4, 8; got 3"):
        build_generator("rrdb", 3)
    with pytest.raises(ValueError, match="unknown generator"):
        build_generator("nope", 4)
