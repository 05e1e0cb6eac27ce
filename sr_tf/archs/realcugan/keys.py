"""Real-CUGAN weights (bare state dicts): the official module paths are our layer names; the
``pro`` buffer of pro checkpoints marks the variant and is dropped."""

from __future__ import annotations

from sr_tf.archs.spec import Detected, StateDict, drop

NAME = "realcugan"


def detect(state: StateDict) -> Detected | None:
    """spandrel's key set; x4 has ``conv_final``, x3 a 5x5 UNet1 ``conv_bottom``, else x2.
    UpCunet2x_fast (``conv_final`` with 4x the input channels) is not ported."""
    needed = {"unet1.conv1.conv.0.weight", "unet1.conv2.seblock.conv1.weight",
              "unet1.conv_bottom.weight", "unet2.conv3.seblock.conv1.weight",
              "unet2.conv5.weight", "unet2.conv_bottom.weight"}
    if not needed <= set(state):
        return None
    in_channels = state["unet1.conv1.conv.0.weight"].shape[1]
    if "conv_final.weight" in state:
        out_channels = state["conv_final.weight"].shape[0] // 4
        if out_channels * 4 == in_channels:
            return None
        scale = 4
    else:
        out_channels = state["unet2.conv_bottom.weight"].shape[0]
        scale = 3 if state["unet1.conv_bottom.weight"].shape[2] == 5 else 2
    pro = "pro" in state
    return Detected(NAME, scale, {"in_channels": in_channels, "out_channels": out_channels,
                                  "pro": pro},
                    f"Real-CUGAN UpCunet{scale}x{' pro' if pro else ''}")


def normalise(state: StateDict) -> StateDict:
    return drop(state, r"^pro$")
