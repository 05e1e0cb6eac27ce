"""MATLAB bicubic, rgb2ycbcr, PSNR and SSIM: hand-computed values, scikit-image, benchmarks."""

import numpy as np
import pytest
import tensorflow as tf
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from conftest import DATA, needs_shared
from pipelines.validation import iter_eval_pairs
from sr_tf import metrics
from sr_tf.color import luminance, rgb_to_ycbcr, ycbcr_to_rgb
from sr_tf.imresize import imresize, imresize_uint8


def test_bicubic_upscale_hand_computed():
    # Upscaling [0, 255] x2: out[0] = 255 * (w(u=-1) + w(u=2)) with u = 0.75 and mirrored taps
    # = 255 * (cubic(1.75) + cubic(1.25)) = 255 * (-0.0234375 - 0.0703125) = -23.90625.
    image = np.array([[[0.0], [255.0]]])                       # 1 x 2 x 1
    out = imresize(image, 2).numpy()[0, :, 0]
    assert out.shape == (4,)
    np.testing.assert_allclose(out[0], -23.90625, atol=1e-4)
    np.testing.assert_allclose(out, 255.0 - out[::-1], atol=1e-4)   # symmetry


def test_constant_image_stays_constant_and_sizes_round_up():
    image = np.full((7, 10, 3), 77, np.uint8)
    down = imresize_uint8(image, 1 / 3).numpy()
    assert down.shape == (3, 4, 3) and (down == 77).all()
    assert imresize(image, 2).shape == (14, 20, 3)


def test_downscale_is_antialiased_not_tf_image_resize(rng):
    image = rng.uniform(0, 255, (32, 32, 3)).astype(np.float32)
    ours = imresize(image, 0.25).numpy()
    theirs = tf.image.resize(image, (8, 8), "bicubic", antialias=True).numpy()
    assert np.abs(ours - theirs).max() > 0.5      # tf.image.resize is a different kernel/boundary
    np.testing.assert_allclose(ours.mean(), image.mean(), rtol=0.02)


def test_ycbcr_matches_skimage_and_inverts(rng):
    rgb = rng.integers(0, 256, (16, 16, 3)).astype(np.uint8)
    np.testing.assert_allclose(rgb_to_ycbcr(rgb).numpy(), rgb2ycbcr(rgb), atol=1e-3)
    np.testing.assert_allclose(ycbcr_to_rgb(rgb_to_ycbcr(rgb)).numpy(), rgb, atol=1e-3)
    grey = rgb[..., :1]
    np.testing.assert_array_equal(luminance(grey).numpy(), grey.astype(np.float32))


def test_psnr_hand_computed_and_skimage(rng):
    a = np.zeros((10, 10, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0] = 30                        # MSE = 900 / 300 = 3
    np.testing.assert_allclose(metrics.psnr(a, b), 10 * np.log10(255**2 / 3), rtol=1e-6)
    x = rng.integers(0, 256, (40, 40, 3)).astype(np.uint8)
    y = np.clip(x + rng.normal(0, 8, x.shape), 0, 255).astype(np.uint8)
    np.testing.assert_allclose(metrics.psnr_rgb(x, y, 0), peak_signal_noise_ratio(x, y), rtol=1e-5)
    np.testing.assert_allclose(metrics.psnr_rgb(x, y, 4),
                               peak_signal_noise_ratio(x[4:-4, 4:-4], y[4:-4, 4:-4]), rtol=1e-5)


def test_ssim_matches_skimage_wang_settings(rng):
    x = rng.uniform(0, 255, (48, 48, 1))
    y = np.clip(x + rng.normal(0, 20, x.shape), 0, 255)
    ours = float(metrics.ssim(x, y))
    ref = structural_similarity(x[..., 0], y[..., 0], gaussian_weights=True, sigma=1.5,
                                use_sample_covariance=False, data_range=255)
    assert ours == pytest.approx(ref, abs=2e-3)


def _bicubic_baseline(folder, scale):
    scores = [float(metrics.psnr_y(imresize_uint8(p.lr, scale), p.hr, scale))
              for p in iter_eval_pairs(folder, scale)]
    return float(np.mean(scores))


@needs_shared
def test_set5_x4_bicubic_baseline():
    assert _bicubic_baseline(DATA / "val" / "Set5", 4) == pytest.approx(28.42, abs=0.05)


@needs_shared
def test_set14_x4_bicubic_baseline():
    assert _bicubic_baseline(DATA / "val" / "Set14", 4) == pytest.approx(26.00, abs=0.1)
