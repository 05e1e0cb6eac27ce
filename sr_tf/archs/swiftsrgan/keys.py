"""Swift-SRGAN generator weights: the official module paths are our layer names; dropped are
BatchNorm's ``num_batches_tracked`` and the PReLU weights of the blocks built with
``use_act=False`` (``residual.N.block2.act``, ``convblock.act``), which forward never uses."""

from __future__ import annotations

from sr_tf.archs.spec import Detected, StateDict, count_indices, drop

NAME = "swiftsrgan"


def detect(state: StateDict) -> Detected | None:
    """spandrel's rule: ``initial.cnn.depthwise`` and ``final_conv.pointwise`` weights."""
    if not {"initial.cnn.depthwise.weight", "final_conv.pointwise.weight"} <= set(state):
        return None
    in_channels = state["initial.cnn.depthwise.weight"].shape[0]
    num_channels = state["initial.cnn.pointwise.weight"].shape[0]
    num_blocks = count_indices(state, r"^residual\.(\d+)\.")
    scale = 2 ** count_indices(state, r"^upsampler\.(\d+)\.")
    return Detected(NAME, scale, {"in_channels": in_channels, "num_channels": num_channels,
                                  "num_blocks": num_blocks},
                    f"Swift-SRGAN generator, {num_channels} channels, {num_blocks} blocks, "
                    f"x{scale}")


def normalise(state: StateDict) -> StateDict:
    return drop(state, r"(num_batches_tracked$|^residual\.\d+\.block2\.act\.|^convblock\.act\.)")
