"""The national bench's references (bench/national_reference.py, issue 16) run on the
hand-made world of tests/factories/diagnostic_runs.py: zones d'emploi 4404 and 4405, bassins
BMO 4418 and 4419, every source imported. A bench that no longer runs is caught here, not on
the night it is needed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from diagnostics.selectors import diagnostic_frames
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.prospective import prospective_batches
from tests.factories.tensions import TENSIONS_2019, tension_batch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

pytestmark = pytest.mark.django_db


def test_both_references_compute_every_basin_of_both_zonings():
    from national_reference import full_reference_pass, reference_pass

    diagnostic_world()
    prospective_batches()
    tension_batch(2019, TENSIONS_2019)
    diagnostic_frames.frames_cache_clear()
    try:
        subset, full = reference_pass(), full_reference_pass()
    finally:
        diagnostic_frames.frames_cache_clear()
    # Two zones d'emploi and two bassins BMO, in both.
    assert (subset.basins, full.basins) == (4, 4)
    assert subset.seconds > 0 and full.seconds > 0
