"""What the community fixtures of the convolutional ports (SPAN, PLKSR, RealPLKSR, MoSR, MoESR,
SAFMN, SeemoRe) cannot show by themselves: variants of their files and edge cases of their ops,
each checked against the official output of a fixture (../shared/fixtures/community)."""

import numpy as np
import pytest

from conftest import SHARED
from sr_tf.image_io import read_image
from sr_tf.torch_files import load_state_dict
from sr_tf.weights import detect_architecture, import_weights
from sr_tf.models import build_generator

COMMUNITY = SHARED / "fixtures" / "community"
needs_fixtures = pytest.mark.skipif(not COMMUNITY.is_dir(),
                                    reason="../shared/fixtures/community is absent")


def _official(case: str) -> tuple[np.ndarray, np.ndarray]:
    lr = read_image(COMMUNITY / case / "lr.png").astype("float32") / 255.0
    return lr, np.load(COMMUNITY / case / "sr.npy")


def _run(state: dict, lr: np.ndarray) -> np.ndarray:
    found = detect_architecture(state)
    model = build_generator(found.name, found.scale, **found.kwargs)
    return np.asarray(import_weights(model, state, found.name)(lr[None], training=False))[0]


@needs_fixtures
def test_span_without_eval_conv_is_detected_and_fused_from_the_training_branch():
    """Trainer checkpoints may omit SPAN's ``eval_conv`` (the official eval forward re-fuses it
    from the branch anyway). Fails if detection requires ``eval_conv`` keys (seen: 'unknown
    architecture') or if the port used them instead of fusing the branch."""
    lr, expected = _official("span_x4")
    state = {k: v for k, v in load_state_dict(COMMUNITY / "span_x4" / "weights.pth").items()
             if ".eval_conv." not in k}
    assert np.abs(_run(state, lr) - expected).max() <= 2e-4
