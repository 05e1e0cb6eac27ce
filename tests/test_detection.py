"""Detection stays unambiguous as the zoo grows: every registered architecture's ``detect`` runs on
every fixture state dict (../shared/fixtures/official and community), and exactly one claims a
fixture of a registered architecture (none claims the others).

A ``detect`` that raises (e.g. "SwinIR weights without an upsampler are not supported") counts as
a claim: it stops :func:`sr_tf.weights.detect_architecture` as surely as a wrong answer.
"""

import pytest

from conftest import SHARED
from sr_tf import archs
from sr_tf.torch_files import load_state_dict
from test_community_parity import ARCH_OF

FIXTURES = SHARED / "fixtures"
CASES = sorted(f"{kind}/{p.name}" for kind in ("official", "community")
               if (FIXTURES / kind).is_dir() for p in (FIXTURES / kind).iterdir() if p.is_dir())
needs_fixtures = pytest.mark.skipif(not CASES, reason="../shared/fixtures is absent")


def _state(case: str) -> dict:
    folder = FIXTURES / case
    file = next(folder / f for f in ("weights.safetensors", "weights.pth")
                if (folder / f).is_file())
    return load_state_dict(file)


def _expected(case: str) -> str:
    """The architecture a fixture was made with: the folder name's first word (official folders
    are named after our architectures; community ones map through ``ARCH_OF``)."""
    prefix = case.split("/")[1].split("_")[0]
    return ARCH_OF.get(prefix, prefix)


def _claims(state: dict) -> dict[str, str]:
    """Architecture name -> what its ``detect`` said, for every architecture that claims."""
    claims = {}
    for arch in archs.ARCHITECTURES:
        try:
            found = arch.detect(state)
        except Exception as err:              # noqa: BLE001 (a refusal is a claim too)
            claims[arch.name] = f"raised {type(err).__name__}: {err}"
            continue
        if found is not None:
            claims[arch.name] = found.description
            assert found.name == arch.name, f"{arch.name}.detect returned name {found.name!r}"
    return claims


@needs_fixtures
@pytest.mark.parametrize("case", CASES)
def test_exactly_one_architecture_claims_each_fixture(case):
    """Fails if a detector claims another architecture's layout: seen failing with EDSR's
    BasicSR rule loosened to ``"conv_first.weight" in state`` (20 fixtures: rrdb_x2/x4, swinir_*,
    hat_x4, rcan_basicsr_x2 next to their own detectors, and unported DAT, ATD, PAN, ...), and
    with RRDB's rule loosened to ``conv_first`` + ``conv_last`` (11 fixtures: it raised a
    KeyError on swinir_realworld_x4, ...)."""
    claims = _claims(_state(case))
    expected = _expected(case)
    if archs.find(expected) is None:
        assert not claims, f"{case} ({expected}, not registered) claimed by {claims}"
    else:
        assert list(claims) == [expected], f"{case} ({expected}) claimed by {claims}"
