"""RGT weights: zhengchen1999/RGT names; ``before_RG.1`` is our ``patch_embed.norm``, a block's
``gamma`` our ``layerscale``.

Read from keys and shapes: ``embed_dim``, depths, heads (twice the branch heads of the
position-bias MLP), ``split_size`` (branch 0's buffers, as DAT), ``mlp_ratio`` (``mlp.fc1``),
``c_ratio`` (RG-SA's ``q``), ``qkv_bias``, scale, ``resi_connection``. The ``attn_mask_0/1``
buffers (built for a 64 x 64 layout whatever the training size) are dropped: our masks come
from the runtime size. Not stored: ``img_range`` (1.0 in every release).
"""

from __future__ import annotations

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop, rename
from sr_tf.archs.window_keys import BUFFERS, check_rgb, ratio, reconstruction, split_size

NAME = "rgt"
BRANCH = "layers.0.blocks.0.attn.attns.0"


def detect(state: StateDict) -> Detected | None:
    if not {"conv_first.weight", "before_RG.1.weight", f"{BRANCH}.pos.pos_proj.weight",
            "layers.0.blocks.0.attn.get_v.weight", "layers.0.blocks.0.gamma"} <= set(state):
        return None
    check_rgb(state, "RGT")
    groups = count_indices(state, r"^layers\.(\d+)\.blocks\.0\.norm1\.weight$")
    embed_dim = int(state["conv_first.weight"].shape[0])
    upsampler, scale, _ = reconstruction(state, "RGT")
    if upsampler != "pixelshuffle":
        return None
    q = "layers.0.blocks.1.attn.q.weight"
    kwargs = {
        "embed_dim": embed_dim,
        "depth": [count_indices(state, rf"^layers\.{i}\.blocks\.(\d+)\.norm1\.")
                  for i in range(groups)],
        "num_heads": [2 * int(state[f"layers.{i}.blocks.0.attn.attns.0.pos.pos3.2.weight"]
                              .shape[0]) for i in range(groups)],
        "mlp_ratio": ratio(state["layers.0.blocks.0.mlp.fc1.weight"].shape[0], embed_dim),
        "qkv_bias": "layers.0.blocks.0.attn.qkv.bias" in state,
        "img_range": 1.0,
        "resi_connection": "3conv" if "conv_after_body.0.weight" in state else "1conv",
        "split_size": split_size(state[f"{BRANCH}.rpe_biases"],
                                 state[f"{BRANCH}.relative_position_index"]),
        "c_ratio": ratio(state[q].shape[0], embed_dim) if q in state else 0.5}
    return Detected(NAME, scale, kwargs,
                    f"RGT x{scale}, embed_dim {embed_dim}, depth {kwargs['depth']}, heads "
                    f"{kwargs['num_heads']}, split_size {kwargs['split_size']}, mlp_ratio "
                    f"{kwargs['mlp_ratio']}, c_ratio {kwargs['c_ratio']}; img_range 1.0 (not "
                    "stored in the weights: override with --config.model.kwargs.img_range)")


def normalise(state: StateDict) -> StateDict:
    """``before_RG.1`` -> ``patch_embed.norm``, ``gamma`` -> ``layerscale``; buffers dropped."""
    return rename(drop(state, BUFFERS), [(r"^before_RG\.1\.", "patch_embed.norm."),
                                         (r"(\.blocks\.\d+)\.gamma$", r"\1.layerscale")])
