"""PAN weights (zhaohengyuan1/PAN): bare state dicts whose keys are our layer names
(``conv_first``, ``SCPA_trunk.N.*``, ``trunk_conv``, ``upconv1``, ``att1.conv``, ``HRconv1``,
x4 also ``upconv2``/``att2``/``HRconv2``, ``conv_last``)."""

from __future__ import annotations

from sr_tf.archs.spec import Detected, StateDict, count_indices

NAME = "pan"


def detect(state: StateDict) -> Detected | None:
    """``conv_first``, ``SCPA_trunk.0.PAConv``, ``att1.conv`` and ``conv_last``. x2 and x3
    files hold the same tensors (the factor is only in the nearest upsampling): scale None."""
    needed = {"conv_first.weight", "SCPA_trunk.0.PAConv.k2.weight", "att1.conv.weight",
              "conv_last.weight"}
    if not needed <= set(state):
        return None
    nf, in_nc = state["conv_first.weight"].shape[:2]
    unf = state["upconv1.weight"].shape[0]
    out_nc = state["conv_last.weight"].shape[0]
    nb = count_indices(state, r"^SCPA_trunk\.(\d+)\.")
    scale = 4 if "upconv2.weight" in state else None
    kind = "x4" if scale else ("x2 or x3 (not stored in the weights: pass "
                               "--config.model.scale=2 or 3)")
    return Detected(NAME, scale, {"in_nc": in_nc, "out_nc": out_nc, "nf": nf, "unf": unf,
                                  "nb": nb},
                    f"PAN, nf {nf}, unf {unf}, {nb} SCPA blocks, {kind}")


def normalise(state: StateDict) -> StateDict:
    return state
