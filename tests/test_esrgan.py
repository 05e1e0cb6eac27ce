"""Original-layout ESRGAN files the community fixtures do not cover, against a NumPy transcription
of the official forward (spandrel 0.4.2 ``ESRGAN/__arch/RRDB.py`` and ``__arch_helpers/block.py``:
``RRDBNet``, ``RRDB``, ``ResidualDenseBlock_5C`` with ``plus``, ``pad_to_multiple``).

The fixtures (tests/test_community_parity.py) hold x1, x4 and the pixel-unshuffled x2; these are
x2 by one upsampling step with ESRGAN+'s extra paths, x1 unshuffled by 4, and x8.
"""

import numpy as np
import pytest

from sr_tf.weights import detect_architecture, load_generator

FILTERS, GROWTH, BLOCKS = 4, 3, 1


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """PyTorch ``Conv2d`` (OIHW weights, zero padding k // 2) on one HWC image."""
    k = w.shape[2]
    xp = np.pad(x, ((k // 2, k // 2), (k // 2, k // 2), (0, 0)))
    h, wd = x.shape[:2]
    out = sum(xp[i:i + h, j:j + wd] @ w[:, :, i, j].T for i in range(k) for j in range(k))
    return out + (0 if b is None else b)


def _lrelu(x):
    return np.where(x > 0, x, 0.2 * x)


def _cat(*xs):
    return np.concatenate(xs, axis=-1)


def _state(rng, in_nc: int, steps: int, plus: bool) -> dict[str, np.ndarray]:
    """An old-arch state dict: ``model.0``, ``model.1.sub.N.RDBk.convJ.0``, trunk conv, one
    (upsample, conv, act) triple per x2 step, HR conv, last conv."""
    shapes = {"model.0": (FILTERS, in_nc, 3, 3)}
    for k in (1, 2, 3):
        prefix = f"model.1.sub.0.RDB{k}"
        for j in range(1, 6):
            shapes[f"{prefix}.conv{j}.0"] = (GROWTH if j < 5 else FILTERS,
                                              FILTERS + (j - 1) * GROWTH, 3, 3)
        if plus:
            shapes[f"{prefix}.conv1x1"] = (GROWTH, FILTERS, 1, 1)
    shapes[f"model.1.sub.{BLOCKS}"] = (FILTERS, FILTERS, 3, 3)
    for i in range(1, steps + 1):
        shapes[f"model.{3 * i}"] = (FILTERS, FILTERS, 3, 3)
    shapes[f"model.{3 * steps + 2}"] = (FILTERS, FILTERS, 3, 3)
    shapes[f"model.{3 * steps + 4}"] = (3, FILTERS, 3, 3)
    state = {}
    for name, shape in shapes.items():
        state[f"{name}.weight"] = rng.normal(0, 0.3, shape).astype("float32")
        if not name.endswith("conv1x1"):                    # ESRGAN+'s conv1x1 has no bias
            state[f"{name}.bias"] = rng.normal(0, 0.1, shape[0]).astype("float32")
    return state


def _reference(s: dict, x: np.ndarray, steps: int, factor: int, plus: bool) -> np.ndarray:
    def conv(name, y):
        return _conv(y, s[f"{name}.weight"], s.get(f"{name}.bias"))

    def rdb(p, y):
        x1 = _lrelu(conv(f"{p}.conv1.0", y))
        x2 = _lrelu(conv(f"{p}.conv2.0", _cat(y, x1)))
        if plus:
            x2 = x2 + conv(f"{p}.conv1x1", y)
        x3 = _lrelu(conv(f"{p}.conv3.0", _cat(y, x1, x2)))
        x4 = _lrelu(conv(f"{p}.conv4.0", _cat(y, x1, x2, x3)))
        if plus:
            x4 = x4 + x2
        return conv(f"{p}.conv5.0", _cat(y, x1, x2, x3, x4)) * 0.2 + y

    h, w = x.shape[:2]
    if factor > 1:                              # pad_to_multiple (reflect), pixel_unshuffle
        x = np.pad(x, ((0, -h % factor), (0, -w % factor), (0, 0)), mode="reflect")
        hh, ww = x.shape[0] // factor, x.shape[1] // factor
        x = x.reshape(hh, factor, ww, factor, 3).transpose(0, 2, 4, 1, 3).reshape(hh, ww, -1)
    first = conv("model.0", x)
    y = first
    for b in range(BLOCKS):
        z = y
        for k in (1, 2, 3):
            z = rdb(f"model.1.sub.{b}.RDB{k}", z)
        y = z * 0.2 + y
    y = first + conv(f"model.1.sub.{BLOCKS}", y)
    for i in range(1, steps + 1):
        y = _lrelu(conv(f"model.{3 * i}", y.repeat(2, axis=0).repeat(2, axis=1)))
    y = conv(f"model.{3 * steps + 4}", _lrelu(conv(f"model.{3 * steps + 2}", y)))
    scale = 2 ** steps // factor
    return y[:h * scale, :w * scale]


@pytest.mark.parametrize("steps, factor, plus, scale, extra", [
    (1, 1, True, 2, {"shuffle_factor": 1, "plus": True}),   # x2 by one step, ESRGAN+
    (2, 4, False, 1, {}),                                   # x1: unshuffle by 4, then x4
    (3, 1, False, 8, {}),                                   # x8: three steps
])
def test_old_arch_layouts_match_the_official_forward(steps, factor, plus, scale, extra, rng,
                                                     tmp_path):
    """Fails if a layout is read or built wrong: seen failing with ESRGAN+'s ``x4 + x2`` left
    out (max error 3.2 in the plus case) and with the HR conv read from ``model.{3 * steps + 1}``
    (no architecture claimed any of the three files)."""
    from safetensors.numpy import save_file

    state = _state(rng, 3 * factor ** 2, steps, plus)
    found = detect_architecture(state)
    assert (found.name, found.scale) == ("rrdb", scale)
    assert found.kwargs == {"num_blocks": BLOCKS, "filters": FILTERS, "growth": GROWTH, **extra}
    save_file(state, tmp_path / "esrgan.safetensors")
    model = load_generator(tmp_path / "esrgan.safetensors")
    x = rng.uniform(0, 1, (7, 5, 3)).astype("float32")         # odd: the padding is exercised
    ours = np.asarray(model(x[None], training=False))[0]
    np.testing.assert_allclose(ours, _reference(state, x, steps, factor, plus), atol=1e-4)
