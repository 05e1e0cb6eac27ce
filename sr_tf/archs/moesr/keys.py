"""MoESR state dicts (spandrel ``MoESR``): keys are our layer paths except the layer scales
(``...gamma`` -> ``...gamma.scale``); depthwise kernels are laid out for ``DepthwiseConv2D``.
The upsampler, scale and its width are read from the uint8 ``upscale.MetaUpsample`` buffer
(dropped, with DySample's ``init_pos``)."""

from __future__ import annotations

from sr_tf.archs.moesr.model import UPSAMPLERS
from sr_tf.archs.spec import Detected, StateDict, count_indices, drop, rename
from sr_tf.layers.torch_layout import depthwise_kernels

NAME = "moesr"
REQUIRED = ("in_to_dim.weight", "blocks.0.blocks.0.gamma", "blocks.0.blocks.0.fc1.weight",
            "blocks.0.blocks.0.conv.dwconv_hw.weight", "blocks.0.msg.gated.0.fc1.weight",
            "upscale.MetaUpsample")


def detect(state: StateDict) -> Detected | None:
    if not all(k in state for k in REQUIRED) or state["in_to_dim.weight"].shape[1] != 3:
        return None
    _, index, scale, _, out_ch, upsample_dim, _ = (int(v) for v in state["upscale.MetaUpsample"])
    if index >= len(UPSAMPLERS) or out_ch != 3:
        return None
    dim = state["in_to_dim.weight"].shape[0]
    fc1, msg_fc1 = state["blocks.0.blocks.0.fc1.weight"], state["blocks.0.msg.gated.0.fc1.weight"]
    n_blocks = count_indices(state, r"^blocks\.(\d+)\.")
    n_block = count_indices(state, r"^blocks\.0\.blocks\.(\d+)\.")
    kwargs = {"dim": dim, "n_blocks": n_blocks, "n_block": n_block,
              "expansion_factor": fc1.shape[0] / fc1.shape[1] / 2,
              "expansion_msg": msg_fc1.shape[0] / msg_fc1.shape[1] / 2,
              "upsampler": UPSAMPLERS[index], "upsample_dim": upsample_dim}
    return Detected(NAME, scale, kwargs, f"MoESR, {dim} dim, {n_blocks}x{n_block} blocks, "
                                         f"{UPSAMPLERS[index]} upsampler, x{scale}")


def normalise(state: StateDict) -> StateDict:
    state = drop(state, r"^upscale\.(MetaUpsample|0\.init_pos)$")
    state = rename(state, [(r"\.gamma$", ".gamma.scale")])
    return depthwise_kernels(state, r"\.conv\.dwconv_(hw|w|h)\.weight$")
