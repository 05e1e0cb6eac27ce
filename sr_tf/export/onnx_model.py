"""ONNX (``.onnx``) conversion with tf2onnx: float32, dynamic batch/height/width, uint8 RGB I/O.

Two tf2onnx 1.17 gaps are filled here, each checked by a test against TensorFlow:
- integer ``FloorMod``/``FloorDiv`` become a truncating remainder/division, wrong for negative
  operands (``(-13) % 4`` gives -1, not 3): mapped to ONNX ``Mod`` (floor semantics for integers);
- ``Erfc`` (Keras 3's exact GELU, used by window-attention models) has no handler: ``1 - Erf``.
Any other TF op without an ONNX equivalent stops the export with an :class:`ExportError` naming
it, instead of writing a file that onnxruntime refuses to load.
"""

from __future__ import annotations

import logging

import keras
import numpy as np
import onnx
from onnx import TensorProto

from sr_tf.export.portable import (METADATA_KEY, ExportError, blocked, encode_metadata,
                                   uint8_function)

OPSET = 17
_FLOATS = (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE)


def _floor_mod(ctx, node, name, args):
    """TF ``FloorMod``; integers by ``Mod(fmod=0)``, whose result takes the divisor's sign."""
    from tf2onnx.onnx_opset.math import FloorMod
    if ctx.get_dtype(node.input[0]) in _FLOATS:
        return FloorMod.version_7(ctx, node)
    node.type = "Mod"
    node.set_attr("fmod", 0)
    return None


def _floor_div(ctx, node, name, args):
    """TF ``FloorDiv``; integers as ``(x - floormod(x, y)) / y``, an exact division."""
    from tf2onnx.onnx_opset.math import FloorDiv
    if ctx.get_dtype(node.input[0]) in _FLOATS:
        return FloorDiv.version_6(ctx, node)
    x, y = node.input[0], node.input[1]
    remainder = ctx.make_node("Mod", [x, y], attr={"fmod": 0})
    exact = ctx.make_node("Sub", [x, remainder.output[0]])
    node.type = "Div"
    ctx.replace_inputs(node, [exact.output[0], y])
    return None


def _erfc(ctx, node, name, args):
    """TF ``Erfc`` as ``1 - Erf(x)``."""
    from tf2onnx import utils
    dtype = utils.map_onnx_to_numpy_type(ctx.get_dtype(node.input[0]))
    one = ctx.make_const(utils.make_name("one"), np.array(1, dtype))
    erf = ctx.make_node("Erf", [node.input[0]])
    node.type = "Sub"
    ctx.replace_inputs(node, [one.output[0], erf.output[0]])
    return None


HANDLERS = {"FloorMod": (_floor_mod, []), "FloorDiv": (_floor_div, []), "Erfc": (_erfc, [])}


def check_loads(proto: onnx.ModelProto) -> None:
    """Raise :class:`ExportError` unless onnxruntime accepts the graph: tf2onnx can write nodes
    that pass ``onnx.checker`` and fail onnxruntime's type inference (a ``Conv`` inside an
    ``If`` branch, as in RGT)."""
    import onnxruntime
    try:
        onnxruntime.InferenceSession(proto.SerializeToString(),
                                     providers=["CPUExecutionProvider"])
    except Exception as err:    # onnxruntime raises its own unexported exception classes
        detail = str(err).strip().splitlines()[0]
        detail = detail[detail.rfind("Op ("):] if "Op (" in detail else detail[-200:]
        raise ExportError(f"cannot export to onnx: onnxruntime refuses the converted graph "
                          f"({detail})") from None


def convert(model: keras.Model, scale: int, meta: dict) -> bytes:
    """The ``.onnx`` bytes of ``model``, with ``meta`` in its ``sr_tf`` metadata property."""
    import tf2onnx
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    function = uint8_function(model, scale)
    try:
        proto, _ = tf2onnx.convert.from_function(
            function, input_signature=function.input_signature, opset=OPSET,
            custom_op_handlers=dict(HANDLERS))
    except ValueError as err:   # tf2onnx raises ValueError for ops it cannot map at all
        raise blocked("onnx", [], str(err).splitlines()[0]) from None
    unknown = [node for node in proto.graph.node
               if not onnx.defs.has(node.op_type, node.domain or "")]
    if unknown:
        layers = dict.fromkeys(n.name.split("/")[1] for n in unknown if n.name.count("/") > 1)
        raise blocked("onnx", sorted(n.op_type for n in unknown),
                      f"in layer {', '.join(layers)}" if layers else "")
    onnx.checker.check_model(proto)
    check_loads(proto)
    onnx.helper.set_model_props(proto, {METADATA_KEY: encode_metadata(meta).decode()})
    return proto.SerializeToString()


__all__ = ["HANDLERS", "OPSET", "convert"]
