"""Swin2SR weights: mv-lab/swin2sr names, which our layers use.

Read from keys and shapes: ``embed_dim`` (``conv_first``), depths (block count), heads
(``logit_scale``), window (the ``relative_position_index`` buffer), ``mlp_ratio`` (``fc1``),
upsampler and scale, ``resi_connection``. Not stored: ``img_range`` (1.0 for every SR release;
spandrel assumes 255 only for the window-7 JPEG models, which have no upsampler).
"""

from __future__ import annotations

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop
from sr_tf.archs.window_keys import BUFFERS, check_rgb, ratio, reconstruction, window_of_index

NAME = "swin2sr"
BLOCK = "layers.{}.residual_group.blocks.{}"


def detect(state: StateDict) -> Detected | None:
    first = BLOCK.format(0, 0) + ".attn"
    if not {"conv_first.weight", "patch_embed.proj.weight", f"{first}.cpb_mlp.0.weight",
            f"{first}.logit_scale", f"{first}.relative_position_index"} <= set(state):
        return None
    check_rgb(state, "Swin2SR")
    groups = count_indices(state, r"^layers\.(\d+)\.residual_group\.blocks\.0\.norm1\.weight$")
    embed_dim = int(state["conv_first.weight"].shape[0])
    upsampler, scale, _ = reconstruction(state, "Swin2SR")
    kwargs = {
        "embed_dim": embed_dim,
        "depths": [count_indices(state, rf"^layers\.{i}\.residual_group\.blocks\.(\d+)\.norm1\.")
                   for i in range(groups)],
        "num_heads": [int(state[BLOCK.format(i, 0) + ".attn.logit_scale"].shape[0])
                      for i in range(groups)],
        "window_size": window_of_index(state[f"{first}.relative_position_index"]),
        "mlp_ratio": ratio(state[BLOCK.format(0, 0) + ".mlp.fc1.weight"].shape[0], embed_dim),
        "upsampler": upsampler,
        "resi_connection": "3conv" if "conv_after_body.0.weight" in state else "1conv",
        "img_range": 1.0}
    return Detected(NAME, scale, kwargs,
                    f"Swin2SR x{scale}, {upsampler}, embed_dim {embed_dim}, depths "
                    f"{kwargs['depths']}, heads {kwargs['num_heads']}, window "
                    f"{kwargs['window_size']}, mlp_ratio {kwargs['mlp_ratio']}, "
                    f"{kwargs['resi_connection']}; img_range 1.0 (not stored in the weights: "
                    "override with --config.model.kwargs.img_range)")


def normalise(state: StateDict) -> StateDict:
    """Official names are ours; index, coordinate-table and mask buffers are dropped."""
    return drop(state, BUFFERS)
