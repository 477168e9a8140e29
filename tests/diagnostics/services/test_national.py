"""National batches (diagnostics.services.national), on the hand-made world of
tests/factories/diagnostic_runs.py: zones d'emploi 4404 (52001 + 52002 + 52003, 20 000
inhabitants) and 4405 (52004, 5 000); bassins BMO 4418 (52001 + 52002) and 4419 (52003 + 52004).

ZE 4404 holds all of bassin 4418 and 4 000 of the 9 000 inhabitants of 4419: its BMO 2025
projects are 100 + 50 (4418) + 40 × 4/9 (4419) = 167.8, estimated (168 once rounded).
"""

from __future__ import annotations

import json

import pytest

from diagnostics.models import (
    AtlasEntry,
    Basin,
    DiagnosticBatch,
    DiagnosticRun,
    SharedReference,
)
from diagnostics.selectors import diagnostic_frames
from diagnostics.selectors import diagnostics as selectors
from diagnostics.services import national, national_chunk, national_compute
from diagnostics.services.diagnostic_document import diagnostic_compute
from diagnostics.services.diagnostics import diagnostic_run_sync
from diagnostics.services.national_progress import batch_progress
from diagnostics.services.references import references_memory_clear
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.prospective import prospective_batches
from tests.factories.tensions import TENSIONS_2019, tension_batch

pytestmark = pytest.mark.django_db
Status = DiagnosticRun.Status


@pytest.fixture(autouse=True)
def _fresh_caches():
    diagnostic_frames.frames_cache_clear()
    references_memory_clear()
    yield
    diagnostic_frames.frames_cache_clear()
    references_memory_clear()


@pytest.fixture
def world():
    return diagnostic_world()


def _json(value):
    return json.loads(json.dumps(value, default=str))


def test_batch_registers_reference_basins_and_diagnoses_them(world):
    outcome = national.national_batch_run_sync(zoning="zone_emploi")

    basins = Basin.objects.filter(is_reference=True).order_by("name")
    assert [b.name for b in basins] == ["Chaumont (ZE 4404)", "Langres (ZE 4405)"]
    assert outcome.registered == 2 and outcome.created_runs == 2
    outcome.batch.refresh_from_db()
    assert outcome.batch.status == DiagnosticBatch.Status.DONE
    progress = batch_progress(outcome.batch)
    assert (progress.total, progress.done, progress.failed, progress.remaining) == (2, 2, 0, 0)
    run = DiagnosticRun.objects.get(basin__name="Chaumont (ZE 4404)")
    year = run.results["years"]["2025"]
    assert year["bmo_projects"] == 168 and year["bmo_estimated"] is True
    entry = AtlasEntry.objects.get(basin=run.basin)
    assert entry.figures["bmo_projects"] == 168
    assert entry.figures["unemployment_rate"] == 5.5  # ZE 4404 exactly: its published rate


@pytest.mark.parametrize("zonings", [("zone_emploi",), ("zone_emploi", "bassin_bmo")])
def test_a_basin_in_a_batch_equals_the_same_basin_alone(world, zonings):
    # Compared in the same state of the database: the secrecy check reads the published
    # reports of the overlapping basins (the bassins BMO overlap the zones d'emploi).
    for zoning in zonings:
        national.national_batch_run_sync(zoning=zoning)
    last = zonings[-1]

    runs = DiagnosticRun.objects.filter(basin__is_reference=True, basin__source_kind=last)
    assert runs.count() == 2
    for run in runs:
        document, tables = diagnostic_compute(run, timings={})
        assert _json(document) == _json(run.results), run.basin.name
        assert _json(tables) == _json(run.tables), run.basin.name


@pytest.mark.parametrize("zonings", [("zone_emploi",), ("bassin_bmo", "zone_emploi")])
def test_every_section_of_a_basin_in_a_batch_equals_the_basin_alone(zonings):
    # The world with every source (tensions 2019 and 2021, ROME, population by age, job
    # seekers by sector): the published tensions, the recomputed tension index and the
    # prospective section (saturation, bridges, replacement, projections, sectors) are
    # computed in the batch with the chunk's memo (`selectors.memo`), alone without it.
    diagnostic_world()
    prospective_batches()
    tension_batch(2019, TENSIONS_2019)
    for zoning in zonings:
        national.national_batch_run_sync(zoning=zoning)

    runs = DiagnosticRun.objects.filter(basin__is_reference=True, basin__source_kind=zonings[-1])
    assert runs.count() == 2
    for run in runs:
        document, tables = diagnostic_compute(run, timings={})
        assert _json(document) == _json(run.results), run.basin.name
        assert _json(tables) == _json(run.tables), run.basin.name
    chaumont = runs.get(basin__source_codes=["4404"]).results
    # Sections really computed (not all empty on both sides): ZE 4404 holds all of bassin
    # 4418, whose 2021 file has two saturated métiers (K1303, D1507); its département 52's
    # seniors 2021 are 150 + 150 of 80 + 70 + 450 + 150 + 150 = 300 / 900 (region and France
    # rows come from the chunk's memo in the batch).
    prospective = chaumont["prospective"]
    assert [i["rome"] for i in prospective["saturated"]["items"]] == ["K1303", "D1507"]
    summary = {s["area"]: s for s in prospective["replacement"]["summary"]}
    assert set(summary) == {"basin", "region", "france"}
    assert summary["region"]["senior_share"] == pytest.approx(300 / 900)
    assert chaumont["tensions_published_info"]["years"] == [2019, 2021]
    assert chaumont["tension_dares"] is not None


def test_rerunning_with_unchanged_data_does_nothing(world):
    national.national_batch_run_sync(zoning="zone_emploi")
    runs = DiagnosticRun.objects.count()

    again = national.national_batch_run_sync(zoning="zone_emploi")

    assert again.batch is None and again.up_to_date == 2
    assert "Rien à faire" in again.message
    assert DiagnosticRun.objects.count() == runs
    assert DiagnosticBatch.objects.count() == 1


def test_one_failing_basin_is_listed_and_a_new_request_redoes_only_it(world, monkeypatch):
    real = national_compute.diagnostic_compute

    def failing(run, **kwargs):
        if run.basin.name.startswith("Langres"):
            raise ValueError("données illisibles pour ce bassin")
        return real(run, **kwargs)

    monkeypatch.setattr(national_compute, "diagnostic_compute", failing)
    outcome = national.national_batch_run_sync(zoning="zone_emploi")

    outcome.batch.refresh_from_db()
    assert outcome.batch.status == DiagnosticBatch.Status.PARTIAL
    progress = batch_progress(outcome.batch)
    assert (progress.done, progress.failed) == (1, 1)
    assert progress.failures[0]["basin"] == "Langres (ZE 4405)"
    assert "données illisibles" in progress.failures[0]["error"]

    monkeypatch.setattr(national_compute, "diagnostic_compute", real)
    again = national.national_batch_run_sync(zoning="zone_emploi")
    assert again.created_runs == 1 and again.up_to_date == 1
    assert batch_progress(again.batch).done == 2


def test_a_chunk_delivered_again_computes_only_what_is_left(world):
    outcome = national.national_batch_request(zoning="zone_emploi", enqueue=False)
    (chunk,) = outcome.chunks
    # The worker died after writing the first run: the message comes back (acks_late).
    first = national_chunk.diagnostic_batch_chunk(batch_id=outcome.batch.pk, run_ids=chunk[:1])
    again = national_chunk.diagnostic_batch_chunk(batch_id=outcome.batch.pk, run_ids=chunk)
    once_more = national_chunk.diagnostic_batch_chunk(batch_id=outcome.batch.pk, run_ids=chunk)

    assert first == {"done": 1, "failed": 0, "skipped": 0}
    assert again == {"done": 1, "failed": 0, "skipped": 1}
    assert once_more == {"done": 0, "failed": 0, "skipped": 2}
    outcome.batch.refresh_from_db()
    assert outcome.batch.status == DiagnosticBatch.Status.DONE


def test_a_lone_run_reuses_the_references_stored_by_the_batch(world, monkeypatch):
    national.national_batch_run_sync(zoning="zone_emploi")
    assert SharedReference.objects.count() == 1
    references_memory_clear()
    computed = []
    monkeypatch.setattr(
        "diagnostics.services.references.engine_references",
        lambda **kwargs: computed.append(kwargs) or None,
    )
    basin = Basin.objects.get(name="Chaumont (ZE 4404)")

    run = diagnostic_run_sync(basin_id=basin.pk, params={"top_n": 3})

    assert run.status == Status.DONE, run.error_message
    assert computed == []  # read from the store, not computed again
    assert SharedReference.objects.count() == 1


def test_a_tampered_stored_reference_is_recomputed_not_loaded(world):
    national.national_batch_run_sync(zoning="zone_emploi")
    row = SharedReference.objects.get()
    SharedReference.objects.filter(pk=row.pk).update(payload=b"not a pickle" + bytes(32))
    references_memory_clear()
    basin = Basin.objects.get(name="Chaumont (ZE 4404)")

    run = diagnostic_run_sync(basin_id=basin.pk, params={"top_n": 4})

    assert run.status == Status.DONE
    assert bytes(SharedReference.objects.get().payload) != b"not a pickle" + bytes(32)


def test_reference_basins_stay_out_of_the_region_map(world):
    national.national_batch_run_sync(zoning="zone_emploi")
    own = world.basin  # the delegate's basin « Bassin 4418 »

    assert [b.name for b in selectors.region_basins(own)] == []
    reference = Basin.objects.get(name="Chaumont (ZE 4404)")
    assert selectors.region_basins(reference) == []


def test_only_national_admins_request_a_batch(world):
    with pytest.raises(national.BatchError, match="administrateurs nationaux"):
        national.national_batch_request(zoning="zone_emploi", user=world.delegate)
    with pytest.raises(national.BatchError, match="inconnu"):
        national.national_batch_request(zoning="canton")


def test_chunk_plan_shrinks_towards_the_end_so_both_workers_finish_together():
    ids = list(range(1000, 1403))  # the 403 bassins BMO

    chunks = national.chunk_plan(ids, size=40, workers=2)

    assert [len(c) for c in chunks] == [40] * 7 + [31, 23, 18, 13, 10, 8, 8, 8, 4]
    assert [i for c in chunks for i in c] == ids  # every run once, in order


def test_chunk_plan_keeps_a_small_batch_in_one_chunk():
    assert national.chunk_plan([5, 6, 7], size=40, workers=2) == [[5, 6, 7]]
    assert national.chunk_plan(list(range(10)), size=4, workers=2) == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
    ]


def test_a_basin_run_again_alone_reads_its_pools_back_with_the_same_figures(monkeypatch):
    # A lone run keeps the pools of its bassins (published tensions, saturated métiers and
    # bridges) per process and data version: run again with other parameters, the basin reads
    # them back; its figures are those computed with nothing kept; other saturation rules
    # build that pool again.
    from diagnostics.services import prospective_saturation, tensions_published

    basin = diagnostic_world().basin  # communes 52001 and 52002: all of bassin 4418
    prospective_batches()
    tension_batch(2019, TENSIONS_2019)
    built = {"saturation": 0, "published": 0}

    def counting(name, real):
        def pool(*args, **kwargs):
            built[name] += 1
            return real(*args, **kwargs)

        return pool

    monkeypatch.setattr(
        prospective_saturation,
        "saturation_pool",
        counting("saturation", prospective_saturation.saturation_pool),
    )
    monkeypatch.setattr(
        tensions_published,
        "published_pool",
        counting("published", tensions_published.published_pool),
    )

    first = diagnostic_run_sync(basin_id=basin.pk, params={"top_n": 3})
    second = diagnostic_run_sync(basin_id=basin.pk, params={"top_n": 4})

    assert (first.status, second.status) == (Status.DONE, Status.DONE), second.error_message
    assert built == {"saturation": 1, "published": 1}
    saturated = second.results["prospective"]["saturated"]["items"]
    assert [i["rome"] for i in saturated] == ["K1303", "D1507"]
    assert second.results["tensions_published_info"]["years"] == [2019, 2021]
    # The same figures as a run that keeps nothing.
    diagnostic_frames.frames_cache_clear()
    document, tables = diagnostic_compute(second, timings={})
    assert built == {"saturation": 2, "published": 2}
    assert _json(document) == _json(second.results)
    assert _json(tables) == _json(second.tables)
    # Other saturation rules: that pool only is built again.
    diagnostic_run_sync(basin_id=basin.pk, params={"top_n": 4, "saturation_min_ratio": 3.0})
    assert built == {"saturation": 3, "published": 2}
