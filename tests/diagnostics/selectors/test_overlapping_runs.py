"""The published runs overlapping a basin (`selectors.diagnostics.overlapping_runs`, read by
the secrecy check by difference) are the same inside a chunk's memo, where the basins of
every commune and each overlapping run are read once for the chunk, as outside it."""

import pytest

from diagnostics.models import Basin
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors.memo import CHUNK_COMMUNES, chunk_memo, memo_set
from diagnostics.services import national
from tests.factories.diagnostic_runs import diagnostic_world

pytestmark = pytest.mark.django_db


def test_overlapping_runs_in_a_chunk_memo_equal_those_read_alone():
    diagnostic_world()
    national.national_batch_run_sync(zoning="bassin_bmo")
    national.national_batch_run_sync(zoning="zone_emploi")
    basins = list(Basin.objects.filter(is_reference=True).order_by("pk"))
    assert len(basins) == 4

    alone = {
        b.pk: [r.pk for r in selectors.overlapping_runs(basin=b, commune_codes=_codes(b))]
        for b in basins
    }
    with chunk_memo():
        memo_set(CHUNK_COMMUNES, frozenset(c for b in basins for c in _codes(b)))
        in_chunk = {
            b.pk: [r.pk for r in selectors.overlapping_runs(basin=b, commune_codes=_codes(b))]
            for b in basins
        }

    assert in_chunk == alone
    # Each zone d'emploi overlaps a published bassin BMO (and the reverse): not all empty.
    assert all(alone.values())


def _codes(basin):
    return list(basin.communes.values_list("code", flat=True))
