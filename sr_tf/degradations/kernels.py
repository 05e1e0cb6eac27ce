"""Real-ESRGAN blur and sinc kernels: the formulas and the per-sample draws of the dataset.

Every kernel lives on a 21x21 grid, ``K[i, j] = f(x = j - 10, y = i - 10)``, with the entries
outside its odd size ``k`` (``max(|x|, |y|) > k // 2``) set to zero. That equals BasicSR's
``k x k`` kernel zero-padded to 21x21, which is what ``RealESRGANDataset`` hands to the model,
and keeps every tensor one static shape (tf.data and the device like that).

- Gaussian ``exp(-q / 2)``, generalized ``exp(-q**beta / 2)``, plateau ``1 / (q**beta + 1)``,
  ``q = [x y] S^-1 [x y]^T``, ``S = R diag(sx^2, sy^2) R^T``, ``R`` the rotation by ``theta``;
  isotropic types use ``sy = sx, theta = 0``. Each is divided by its sum.
- sinc (``circular_lowpass_kernel``): ``w J1(w r) / (2 pi r)``, centre ``w^2 / (4 pi)``, / sum.

:func:`draw_kernels` maps a vector of uniforms to the three kernels of one sample with the
dataset's probabilities and ranges (x4plus: :data:`X4PLUS_KERNELS`), so a draw is a stateless
function of its seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import tensorflow as tf

GRID = 21
KERNEL_SIZES = (7, 9, 11, 13, 15, 17, 19, 21)
TYPES = ("iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
         "plateau_aniso", "sinc", "pulse")
TYPE_CODE = {name: code for code, name in enumerate(TYPES)}
FAMILY = {"iso": "gaussian", "aniso": "gaussian", "generalized_iso": "generalized",
          "generalized_aniso": "generalized", "plateau_iso": "plateau",
          "plateau_aniso": "plateau"}


@dataclass(frozen=True)
class KernelOptions:
    """One stage's kernel options of ``RealESRGANDataset`` (the yml's ``kernel_list`` ...)."""

    kernel_prob: tuple[float, ...] = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)   # TYPES[:6] order
    sinc_prob: float = 0.1
    blur_sigma: tuple[float, float] = (0.2, 3.0)
    betag_range: tuple[float, float] = (0.5, 4.0)
    betap_range: tuple[float, float] = (1.0, 2.0)


# train_realesrgan_x4plus.yml (datasets.train): stage 1, stage 2 and the final sinc probability.
X4PLUS_KERNELS = (KernelOptions(), KernelOptions(blur_sigma=(0.2, 1.5)), 0.8)

UNIFORMS_PER_KERNEL = 8
UNIFORMS_PER_SAMPLE = 2 * UNIFORMS_PER_KERNEL + 3


def _grid() -> tuple[tf.Tensor, tf.Tensor]:
    axis = tf.range(-(GRID // 2), GRID // 2 + 1, dtype=tf.float64)
    y, x = tf.meshgrid(axis, axis, indexing="ij")
    return x, y


def _size_mask(size: tf.Tensor) -> tf.Tensor:
    """``[..., 21, 21]`` 1 inside the centred ``size x size`` square, 0 outside."""
    x, y = _grid()
    half = tf.cast(size, tf.float64)[..., None, None] // 2
    return tf.cast(tf.maximum(tf.abs(x), tf.abs(y)) <= half, tf.float64)


def _normalised(kernel: tf.Tensor, size: tf.Tensor) -> tf.Tensor:
    kernel = kernel * _size_mask(size)
    return kernel / tf.reduce_sum(kernel, axis=[-2, -1], keepdims=True)


def bivariate_kernel(family: tf.Tensor, size: tf.Tensor, sig_x: tf.Tensor, sig_y: tf.Tensor,
                     theta: tf.Tensor, beta: tf.Tensor) -> tf.Tensor:
    """``[..., 21, 21]`` float64 kernels; ``family`` 0 Gaussian, 1 generalized, 2 plateau.

    Every argument is a tensor of the same leading shape (``beta`` unused by Gaussians).
    """
    f64 = lambda v: tf.cast(v, tf.float64)[..., None, None]
    sig_x, sig_y, theta, beta = f64(sig_x), f64(sig_y), f64(theta), f64(beta)
    x, y = _grid()
    cos, sin = tf.cos(theta), tf.sin(theta)
    # S^-1 = R diag(1/sx^2, 1/sy^2) R^T; q = [x y] S^-1 [x y]^T.
    a, b = 1.0 / sig_x**2, 1.0 / sig_y**2
    inv_xx = a * cos * cos + b * sin * sin
    inv_yy = a * sin * sin + b * cos * cos
    inv_xy = (a - b) * cos * sin
    q = inv_xx * x * x + 2.0 * inv_xy * x * y + inv_yy * y * y
    family = f64(family)
    gaussian = tf.exp(-0.5 * q)
    q_beta = tf.pow(q, beta)
    generalized = tf.exp(-0.5 * q_beta)
    plateau = 1.0 / (q_beta + 1.0)
    kernel = tf.where(family == 0, gaussian, tf.where(family == 1, generalized, plateau))
    return _normalised(kernel, size)


def sinc_kernel(cutoff: tf.Tensor, size: tf.Tensor) -> tf.Tensor:
    """``[..., 21, 21]`` float64 ``circular_lowpass_kernel(cutoff, size)``, zero-padded."""
    cutoff = tf.cast(cutoff, tf.float64)[..., None, None]
    x, y = _grid()
    r = tf.sqrt(x * x + y * y)
    safe_r = tf.where(r > 0, r, 1.0)
    kernel = cutoff * tf.math.special.bessel_j1(cutoff * safe_r) / (2.0 * math.pi * safe_r)
    kernel = tf.where(r > 0, kernel, cutoff**2 / (4.0 * math.pi))
    return _normalised(kernel, size)


def pulse_kernel(shape=()) -> tf.Tensor:
    """``[..., 21, 21]`` identity kernels (1 at the centre), float64."""
    x, y = _grid()
    pulse = tf.cast((x == 0) & (y == 0), tf.float64)
    return tf.broadcast_to(pulse, tf.concat([tf.cast(shape, tf.int32), [GRID, GRID]], 0))


def kernel_from_spec(spec: dict) -> tf.Tensor:
    """One 21x21 float64 kernel from explicit parameters, as the fixtures' ``cases.json`` name
    them (``type``, ``kernel_size``, ``sig_x``, ``sig_y``, ``theta``, ``beta``, ``cutoff``)."""
    kind = spec["type"]
    if kind == "pulse":
        return pulse_kernel()
    if kind == "sinc":
        return sinc_kernel(spec["cutoff"], spec["kernel_size"])
    family = ("gaussian", "generalized", "plateau").index(FAMILY[kind])
    iso = kind.endswith("iso") and not kind.endswith("aniso")
    sig_y = spec["sig_x"] if iso else spec["sig_y"]
    theta = 0.0 if iso else spec["theta"]
    return bivariate_kernel(family, spec["kernel_size"], spec["sig_x"], sig_y, theta,
                            spec.get("beta") or 1.0)


def _f64(value: float) -> tf.Tensor:
    return tf.constant(value, tf.float64)


def _between(u: tf.Tensor, lo, hi) -> tf.Tensor:
    return lo + (hi - lo) * u


def _kernel_size(u: tf.Tensor) -> tf.Tensor:
    """``random.choice([7, 9, ..., 21])`` from one uniform."""
    index = tf.minimum(tf.cast(u * len(KERNEL_SIZES), tf.int32), len(KERNEL_SIZES) - 1)
    return tf.gather(tf.constant(KERNEL_SIZES, tf.int32), index)


def _blur_kernel(u: tf.Tensor, opt: KernelOptions) -> tuple[tf.Tensor, dict]:
    """Kernel 1 or 2 of ``RealESRGANDataset.__getitem__`` from uniforms ``u[..., 8]``:
    size, sinc?, (omega | type, sigma_x, sigma_y, theta, beta branch, beta)."""
    u = tf.cast(u, tf.float64)
    size = _kernel_size(u[..., 0])
    is_sinc = u[..., 1] < opt.sinc_prob
    omega_lo = tf.where(size < 13, _f64(math.pi / 3), _f64(math.pi / 5))
    omega = _between(u[..., 2], omega_lo, math.pi)
    cumulative = tf.constant([sum(opt.kernel_prob[:i + 1]) / sum(opt.kernel_prob)
                              for i in range(6)], tf.float64)
    kind = tf.minimum(tf.reduce_sum(tf.cast(u[..., 2:3] >= cumulative, tf.int32), -1), 5)
    aniso = (kind % 2) == 1
    family = kind // 2
    sig_x = _between(u[..., 3], *opt.blur_sigma)
    sig_y = tf.where(aniso, _between(u[..., 4], *opt.blur_sigma), sig_x)
    theta = tf.where(aniso, _between(u[..., 5], -math.pi, math.pi), _f64(0.0))
    beta_range = [tf.where(family == 1, _f64(g), _f64(p))
                  for g, p in zip(opt.betag_range, opt.betap_range)]
    low_branch = u[..., 6] < 0.5
    beta = tf.where(low_branch, _between(u[..., 7], beta_range[0], 1.0),
                    _between(u[..., 7], 1.0, beta_range[1]))
    beta = tf.where(family == 0, _f64(1.0), beta)
    kernel = tf.where(is_sinc[..., None, None], sinc_kernel(omega, size),
                      bivariate_kernel(family, size, sig_x, sig_y, theta, beta))
    code = tf.where(is_sinc, TYPE_CODE["sinc"], kind)
    nan = tf.constant(math.nan, tf.float64)
    params = {"type": code, "kernel_size": size,
              "sigma_x": tf.where(is_sinc, nan, sig_x), "sigma_y": tf.where(is_sinc, nan, sig_y),
              "theta": tf.where(is_sinc, nan, theta),
              "beta": tf.where(is_sinc | (family == 0), nan, beta),
              "omega": tf.where(is_sinc, omega, nan)}
    return kernel, params


def _final_sinc(u: tf.Tensor, final_sinc_prob: float) -> tuple[tf.Tensor, dict]:
    """The final sinc of the dataset from uniforms ``u[..., 3]``: sinc?, size, omega in
    U(pi/3, pi), else the 21x21 pulse."""
    u = tf.cast(u, tf.float64)
    is_sinc = u[..., 0] < final_sinc_prob
    size = _kernel_size(u[..., 1])
    omega = _between(u[..., 2], math.pi / 3, math.pi)
    kernel = tf.where(is_sinc[..., None, None], sinc_kernel(omega, size),
                      pulse_kernel(tf.shape(is_sinc)))
    nan = tf.constant(math.nan, tf.float64)
    return kernel, {"type": tf.where(is_sinc, TYPE_CODE["sinc"], TYPE_CODE["pulse"]),
                    "kernel_size": tf.where(is_sinc, size, GRID),
                    "omega": tf.where(is_sinc, omega, nan)}


def draw_kernels(u: tf.Tensor, options=X4PLUS_KERNELS) -> tuple[dict, dict]:
    """(kernels, params) of one sample (or ``[...]`` samples) from ``u[..., 19]`` uniforms.

    kernels: ``kernel1``, ``kernel2``, ``sinc_kernel``, float32 ``[..., 21, 21]``; params: the
    drawn type code / size / sigmas / theta / beta / omega of each (NaN where not drawn).
    """
    first, second, final_prob = options
    n = UNIFORMS_PER_KERNEL
    k1, p1 = _blur_kernel(u[..., :n], first)
    k2, p2 = _blur_kernel(u[..., n:2 * n], second)
    k3, p3 = _final_sinc(u[..., 2 * n:], final_prob)
    kernels = {"kernel1": k1, "kernel2": k2, "sinc_kernel": k3}
    params = {f"{stage}__{name}": value for stage, p in (("kernel1", p1), ("kernel2", p2),
                                                         ("final", p3)) for name, value in p.items()}
    return {k: tf.cast(v, tf.float32) for k, v in kernels.items()}, params


def sample_kernels(seed: tf.Tensor, options=X4PLUS_KERNELS) -> tuple[dict, dict]:
    """:func:`draw_kernels` from a stateless seed (shape ``[2]``): one sample's kernels."""
    u = tf.random.stateless_uniform([UNIFORMS_PER_SAMPLE], seed, dtype=tf.float64)
    return draw_kernels(u, options)
