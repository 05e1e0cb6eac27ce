"""MATLAB ``rgb2ycbcr``/``ycbcr2rgb`` (ITU-R BT.601, studio swing) on float images in [0, 255]
(or in [0, ``peak``]: the matrix is the same, the offsets scale)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

# Rows give Y, Cb, Cr from R, G, B in [0, 1]; results are in [0, 255] after the offset.
# numpy, not tf.constant: no TF op may run at import (MultiWorkerMirroredStrategy needs that).
_RGB_TO_YCBCR = np.array([[65.481, 128.553, 24.966],
                          [-37.797, -74.203, 112.0],
                          [112.0, -93.786, -18.214]], np.float32)
_YCBCR_TO_RGB = np.linalg.inv(_RGB_TO_YCBCR.astype(np.float64)).astype(np.float32)
_OFFSET = np.array([16.0, 128.0, 128.0], np.float32)


def rgb_to_ycbcr(rgb: tf.Tensor, peak: float = 255.0) -> tf.Tensor:
    """RGB [..., 3] in [0, peak] to YCbCr [..., 3] in [0, peak] (MATLAB ``rgb2ycbcr``, unrounded)."""
    offset = _OFFSET * (peak / 255.0)
    return _transform(rgb, _RGB_TO_YCBCR / 255.0) + offset


def ycbcr_to_rgb(ycbcr: tf.Tensor, peak: float = 255.0) -> tf.Tensor:
    """Inverse of :func:`rgb_to_ycbcr`: YCbCr [..., 3] in [0, peak] to RGB in [0, peak]
    (unclipped)."""
    offset = _OFFSET * (peak / 255.0)
    return _transform(tf.cast(ycbcr, tf.float32) - offset, _YCBCR_TO_RGB * 255.0)


def _transform(pixels: tf.Tensor, matrix: np.ndarray) -> tf.Tensor:
    """``matrix @ pixel`` for every pixel of ``[..., 3]``, as one ``[pixels, 3] x [3, 3]``
    product: ``tf.linalg.matvec`` broadcasts through a 5-D batch matmul on ``[N, H, W, 3]``,
    which LiteRT's GPU delegate cannot hold (exported SRCNN/VDSR convert colours)."""
    return tf.tensordot(tf.cast(pixels, tf.float32), matrix.T, axes=1)


def luminance(image: tf.Tensor) -> tf.Tensor:
    """Y channel [..., 1] in [0, 255] of an RGB or single-channel image in [0, 255].

    A single-channel (greyscale) image is its own Y, as in the benchmark code (no rgb2ycbcr scaling).
    """
    image = tf.cast(image, tf.float32)
    if image.shape[-1] == 1:
        return image
    return rgb_to_ycbcr(image)[..., :1]
