"""Model zoo: generator registry and discriminators.

Generators come in two input conventions, recorded in :data:`GENERATORS`:
- ``"rgb"``: RGB LR in [0, 1] -> RGB SR in [0, 1] (SRResNet, EDSR, RRDB).
- ``"y"``: Y channel in [0, 1] of the bicubic-upscaled LR -> Y in [0, 1] (SRCNN, VDSR).
:mod:`sr_tf.inference` turns either into an RGB -> RGB upscaler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import keras

from sr_tf.archs import ARCHITECTURES
from sr_tf.models.discriminators import unet_discriminator, vgg_discriminator
from sr_tf.models.edsr import edsr
from sr_tf.models.hat import hat
from sr_tf.models.imdn import imdn
from sr_tf.models.rcan import rcan
from sr_tf.models.rdn import rdn
from sr_tf.models.rrdb import rrdb
from sr_tf.models.srcnn import srcnn
from sr_tf.models.srresnet import srresnet
from sr_tf.models.srvgg import srvgg
from sr_tf.models.swinir import swinir
from sr_tf.models.vdsr import vdsr


@dataclass(frozen=True)
class GeneratorSpec:
    """How to build a generator and what it consumes."""

    builder: Callable[..., keras.Model]
    channels: str              # "rgb" or "y"
    scales: tuple[int, ...]

    @property
    def takes_scale(self) -> bool:
        return self.channels == "rgb"


GENERATORS: dict[str, GeneratorSpec] = {
    "srcnn": GeneratorSpec(srcnn, "y", (2, 3, 4)),
    "vdsr": GeneratorSpec(vdsr, "y", (2, 3, 4)),
    "srresnet": GeneratorSpec(srresnet, "rgb", (2, 3, 4)),
    "edsr": GeneratorSpec(edsr, "rgb", (2, 3, 4)),
    "rrdb": GeneratorSpec(rrdb, "rgb", (2, 4)),
    "rcan": GeneratorSpec(rcan, "rgb", (2, 3, 4, 8)),
    "rdn": GeneratorSpec(rdn, "rgb", (2, 3, 4)),
    "imdn": GeneratorSpec(imdn, "rgb", (2, 3, 4)),
    "srvgg": GeneratorSpec(srvgg, "rgb", (2, 3, 4)),
    "swinir": GeneratorSpec(swinir, "rgb", (2, 3, 4, 8)),
    "hat": GeneratorSpec(hat, "rgb", (2, 3, 4, 8)),
    **{a.name: GeneratorSpec(a.build, a.channels, a.scales) for a in ARCHITECTURES},
}

DISCRIMINATORS: dict[str, Callable[..., keras.Model]] = {
    "vgg": vgg_discriminator,
    "unet": unet_discriminator,
}


def build_generator(name: str, scale: int, **kwargs: Any) -> keras.Model:
    """Build generator ``name`` for ``scale`` with architecture keyword arguments."""
    if name not in GENERATORS:
        raise ValueError(f"unknown generator {name!r}; choose from {', '.join(GENERATORS)}")
    spec = GENERATORS[name]
    if scale not in spec.scales:
        raise ValueError(f"{name} supports scale {', '.join(map(str, spec.scales))}; got {scale}")
    return spec.builder(scale=scale, **kwargs) if spec.takes_scale else spec.builder(**kwargs)


def build_discriminator(name: str, **kwargs: Any) -> keras.Model:
    """Build discriminator ``name`` (``vgg`` or ``unet``)."""
    if name not in DISCRIMINATORS:
        raise ValueError(f"unknown discriminator {name!r}; choose from {', '.join(DISCRIMINATORS)}")
    return DISCRIMINATORS[name](**kwargs)


def input_channels(model: keras.Model) -> str:
    """``"y"`` for a single-channel-input generator, else ``"rgb"`` (works on loaded models too)."""
    return "y" if model.input_shape[-1] == 1 else "rgb"


__all__ = ["GENERATORS", "DISCRIMINATORS", "GeneratorSpec", "build_generator",
           "build_discriminator", "input_channels", "edsr", "hat", "imdn", "rcan", "rdn", "rrdb",
           "srcnn", "srresnet", "srvgg", "swinir", "vdsr",
           "vgg_discriminator", "unet_discriminator"]
