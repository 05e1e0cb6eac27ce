"""DAT weights: zhengchen1999/DAT names; ``before_RG.1`` is our ``patch_embed.norm`` and the
adaptive-interaction convs of each attention sit in our ``attn.aim``.

Read from keys and shapes: ``embed_dim`` (``conv_first``), depths (block count), heads (the
channel attention's ``temperature``, or the spatial branches' bias MLP), ``split_size`` (the
``rpe_biases`` buffer of branch 0: ``(2 sh - 1)(2 sw - 1)`` offsets, and the
``relative_position_index`` buffer: ``sh sw`` tokens), ``expansion_factor`` (``ffn.fc1``),
``qkv_bias``, upsampler, scale, ``resi_connection``. The ``attn_mask_0/1`` buffers are built for
the training ``img_size`` and dropped: our masks come from the runtime size. Not stored:
``img_range`` (1.0 in every release).
"""

from __future__ import annotations

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop, rename
from sr_tf.archs.window_keys import BUFFERS, check_rgb, ratio, reconstruction, split_size

NAME = "dat"
BRANCH = "layers.0.blocks.0.attn.attns.0"


def heads(state: StateDict, group: int) -> int:
    """Heads of a group: the channel attention's temperature, else twice the branch heads."""
    temperature = f"layers.{group}.blocks.1.attn.temperature"
    if temperature in state:
        return int(state[temperature].shape[0])
    return 2 * int(state[f"layers.{group}.blocks.0.attn.attns.0.pos.pos3.2.weight"].shape[0])


def detect(state: StateDict) -> Detected | None:
    if not {"conv_first.weight", "before_RG.1.weight", f"{BRANCH}.pos.pos_proj.weight",
            "layers.0.blocks.0.ffn.sg.conv.weight",
            "layers.0.blocks.0.attn.dwconv.0.weight"} <= set(state):
        return None
    check_rgb(state, "DAT")
    groups = count_indices(state, r"^layers\.(\d+)\.blocks\.0\.norm1\.weight$")
    embed_dim = int(state["conv_first.weight"].shape[0])
    upsampler, scale, _ = reconstruction(state, "DAT")
    if upsampler == "nearest+conv":
        return None
    kwargs = {
        "embed_dim": embed_dim, "split_size": split_size(state[f"{BRANCH}.rpe_biases"],
                                 state[f"{BRANCH}.relative_position_index"]),
        "depth": [count_indices(state, rf"^layers\.{i}\.blocks\.(\d+)\.norm1\.")
                  for i in range(groups)],
        "num_heads": [heads(state, i) for i in range(groups)],
        "expansion_factor": ratio(state["layers.0.blocks.0.ffn.fc1.weight"].shape[0], embed_dim),
        "qkv_bias": "layers.0.blocks.0.attn.qkv.bias" in state,
        "img_range": 1.0,
        "resi_connection": "3conv" if "conv_after_body.0.weight" in state else "1conv",
        "upsampler": upsampler}
    return Detected(NAME, scale, kwargs,
                    f"DAT x{scale}, {upsampler}, embed_dim {embed_dim}, split_size "
                    f"{kwargs['split_size']}, depth {kwargs['depth']}, heads "
                    f"{kwargs['num_heads']}, expansion_factor {kwargs['expansion_factor']}, "
                    f"{kwargs['resi_connection']}; img_range 1.0 (not stored in the weights: "
                    "override with --config.model.kwargs.img_range)")


def normalise(state: StateDict) -> StateDict:
    """``before_RG.1`` -> ``patch_embed.norm``, AIM convs -> ``attn.aim``; buffers dropped."""
    state = drop(state, BUFFERS + r"|\.num_batches_tracked$")
    return rename(state, [(r"^before_RG\.1\.", "patch_embed.norm."),
                          (r"\.attn\.(dwconv|channel_interaction|spatial_interaction)\.",
                           r".attn.aim.\1.")])
