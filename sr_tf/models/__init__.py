"""Build the registered generators (:data:`sr_tf.archs.ARCHITECTURES`) and the discriminators.

Generators come in two input conventions (:attr:`sr_tf.archs.spec.Architecture.channels`):
- ``"rgb"``: RGB LR in [0, 1] -> RGB SR in [0, 1] (SRResNet, EDSR, RRDB, ...).
- ``"y"``: Y channel in [0, 1] of the bicubic-upscaled LR -> Y in [0, 1] (SRCNN, VDSR).
:mod:`sr_tf.inference` turns either into an RGB -> RGB upscaler.
"""

from __future__ import annotations

from typing import Any, Callable

import keras

from sr_tf import archs
from sr_tf.models.discriminators import unet_discriminator, vgg_discriminator

DISCRIMINATORS: dict[str, Callable[..., keras.Model]] = {
    "vgg": vgg_discriminator,
    "unet": unet_discriminator,
}


def build_generator(name: str, scale: int, **kwargs: Any) -> keras.Model:
    """Build generator ``name`` for ``scale`` with architecture keyword arguments."""
    arch = archs.find(name)
    if arch is None:
        raise ValueError(f"unknown generator {name!r}; choose from "
                         f"{', '.join(a.name for a in archs.ARCHITECTURES)}")
    if scale not in arch.scales:
        raise ValueError(f"{name} supports scale {', '.join(map(str, arch.scales))}; got {scale}")
    return arch.build(scale=scale, **kwargs) if arch.takes_scale else arch.build(**kwargs)


def build_discriminator(name: str, **kwargs: Any) -> keras.Model:
    """Build discriminator ``name`` (``vgg`` or ``unet``)."""
    if name not in DISCRIMINATORS:
        raise ValueError(f"unknown discriminator {name!r}; choose from {', '.join(DISCRIMINATORS)}")
    return DISCRIMINATORS[name](**kwargs)


def input_channels(model: keras.Model) -> str:
    """``"y"`` for a single-channel-input generator, else ``"rgb"`` (works on loaded models too)."""
    return "y" if model.input_shape[-1] == 1 else "rgb"


__all__ = ["DISCRIMINATORS", "build_generator", "build_discriminator", "input_channels",
           "vgg_discriminator", "unet_discriminator"]
