"""CRAFT weights: AVC2-UESTC/CRAFT-SR names; an SRWAB's ``qkv``, ``proj``, ``get_v`` and
``attns`` sit in our ``attn``, and the restormer-style norms' ``body`` level is dropped.

Read from keys and shapes: ``embed_dim``, depths (fusion blocks per group), heads (the fusion
attention's ``temperature``), split sizes (the ``biases_h`` and ``relative_position_index_h``
buffers), ``mlp_ratio``, ``qkv_bias``, scale, ``resi_connection``. Not stored: ``window_size``
(official default 16, which the released model uses; it sets the padding) and ``img_range``
(1.0).
"""

from __future__ import annotations

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop, rename
from sr_tf.archs.window_keys import (BUFFERS, check_rgb, ratio, reconstruction, split_size)

NAME = "craft"
GROUP = "layers.{}.residual_group"
WINDOW_SIZE = 16


def detect(state: StateDict) -> Detected | None:
    first = GROUP.format(0)
    if not {"conv_first.weight", "biases_h", "relative_position_index_h",
            f"{first}.srwa_blocks.0.attns.0.pos.pos_proj.weight",
            f"{first}.hf_blocks.0.attn.temperature"} <= set(state):
        return None
    check_rgb(state, "CRAFT")
    groups = count_indices(state, r"^layers\.(\d+)\.residual_group\.hf_blocks\.0\.norm1\.")
    embed_dim = int(state["conv_first.weight"].shape[0])
    upsampler, scale, _ = reconstruction(state, "CRAFT")
    if upsampler != "pixelshuffledirect":
        return None
    split_0, split_1 = split_size(state["biases_h"], state["relative_position_index_h"])
    kwargs = {
        "window_size": WINDOW_SIZE, "embed_dim": embed_dim,
        "depths": [count_indices(state, rf"^layers\.{i}\.residual_group\.hf_blocks\.(\d+)\."
                                        r"norm1\.") for i in range(groups)],
        "num_heads": [int(state[f"{GROUP.format(i)}.hf_blocks.0.attn.temperature"].shape[0])
                      for i in range(groups)],
        "split_size_0": split_0, "split_size_1": split_1,
        "mlp_ratio": ratio(state[f"{first}.srwa_blocks.0.mlp.fc1.weight"].shape[0], embed_dim),
        "qkv_bias": f"{first}.srwa_blocks.0.qkv.bias" in state,
        "img_range": 1.0,
        "resi_connection": "1conv" if "conv_after_body.weight" in state else "identity"}
    return Detected(NAME, scale, kwargs,
                    f"CRAFT x{scale}, embed_dim {embed_dim}, depths {kwargs['depths']}, heads "
                    f"{kwargs['num_heads']}, split sizes {split_0} x {split_1}, mlp_ratio "
                    f"{kwargs['mlp_ratio']}; window_size {WINDOW_SIZE} and img_range 1.0 assumed "
                    "(not stored in the weights: override with "
                    "--config.model.kwargs.window_size / img_range)")


def normalise(state: StateDict) -> StateDict:
    """SRWAB attention parts -> ``attn``, ``norm*.body`` -> ``norm*``; buffers dropped."""
    state = drop(state, BUFFERS + r"|^biases_[hv]$")
    return rename(state, [(r"(\.srwa_blocks\.\d+)\.(qkv|proj|get_v|attns)\.", r"\1.attn.\2."),
                          (r"(^|\.)(norm\d?)\.body\.", r"\1\2.")])
