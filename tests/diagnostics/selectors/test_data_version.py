"""The per-process store of reads that depend only on the imported data (`selectors.memo`,
`memoised(..., versioned=True)` inside a `data_scope`): kept per data version, read again
when an import batch is added, superseded or removed; never kept outside a scope."""

import pytest

from diagnostics.models import ImportBatch
from diagnostics.selectors import diagnostic_frames
from diagnostics.selectors.memo import data_scope, memoised, versioned_clear


def _counting():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    return calls, build


def test_versioned_values_are_kept_per_version_and_never_outside_a_scope():
    versioned_clear()
    calls, build = _counting()
    assert memoised(("k",), build, versioned=True) == 1
    assert memoised(("k",), build, versioned=True) == 2  # no scope: built every time
    with data_scope(("v1",)):
        assert memoised(("k",), build, versioned=True) == 3
        assert memoised(("k",), build, versioned=True) == 3
    with data_scope(("v1",)):  # another run, same data: kept
        assert memoised(("k",), build, versioned=True) == 3
    with data_scope(("v2",)):  # the data changed: built again
        assert memoised(("k",), build, versioned=True) == 4
    # Nested scopes keep the outer version (a run inside a chunk reads it once).
    with data_scope(("v1",)), data_scope(("v2",)):
        assert memoised(("k",), build, versioned=True) == 3
    assert len(calls) == 4
    versioned_clear()


def _batch(kind, sha, vintage):
    return ImportBatch.objects.create(
        kind=kind,
        file_name=f"{kind}.csv",
        sha256=sha,
        status=ImportBatch.Status.DONE,
        vintage=vintage,
    )


@pytest.mark.django_db
def test_the_data_version_changes_with_the_batches_and_keys_them_without_a_query(
    django_assert_num_queries,
):
    first = _batch("bmo", "a" * 64, "2024")
    second = _batch("tensions", "b" * 64, "2024")
    version = diagnostic_frames.data_version()
    queried = diagnostic_frames.batches_key("bmo", [first.pk, second.pk])
    with data_scope(version), django_assert_num_queries(0):
        # Inside the scope, a set of batches is named from the version, as the query names it.
        assert diagnostic_frames.batches_key("bmo", [first.pk, second.pk]) == queried
        assert diagnostic_frames.territories_version() == version.territories

    second.status = ImportBatch.Status.SUPERSEDED
    second.save(update_fields=["status"])
    superseded = diagnostic_frames.data_version()
    assert superseded != version
    third = _batch("bmo", "c" * 64, "2025")
    added = diagnostic_frames.data_version()
    assert added not in (version, superseded)
    third.delete()
    assert diagnostic_frames.data_version() == superseded
