"""FDAT weights: spandrel/neosr FDAT names, which our layers use.

Read from keys and shapes: ``embed_dim`` (``conv_after``), groups, the block pattern and depth
per group (spatial blocks have an attention ``bias``, channel blocks a ``temp``; the pattern is
the shortest repeating run of group 0), heads, ``window_size`` (the bias), the FFN and
interaction ratios, and the upsampler, scale and ``mid_dim`` from the ``upsampler.MetaUpsample``
buffer (``[version 3, kind, scale, in_dim, out_dim, mid_dim, group]``), ``unshuffle_mod`` from
``conv_first.1``. Nothing is assumed: ``img_range`` is unused by FDAT's forward.
"""

from __future__ import annotations

import math

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop
from sr_tf.archs.window_keys import check_rgb, ratio
from sr_tf.errors import WeightImportError

NAME = "fdat"
META = "upsampler.MetaUpsample"
# neosr's SampleMods3, in the order MetaUpsample indexes it.
UPSAMPLER_KINDS = ("conv", "pixelshuffledirect", "pixelshuffle", "nearest+conv", "dysample",
                   "transpose+conv", "lda", "pa_up")


def block_pattern(state: StateDict, blocks: int) -> list[str]:
    """Group 0's block kinds, as their shortest repeating run."""
    kinds = ["spatial" if f"groups.0.blocks.{j}.attn.bias" in state else "channel"
             for j in range(blocks)]
    period = next(p for p in range(1, blocks + 1)
                  if blocks % p == 0 and kinds == kinds[:p] * (blocks // p))
    return kinds[:period]


def detect(state: StateDict) -> Detected | None:
    if not {META, "conv_after.weight", "groups.0.blocks.0.inter.sg.0.weight",
            "groups.0.blocks.0.ffn.smix.weight"} <= set(state):
        return None
    first = "conv_first.1.weight" if "conv_first.1.weight" in state else "conv_first.weight"
    check_rgb(state, "FDAT", first)
    version, kind, inner, _, out_dim, mid_dim, _ = (int(v) for v in state[META])
    if version != 3 or out_dim != 3 or kind >= len(UPSAMPLER_KINDS):
        raise WeightImportError(f"FDAT upsampler {list(state[META])}: only version 3 with RGB output "
                          "is supported")
    upsampler = UPSAMPLER_KINDS[kind]
    if upsampler not in ("transpose+conv", "pixelshuffle", "pixelshuffledirect", "conv"):
        raise WeightImportError(f"FDAT with the {upsampler} upsampler is not supported (ported: "
                          "transpose+conv, pixelshuffle, pixelshuffledirect, conv)")
    embed_dim = int(state["conv_after.weight"].shape[0])
    blocks = count_indices(state, r"^groups\.0\.blocks\.(\d+)\.n1\.weight$")
    pattern = block_pattern(state, blocks)
    spatial = next((j for j in range(blocks)
                    if f"groups.0.blocks.{j}.attn.bias" in state), None)
    channel = next((j for j in range(blocks)
                    if f"groups.0.blocks.{j}.attn.temp" in state), None)
    heads = (state[f"groups.0.blocks.{spatial}.attn.bias"].shape[0] if spatial is not None
             else state[f"groups.0.blocks.{channel}.attn.temp"].shape[0])
    unshuffle = (math.isqrt(state[first].shape[1] // 3) if first == "conv_first.1.weight"
                 else 1)
    scale = inner // unshuffle if unshuffle > 1 else inner
    cg = next((f"groups.0.blocks.{j}.inter.cg.1.weight" for j in range(blocks)
               if f"groups.0.blocks.{j}.inter.cg.1.weight" in state), None)
    kwargs = {
        "embed_dim": embed_dim,
        "num_groups": count_indices(state, r"^groups\.(\d+)\.conv\.weight$"),
        "depth_per_group": blocks // len(pattern), "num_heads": int(heads),
        "window_size": (math.isqrt(state[f"groups.0.blocks.{spatial}.attn.bias"].shape[1])
                        if spatial is not None else 8),
        "ffn_expansion_ratio": ratio(state["groups.0.blocks.0.ffn.fc1.weight"].shape[0],
                                     embed_dim),
        "aim_reduction_ratio": embed_dim // int(state[cg].shape[0]) if cg else 8,
        "group_block_pattern": pattern, "mid_dim": mid_dim, "upsampler_type": upsampler,
        "img_range": 1.0, "unshuffle_mod": unshuffle > 1}
    return Detected(NAME, scale, kwargs,
                    f"FDAT x{scale}, {upsampler}, embed_dim {embed_dim}, {kwargs['num_groups']} "
                    f"groups of {blocks} blocks ({'/'.join(pattern)}), {heads} heads, window "
                    f"{kwargs['window_size']}, ffn x{kwargs['ffn_expansion_ratio']}"
                    + (", pixel-unshuffle input" if unshuffle > 1 else ""))


def normalise(state: StateDict) -> StateDict:
    """Official names are ours. Dropped: the MetaUpsample buffer (read by detect) and the gate
    each block stores but never uses (every interaction holds both; spatial blocks use only
    the channel gate ``inter.cg``, channel blocks only the spatial gate ``inter.sg``)."""
    spatial = {key[:-len(".attn.bias")] for key in state if key.endswith(".attn.bias")}

    def unused(key: str) -> bool:
        block, _, rest = key.partition(".inter.")
        return bool(rest) and rest.startswith("sg." if block in spatial else "cg.")

    state = drop(state, r"^upsampler\.MetaUpsample$")
    return {k: v for k, v in state.items() if not unused(k)}
