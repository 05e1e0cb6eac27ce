"""What LiteRT and ONNX files are converted from, the metadata they carry, and export errors.

Both formats hold the whole RGB -> RGB upscale of :func:`sr_tf.inference.model_upscaler`
(reflect-padding to the model's size multiple, and for Y-channel models the bicubic upscale and
colour conversion), with uint8 pixels in and out:

    image  uint8 [N, H, W, 3], any N, H, W  ->  uint8 [N, s*H, s*W, 3]

so an app feeds camera pixels and draws the result with no float conversion. Tiling and
self-ensemble stay outside the file: :mod:`sr_tf.backends` runs the file under
:func:`sr_tf.inference.tiled_upscale`, as it runs a Keras model.
"""

from __future__ import annotations

import json

import keras
import tensorflow as tf

from sr_tf.errors import UserError
from sr_tf.image_io import to_uint8
from sr_tf.inference import model_upscaler, size_multiple, unit_upscaler

METADATA_KEY = "sr_tf"          # TFLite metadata entry / ONNX metadata_props key
METADATA_VERSION = 1
FORMATS = ("saved_model", "litert", "onnx")
QUANTIZATIONS = ("none", "fp16", "int8")


class ExportError(UserError):
    """A model that cannot be exported as asked; the message says why (e.g. the blocking op)."""


def blocked(fmt: str, ops: list[str], detail: str = "") -> ExportError:
    """The error for a model whose ``ops`` have no kernel in ``fmt``."""
    names = ", ".join(dict.fromkeys(ops)) or "unknown op"
    return ExportError(f"cannot export to {fmt}: no {fmt} kernel for {names}"
                       + (f" ({detail})" if detail else ""))


def uint8_function(model: keras.Model, scale: int) -> tf.types.experimental.PolymorphicFunction:
    """The exported graph: uint8 RGB ``[N, H, W, 3]`` -> uint8 RGB ``[N, sH, sW, 3]``."""
    upscale = model_upscaler(model, scale, portable=True)

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="image")])
    def upscale_uint8(image):
        return to_uint8(upscale(tf.cast(image, tf.float32)))

    return upscale_uint8


def pinned_unit_function(model: keras.Model, scale: int
                         ) -> tf.types.experimental.PolymorphicFunction:
    """The graph an int8 file is quantized from: pixels / 255 in and out, the models' own range,
    each end pinned to [0, 1] by a fake-quant op. 8 bits over [0, 1] is scale 1/255 and zero point
    0, so the file's uint8 input and output still hold plain pixel values, whatever the
    calibration data covers.

    Quantizing in [0, 1] matters: from a graph in [0, 255] (``/ 255`` before the model, ``* 255``
    after), the converter calibrated a model's final ``Add`` as if it were already scaled by 255
    whenever that add mixes in the input (SRVGG's nearest-upsampled skip): 15 dB from float
    instead of 60.
    """
    upscale = unit_upscaler(model, scale, portable=True)

    def pin(x: tf.Tensor) -> tf.Tensor:
        return tf.quantization.fake_quant_with_min_max_args(x, 0.0, 1.0, num_bits=8)

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32, name="image")])
    def upscale_pinned(image):
        return pin(upscale(pin(image)))

    return upscale_pinned


def metadata(model: keras.Model, scale: int, architecture: str, fmt: str,
             quantize: str = "none", calibration: dict | None = None) -> dict:
    """What a runtime needs to tile the file like the Keras model, and what it was made from."""
    return {"metadata_version": METADATA_VERSION, "format": fmt, "architecture": architecture,
            "scale": scale, "multiple": size_multiple(model), "quantize": quantize,
            "input": "image uint8 RGB [N, H, W, 3], any N, H, W",
            "output": f"uint8 RGB [N, {scale}H, {scale}W, 3]",
            **({"calibration": calibration} if calibration else {})}


def encode_metadata(meta: dict) -> bytes:
    return json.dumps(meta, sort_keys=True).encode()


def decode_metadata(raw: bytes | str, source: str) -> dict:
    """Parse the metadata entry of ``source``; a clear error when it is not ours."""
    try:
        meta = json.loads(raw)
        int(meta["scale"]), int(meta["multiple"])
    except (ValueError, KeyError, TypeError) as err:
        raise UserError(f"{source}: unreadable {METADATA_KEY} metadata ({err})") from None
    return meta
