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


def test_a_value_of_a_frame_is_kept_for_that_frame_only():
    import pandas as pd

    from diagnostics.selectors.memo import memoised_on

    versioned_clear()
    calls, build = _counting()
    first, second = pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]})
    with data_scope(("v1",)):
        assert memoised_on(first, ("k",), build, versioned=True) == 1
        assert memoised_on(first, ("k",), build, versioned=True) == 1
        # Another frame (even equal) has its own value.
        assert memoised_on(second, ("k",), build, versioned=True) == 2
        assert memoised_on(second, ("k",), build, versioned=True) == 2
    assert memoised_on(first, ("k",), build, versioned=True) == 3  # outside a scope: built
    # A value kept for a freed frame whose id this frame took is not handed out: built again.
    with data_scope(("v1",)):
        memoised(("j", id(first)), lambda: (second, "of the freed frame"), versioned=True)
        assert memoised_on(first, ("j",), build, versioned=True) == 4
    assert len(calls) == 4
    versioned_clear()


@pytest.mark.django_db
def test_a_lone_runs_job_seekers_are_read_once_per_batches_and_departements(
    django_assert_num_queries,
):
    from diagnostics.models import DefmFact

    batch = _batch("defm", "d" * 64, "2024-06")
    DefmFact.objects.create(
        batch=batch, level="departement", code="52", month="2024-06-01", category="ABC",
        job_seekers=4_000,
    )  # fmt: skip
    DefmFact.objects.create(
        batch=batch, level="commune", code="52121", month="2024-06-01", category="ABC",
        job_seekers=1_200,
    )  # fmt: skip
    diagnostic_frames.frames_cache_clear()
    asked = {"batch_ids": [batch.pk], "departements": ["52"], "communes": ["52121", "52448"]}
    first = diagnostic_frames.job_seekers_frame_cached(**asked)
    assert first.equals(diagnostic_frames.job_seekers_frame(**asked))
    assert first["value"].tolist() == [1_200, 4_000]
    with data_scope(diagnostic_frames.data_version()), django_assert_num_queries(0):
        assert diagnostic_frames.job_seekers_frame_cached(**asked) is first
    # Other départements: read.
    other = diagnostic_frames.job_seekers_frame_cached(**{**asked, "departements": ["10"]})
    assert other["value"].tolist() == [1_200]
    # Another file (another batch id): read again.
    replaced = _batch("defm", "e" * 64, "2024-07")
    DefmFact.objects.create(
        batch=replaced, level="departement", code="52", month="2024-06-01", category="ABC",
        job_seekers=4_100,
    )  # fmt: skip
    again = diagnostic_frames.job_seekers_frame_cached(**{**asked, "batch_ids": [replaced.pk]})
    assert again["value"].tolist() == [4_100]
    diagnostic_frames.frames_cache_clear()
