"""The ``degradation`` config section as the option objects of this package."""

from __future__ import annotations

import ml_collections

from sr_tf.degradations.kernels import GRID, KernelOptions
from sr_tf.degradations.pipeline import DegradationOptions, StageOptions
from sr_tf.degradations.usm import RADIUS


def kernel_options(d: ml_collections.ConfigDict) -> tuple[KernelOptions, KernelOptions, float]:
    """(stage 1, stage 2, final sinc probability) of ``RealESRGANDataset``."""
    stage = lambda s: KernelOptions(tuple(d[f"kernel_prob{s}"]), d[f"sinc_prob{s}"],
                                    tuple(d[f"blur_sigma{s}"]), tuple(d[f"betag_range{s}"]),
                                    tuple(d[f"betap_range{s}"]))
    return stage(""), stage("2"), d.final_sinc_prob


def degradation_options(d: ml_collections.ConfigDict, scale: int) -> DegradationOptions:
    """``feed_data``'s options at ``scale``."""
    stage = lambda s: StageOptions(tuple(d[f"resize_prob{s}"]), tuple(d[f"resize_range{s}"]),
                                   d[f"gaussian_noise_prob{s}"], tuple(d[f"noise_range{s}"]),
                                   tuple(d[f"poisson_scale_range{s}"]), d[f"gray_noise_prob{s}"],
                                   tuple(d[f"jpeg_range{s}"]))
    return DegradationOptions(scale, stage(""), stage("2"), d.second_blur_prob, d.gt_size)


def min_side(d: ml_collections.ConfigDict, scale: int) -> int:
    """The smallest image side the degradation can take: the 21x21 blurs reflect-pad by 10 (as
    BasicSR's ``filter2D``) and see the image after stage 1's smallest resize and at ``/ scale``;
    the 51-tap USM pads by 25. Smaller images fail (or, for USM, blur wrongly)."""
    side = max(RADIUS // 2 + 1, (GRID // 2 + 1) * scale)
    while int(side * d.resize_range[0]) <= GRID // 2:
        side += 1
    return side
