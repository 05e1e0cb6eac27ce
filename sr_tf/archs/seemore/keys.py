"""SeemoRe state dicts (spandrel ``SeemoRe``): keys are our layer paths; depthwise kernels are
laid out for ``DepthwiseConv2D``.

Not stored (config only): ``img_range``, ``use_shuffle``, ``recursive``, ``topk``. Detection
assumes spandrel's values: the official Tiny (6 layers, 36 dim) and Big (8, 48) settings
(shuffle, recursive 2, top-1), Large (16, 48) without shuffle and recursive 1, else the
constructor defaults (shuffle, recursive 2, top-1, img_range 1).
"""

from __future__ import annotations

import math

from sr_tf.archs.seemore.model import LR_SPACES
from sr_tf.archs.spec import Detected, StateDict, count_indices
from sr_tf.layers.torch_layout import depthwise_kernels

NAME = "seemore"
BLOCK = "body.0.local_block.block"
REQUIRED = ("conv_1.weight", "norm.weight", "conv_2.weight", "upsampler.0.weight",
            f"{BLOCK}.conv_1.0.weight", f"{BLOCK}.agg_conv.0.weight",
            f"{BLOCK}.moe_layer.experts.0.conv_1.weight", f"{BLOCK}.moe_layer.gate.body.2.weight",
            "body.0.global_block.block.attn.conv.0.weight", "body.0.global_block.ffn.gate.weight")
DEPTHWISE = (r"(\.conv_2\.0\.conv\.\d|\.attn\.conv\.\d|\.agg_conv\.0|\.block\.conv\.0|\.gate)"
             r"\.weight$")


def _lr_space(state: StateDict, num_experts: int) -> str:
    """The expert ranks' growth: the first rank that tells them apart (2 experts cannot tell
    exp from double: both give 2, 4; spandrel then says double, as here)."""
    ranks = [state[f"{BLOCK}.moe_layer.experts.{i}.conv_1.weight"].shape[0]
             for i in range(min(num_experts, 3))]
    return next((s for s in ("linear", "double", "exp")
                 if [LR_SPACES[s](i) for i in range(len(ranks))] == ranks), "linear")


def detect(state: StateDict) -> Detected | None:
    if not all(k in state for k in REQUIRED) or state["conv_1.weight"].shape[1] != 3:
        return None
    dim = state["conv_1.weight"].shape[0]
    num_layers = count_indices(state, r"^body\.(\d+)\.")
    num_experts = count_indices(state, rf"^{BLOCK}\.moe_layer\.experts\.(\d+)\.")
    large = num_layers == 16 and dim == 48
    kwargs = {"num_experts": num_experts, "num_layers": num_layers, "embedding_dim": dim,
              "global_kernel_size": state["body.0.global_block.block.attn.conv.0.weight"].shape[3],
              "lr_space": _lr_space(state, num_experts), "use_shuffle": not large,
              "recursive": 1 if large else 2, "topk": 1}
    scale = math.isqrt(state["upsampler.0.weight"].shape[0] // 3)
    return Detected(NAME, scale, kwargs,
                    f"SeemoRe, {dim} dim, {num_layers} layers, {num_experts} experts "
                    f"({kwargs['lr_space']}), x{scale} (assumed, not stored: use_shuffle="
                    f"{kwargs['use_shuffle']}, recursive={kwargs['recursive']}, topk=1, "
                    f"img_range=1)")


def normalise(state: StateDict) -> StateDict:
    return depthwise_kernels(state, DEPTHWISE)
