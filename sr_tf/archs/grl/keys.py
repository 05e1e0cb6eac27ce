"""GRL weights: ofsoundof/GRL-Image-Restoration names, which our layers use; some releases
prefix every key with ``model.``, and ``bsr_grl_base.ckpt`` keeps the generator under
``model_g.`` beside other networks (only those keys are read).

Read from keys and shapes: ``embed_dim``, depths, window and stripe heads (``logit_scale``),
``mlp_ratio``, ``qkv_bias``, ``local_connection`` (CAB), ``conv_type``, upsampler and scale.
Not stored (non-persistent buffers): ``window_size``, ``stripe_size``, ``stripe_shift``,
``anchor_window_down_factor`` and ``img_size`` come from the config, official constructor
defaults unless overridden; an avgpool anchor cannot be told from a maxpool one (avgpool, as
the official configs use, is assumed).
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices
from sr_tf.archs.window_keys import check_rgb, ratio
from sr_tf.errors import WeightImportError

NAME = "grl"
FIRST = "layers.0.blocks.0.attn"
MARKERS = ("conv_first.weight", "norm_start.weight", "norm_end.weight",
           f"{FIRST}.window_attn.attn_transform.logit_scale",
           f"{FIRST}.stripe_attn.attn_transform1.logit_scale")
BUFFERS = ("table_w", "table_sh", "table_sv", "index_w", "index_sh_a2w", "index_sh_w2a",
           "index_sv_a2w", "index_sv_w2a", "mask_w", "mask_sh_a2w", "mask_sh_w2a",
           "mask_sv_a2w", "mask_sv_w2a")
CONFIG_ONLY = ("img_size", "window_size", "stripe_size", "stripe_shift",
               "anchor_window_down_factor")


def unwrap(state: StateDict) -> StateDict:
    """The generator's keys without the ``model.`` / ``model_g.`` prefixes of some releases."""
    for prefix in ("model_g.", "model."):
        if prefix + "conv_first.weight" in state:
            return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    return state


def upsampling(state: StateDict) -> tuple[str, int]:
    if "conv_up1.weight" in state:
        return "nearest+conv", 4
    if "conv_before_upsample.0.weight" in state:
        num_feat = state["conv_before_upsample.0.weight"].shape[0]
        if state["upsample.up.0.weight"].shape[0] == 9 * num_feat:
            return "pixelshuffle", 3
        stages = count_indices(state, r"^upsample\.up\.(\d+)\.weight$") // 2 + 1
        return "pixelshuffle", 2 ** stages
    if "upsample.up.0.weight" in state:
        return "pixelshuffledirect", math.isqrt(state["upsample.up.0.weight"].shape[0] // 3)
    raise WeightImportError("GRL weights without an upsampler (denoising, deblurring, JPEG) are not "
                      "supported")


def conv_type(state: StateDict) -> str:
    weight = state.get("conv_after_body.weight")
    if weight is None:
        return "3conv"
    if weight.ndim == 2:
        return "linear"
    return "1conv1x1" if weight.shape[2] == 1 else "1conv"


def detect(state: StateDict) -> Detected | None:
    state = unwrap(state)
    if not set(MARKERS) <= set(state):
        return None
    check_rgb(state, "GRL")
    if f"{FIRST}.qkv.body.weight" not in state or \
            f"{FIRST}.anchor.body.0.reduction.bias" not in state:
        raise WeightImportError("GRL weights with separable-conv qkv or conv/patch-merging anchors "
                          "are not supported (only linear qkv and pooled anchors)")
    stages = count_indices(state, r"^layers\.(\d+)\.blocks\.0\.norm1\.weight$")
    embed_dim = int(state["conv_first.weight"].shape[0])
    upsampler, scale = upsampling(state)
    heads = "layers.{}.blocks.0.attn.{}.logit_scale"
    kwargs = {
        "embed_dim": embed_dim,
        "depths": [count_indices(state, rf"^layers\.{i}\.blocks\.(\d+)\.norm1\.weight$")
                   for i in range(stages)],
        "num_heads_window": [int(state[heads.format(i, "window_attn.attn_transform")].shape[0])
                             for i in range(stages)],
        "num_heads_stripe": [int(state[heads.format(i, "stripe_attn.attn_transform1")].shape[0])
                             for i in range(stages)],
        "mlp_ratio": ratio(state["layers.0.blocks.0.mlp.fc1.weight"].shape[0], embed_dim),
        "qkv_bias": f"{FIRST}.qkv.body.bias" in state,
        "local_connection": "layers.0.blocks.0.conv.cab.0.weight" in state,
        "conv_type": conv_type(state),
        "upsampler": upsampler}
    return Detected(NAME, scale, kwargs,
                    f"GRL x{scale}, {upsampler}, embed_dim {embed_dim}, depths "
                    f"{kwargs['depths']}, heads {kwargs['num_heads_window']} (window) / "
                    f"{kwargs['num_heads_stripe']} (stripe), mlp_ratio {kwargs['mlp_ratio']}; "
                    "window_size, stripe_size, stripe_shift and anchor_window_down_factor are "
                    "not stored: the config's (official defaults 8, [8, 8], False, 1) are used, "
                    "set them with --model=grl --config.model.kwargs.NAME=VALUE; avgpool "
                    "anchors assumed")


def normalise(state: StateDict) -> StateDict:
    """Prefixes dropped (see :func:`unwrap`); stored position tables and masks dropped."""
    return {k: v for k, v in unwrap(state).items() if k not in BUFFERS}
