"""Diagnostic runs: request, execute, sweep (diagnostics.services.diagnostics), on the small
hand-made world of tests/factories/diagnostic_runs.py (figures worked out in its docstring)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from diagnostics.models import DiagnosticRun, Role
from diagnostics.selectors import diagnostic_frames, diagnostic_report
from diagnostics.selectors import diagnostics as selectors
from diagnostics.services import diagnostic_document
from diagnostics.services import diagnostics as services
from diagnostics.services.diagnostic_params import DiagnosticError
from diagnostics.services.diagnostics import (
    diagnostic_execute,
    diagnostic_fail_stuck,
    diagnostic_request,
)
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import BMO_2025, bmo_batch, diagnostic_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]
Status = DiagnosticRun.Status


@pytest.fixture
def world():
    return diagnostic_world()


def run_now(world, **kwargs) -> DiagnosticRun:
    run = diagnostic_request(basin_id=world.basin.pk, **kwargs)
    return diagnostic_execute(run_id=run.pk)


# --- Request ---------------------------------------------------------------------------------


def test_request_records_batches_and_enqueues_after_commit(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued: list[int] = []
    monkeypatch.setattr(services, "_enqueue", enqueued.append)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = diagnostic_request(basin_id=world.basin.pk, user=world.delegate)

    assert run.status == Status.PENDING
    assert len(callbacks) == 1 and enqueued == [run.pk]
    assert set(run.batches.values_list("pk", flat=True)) == {b.pk for b in world.batches.values()}
    assert run.basin_snapshot["communes"] == ["52001", "52002"]
    assert run.basin_snapshot["population"] == 16_000
    assert len(run.data_key) == 64


def test_two_requests_for_the_same_data_give_one_run(world, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)

    first = diagnostic_request(basin_id=world.basin.pk)
    second = diagnostic_request(basin_id=world.basin.pk)

    assert first.pk == second.pk
    assert DiagnosticRun.objects.count() == 1


def test_two_basins_of_the_same_communes_each_get_their_own_run(world):
    # A delegate's basin equal to a zone d'emploi, and that zone's reference basin: same
    # communes, same population, same data. Each basin's page looks for ITS latest done run.
    twin = world.make_basin("Zone d'emploi de Chaumont", ["52001", "52002"])
    assert twin.population == world.basin.population == 16_000
    first = run_now(world)

    second = diagnostic_execute(run_id=diagnostic_request(basin_id=twin.pk).pk)

    assert second.pk != first.pk
    assert (first.basin_id, second.basin_id) == (world.basin.pk, twin.pk)
    assert selectors.diagnostic_latest_done(twin.pk) == second
    assert selectors.diagnostic_latest_done(world.basin.pk) == first
    assert second.basin_snapshot["name"] == "Zone d'emploi de Chaumont"
    # Same communes and data: the same figures.
    assert second.results["years"] == first.results["years"]
    assert second.results["years"]["2025"]["bmo_projects"] == 150


def test_concurrent_request_losing_the_race_returns_the_winners_run(world, monkeypatch):
    # Both requests looked before either created: the second hits the unique data key.
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    winner = diagnostic_request(basin_id=world.basin.pk)
    real_live_run = services._live_run
    calls = []

    def blind_first_look(data_key):
        calls.append(data_key)
        return None if len(calls) == 1 else real_live_run(data_key)

    monkeypatch.setattr(services, "_live_run", blind_first_look)

    loser = diagnostic_request(basin_id=world.basin.pk)

    assert loser.pk == winner.pk
    assert DiagnosticRun.objects.count() == 1


def test_done_run_is_reused_and_immutable(world):
    run = run_now(world)

    again = diagnostic_request(basin_id=world.basin.pk)

    assert again.pk == run.pk and again.status == Status.DONE
    run.progress_step = "modifié"
    with pytest.raises(ValueError, match="terminé : il ne peut plus changer"):
        run.save()


def test_a_new_import_allows_a_new_run_and_flags_the_old_one(world):
    old = run_now(world)
    assert not selectors.diagnostic_newer_data(old)

    # A corrected 2025 file supersedes the first one.
    world.batches["bmo2025"].status = "superseded"
    world.batches["bmo2025"].save()
    newer_batch = bmo_batch(2025, BMO_2025, file_name="bmo_2025_v2.xlsx")

    newer = selectors.diagnostic_newer_data(old)
    assert [b.pk for b in newer.added] == [newer_batch.pk]
    assert [b.pk for b in newer.replaced] == [world.batches["bmo2025"].pk]
    new = run_now(world)
    assert new.pk != old.pk and new.status == Status.DONE


def test_request_refuses_unknown_parameters_and_bad_values(world):
    with pytest.raises(DiagnosticError, match="Paramètre\\(s\\) inconnu\\(s\\) : seuil"):
        diagnostic_request(basin_id=world.basin.pk, params={"seuil": 3})
    with pytest.raises(DiagnosticError, match="tension_threshold .* valeur « 1.5 » invalide"):
        diagnostic_request(basin_id=world.basin.pk, params={"tension_threshold": "1.5"})
    assert DiagnosticRun.objects.count() == 0


def test_request_by_a_mayor_or_another_region_is_refused(world):
    mayor = make_user("mairie", role=Role.MAYOR_VIEWER)
    other = make_user("delegue-53", role=Role.REGIONAL_DELEGATE, regions=[world.other_region])

    for user in (mayor, other):
        with pytest.raises(DiagnosticError, match="Seuls les délégués de la région"):
            diagnostic_request(basin_id=world.basin.pk, user=user)
    assert DiagnosticRun.objects.count() == 0


def test_request_for_an_unknown_basin_says_so():
    with pytest.raises(DiagnosticError, match="Bassin n° 999 introuvable"):
        diagnostic_request(basin_id=999)


# --- Execute ---------------------------------------------------------------------------------


def test_execute_computes_the_hand_worked_figures(world):
    run = run_now(world)

    assert run.status == Status.DONE, run.error_message
    assert run.progress_percent == 100 and run.progress_step == "Terminé"
    doc = run.results
    assert doc["basin"] == {
        "id": world.basin.pk,
        "name": "Bassin 4418",
        "population": 16_000,
        "communes": 2,
        "region_code": "44",
        "regions": ["44"],
    }
    y2025, y2024 = doc["years"]["2025"], doc["years"]["2024"]
    assert y2025["bmo_projects"] == 150
    assert y2025["bmo_masked_cells"] == 1
    assert y2025["bmo_difficult"] == 60
    assert y2025["bmo_difficulty_rate"] == 0.6
    assert y2025["bmo_seasonal"] == 15
    assert y2025["bmo_estimated"] is False  # the basin is exactly bassin BMO 4418
    assert y2024["bmo_projects"] == 120 and y2024["bmo_difficult"] == 70
    assert [s["value"] for s in doc["job_seekers"]] == [640, 650]
    assert doc["job_seekers"][0]["estimated"] is True
    assert doc["unemployment"][-1] == {
        "period": "2024-T1",
        "rate": 5.5,
        "estimated": True,  # two communes of ZE 4404, not the whole zone
        "coverage": 1.0,
        "region_rate": pytest.approx(6.0, abs=0.05),
        "france_rate": pytest.approx(6.0, abs=0.05),
    }
    # Sources with their vintages and licence, for the method section.
    assert doc["sources"]["bmo"]["vintage"] == "2024, 2025"
    assert doc["sources"]["bmo"]["licence"] == "Licence Ouverte / Open Licence Etalab 2.0"
    # Tables stored beside the document, with French titles and labels.
    years = run.tables["bmo_years"]
    assert years["title"] == "Projets de recrutement BMO par année"
    row = dict(zip(years["columns"], years["rows"][-1], strict=True))
    assert (row["year"], row["projects"], row["masked_cells"]) == (2025, 150, 1)
    assert set(run.step_durations) >= {"lecture des données", "calcul des indicateurs", "total"}


def test_execute_twice_does_the_work_once(world, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    run = diagnostic_request(basin_id=world.basin.pk)
    calls = []
    real = diagnostic_document.basin_diagnostic

    def counting(**kwargs):
        calls.append(1)
        # A second delivery of the task arrives while the first one computes.
        second = diagnostic_execute(run_id=run.pk)
        assert second.status == Status.RUNNING
        return real(**kwargs)

    monkeypatch.setattr(diagnostic_document, "basin_diagnostic", counting)

    first = diagnostic_execute(run_id=run.pk)
    third = diagnostic_execute(run_id=run.pk)

    assert calls == [1]
    assert first.status == third.status == Status.DONE
    assert third.finished_at == first.finished_at


def test_execute_failure_marks_the_run_failed_with_the_error(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("division impossible")

    monkeypatch.setattr(diagnostic_document, "basin_diagnostic", broken)

    run = run_now(world)

    assert run.status == Status.FAILED
    assert run.error_message == "Le calcul du diagnostic a échoué : division impossible"
    assert run.results is None and run.finished_at is not None


def test_database_error_puts_the_run_back_to_pending_for_a_retry(world, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    run = diagnostic_request(basin_id=world.basin.pk)

    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(diagnostic_frames, "crosswalk_frame", lost)

    with pytest.raises(OperationalError):
        diagnostic_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == Status.PENDING and run.progress_step.startswith("Nouvel essai")
    assert run.claimed_by == ""  # released: the retry claims it again


def _thread_in_this_test(monkeypatch) -> list[float]:
    """`_execute_in_thread` run here, on the test's connection (kept open), its waits recorded."""
    from django.db import connection

    waits: list[float] = []
    monkeypatch.setattr(connection, "close", lambda: None)
    monkeypatch.setattr(services.time, "sleep", waits.append)
    return waits


def test_thread_retries_a_lock_held_by_another_connection_and_computes(world, monkeypatch):
    # A page polling the run's progress held SQLite's table lock at the instant of the claim:
    # the thread used to stop there, the run left « En file d'attente » for ever.
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    run = diagnostic_request(basin_id=world.basin.pk)
    waits = _thread_in_this_test(monkeypatch)
    real_claim = services.claims.claim
    tries: list[int] = []

    def locked_twice(*args, **kwargs):
        tries.append(1)
        if len(tries) <= 2:
            raise OperationalError("database table is locked: diagnostics_diagnosticrun")
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(services.claims, "claim", locked_twice)

    services._execute_in_thread(run.pk)

    run.refresh_from_db()
    assert len(tries) == 3 and waits == [0.1, 0.2]
    assert run.status == Status.DONE
    assert run.results["years"]["2025"]["bmo_projects"] == 150


def test_thread_fails_the_run_when_the_database_error_lasts(world, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    run = diagnostic_request(basin_id=world.basin.pk)
    waits = _thread_in_this_test(monkeypatch)

    def lost(**kwargs):
        raise OperationalError("database table is locked: diagnostics_basin")

    monkeypatch.setattr(diagnostic_frames, "crosswalk_frame", lost)

    services._execute_in_thread(run.pk)

    run.refresh_from_db()
    # Queued again after each of the first three tries, failed at the fourth (not left queued).
    assert waits == [0.1, 0.2, 0.4]
    assert run.status == Status.FAILED
    assert run.error_message == (
        "Le calcul du diagnostic a échoué : database table is locked: diagnostics_basin"
    )


def test_partial_report_names_the_missing_source():
    world = diagnostic_world(sources=("bmo",))

    run = run_now(world)

    doc = run.results
    assert run.status == Status.DONE
    assert "Aucune donnée de chômage : la série du taux de chômage est absente." in doc["warnings"]
    assert "Aucune donnée de demandeurs d'emploi pour ce bassin." in doc["warnings"]
    assert doc["unemployment"] == [] and doc["years"]["2025"]["bmo_projects"] == 150
    assert "unemployment" not in run.tables


def test_missing_quarter_is_shown_as_a_series_break(world):
    run = run_now(world)

    assert run.results["gaps"]["unemployment"] == ["2023-T3"]
    charts = diagnostic_report.diagnostic_charts(run)
    assert charts["unemployment"]["layout"]["meta"]["gaps"] == ["2023-T3"]
    assert "2023-T3 manque" in charts["unemployment"]["layout"]["annotations"][0]["text"]


def test_basin_without_polygons_degrades_the_maps_only(world):
    # Overseas: no zone d'emploi polygon, no commune cell.
    for commune in world.communes.values():
        commune.geometry = None
        commune.save()

    run = run_now(world)

    assert run.status == Status.DONE
    maps = diagnostic_report.diagnostic_maps(run)
    assert maps["communes"]["layout"]["annotations"][0]["text"] == (
        "Aucun contour à afficher pour cette carte"
    )
    assert maps["communes"]["layout"]["meta"]["without_geometry"] == 2
    assert run.results["years"]["2025"]["bmo_projects"] == 150


def test_communes_map_gives_job_seekers_per_1000_where_published(world):
    run = run_now(world)

    table = run.tables["communes_map"]
    rows = {r[0]: dict(zip(table["columns"], r, strict=True)) for r in table["rows"]}
    assert rows["52001"]["job_seekers"] == 410 and rows["52001"]["job_seekers_per_1000"] == 41.0
    assert rows["52002"]["job_seekers"] is None
    assert run.results["maps"]["communes_value"] == "job_seekers_per_1000"


def test_region_map_falls_back_on_zones_then_lists_the_basins(world):
    run = run_now(world)
    zones = run.tables["region_map"]
    assert [r[1] for r in zones["rows"]] == ["4404", "4405"]
    assert zones["title"] == "Zones d'emploi de la région : taux de chômage"

    world.make_basin("Bassin de Langres", ["52004"])
    run2 = run_now(world, params={"top_n": 5})
    basins = {r[2]: r for r in run2.tables["region_map"]["rows"]}
    assert set(basins) == {"Bassin 4418", "Bassin de Langres"}
    assert basins["Bassin de Langres"][4] == 8.0  # ZE 4405, 2024-T1
    assert basins["Bassin 4418"][6] is True  # current


def test_overlapping_runs_are_read_with_their_tables_not_their_document(world):
    large = world.make_basin("Large", ["52001", "52002", "52003"])
    large_run = diagnostic_execute(run_id=diagnostic_request(basin_id=large.pk).pk)
    small = world.make_basin("Small", ["52001", "52003"])

    (other,) = selectors.overlapping_runs(basin=small, commune_codes=["52001", "52003"])

    assert other.pk == large_run.pk
    assert other.get_deferred_fields() == {"results"}
    assert other.tables["bmo_years"] == large_run.tables["bmo_years"]


def test_small_difference_with_an_overlapping_basin_is_masked(world):
    # « Large » = 52001 + 52002 + 52003 is published first. « Small » = 52001 + 52003: its
    # figures are estimates (two bassins). Large − Small = Brottes (52002), i.e. 6 000 / 16 000
    # = 0.375 of bassin 4418: any count of 4418 under 5 / 0.375 = 13.3 would be revealed for
    # Brottes below the threshold (5) by subtracting the two reports.
    large = world.make_basin("Large", ["52001", "52002", "52003"])
    large_run = diagnostic_execute(run_id=diagnostic_request(basin_id=large.pk).pk)
    small = world.make_basin("Small", ["52001", "52003"])

    small_run = diagnostic_execute(run_id=diagnostic_request(basin_id=small.pk).pk)

    secrecy = small_run.results["secrecy"]
    assert secrecy["overlapping_runs"] == [large_run.pk]
    # Seasonal projects of 4418: A1Z40 2025 = 10 (Brottes 3.75), A1Z40 2024 = 8 (3), family A
    # likewise, all of 2024 = 8 + 4 = 12 (4.5). Shown elsewhere: 2025 total 15 (5.6 ≥ 5);
    # projects and difficult (A1Z40 2025: 100 → 37.5); B1Z40's seasonal for Small (5 × 0.625
    # = 3.1 and 4 × 0.625 = 2.5) is already under the threshold, so never shown at all.
    assert {tuple(s["figure"]) for s in secrecy["suppressed"]} == {
        ("bmo_metier", "2025", "A1Z40", "seasonal"),
        ("bmo_metier", "2024", "A1Z40", "seasonal"),
        ("bmo_family", "2025", "A", "seasonal"),
        ("bmo_family", "2024", "A", "seasonal"),
        ("bmo_year", "2024", "seasonal"),
    }
    assert small_run.results["years"]["2024"]["bmo_seasonal"] is None
    assert small_run.results["years"]["2025"]["bmo_seasonal"] == 9  # 15 × 0.625 = 9.4
    table = small_run.tables["bmo_metiers"]
    columns = table["columns"]
    rows = {
        (r[columns.index("year")], r[columns.index("metier_code")]): dict(
            zip(columns, r, strict=True)
        )
        for r in table["rows"]
    }
    a2025 = rows[(2025, "A1Z40")]
    assert a2025["seasonal"] is None and a2025["suppressed"] is True
    assert a2025["projects"] == 80  # 100 × 0.625 + 40 × 4 000 / 9 000 = 80.3
    assert "la différence avec le bassin « Large »" in a2025["suppression_reason"]
    assert (
        "5 chiffres masqués car ils permettraient de retrouver par différence"
        in (small_run.results["method"]["secrecy"])
    )


def test_exact_figures_are_never_withdrawn(world):
    # Bassin 4418's figures are the source's own (exact): an overlapping estimated basin
    # published before cannot make them disappear.
    large = world.make_basin("Large", ["52001", "52002", "52003"])
    diagnostic_execute(run_id=diagnostic_request(basin_id=large.pk).pk)

    run = run_now(world)

    bmo_masked = [s for s in run.results["secrecy"]["suppressed"] if s["figure"][0] != "defm_month"]
    assert bmo_masked == []
    assert run.results["years"]["2025"]["bmo_projects"] == 150


# --- Sweeper ---------------------------------------------------------------------------------


def test_stuck_run_is_failed_and_a_new_request_creates_a_new_run(world, monkeypatch, settings):
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    settings.DIAGNOSTIC_RUN_TIME_LIMIT = 600
    run = diagnostic_request(basin_id=world.basin.pk)
    # The worker claimed it then was killed: running since 11 minutes.
    DiagnosticRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - timedelta(seconds=661)
    )
    recent = world.make_basin("Récent", ["52003"])
    fresh = diagnostic_request(basin_id=recent.pk)
    DiagnosticRun.objects.filter(pk=fresh.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - timedelta(seconds=30)
    )

    assert diagnostic_fail_stuck() == 1

    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.error_message.startswith("Calcul interrompu (délai dépassé ou processus arrêté)")
    assert DiagnosticRun.objects.get(pk=fresh.pk).status == Status.RUNNING
    again = diagnostic_request(basin_id=world.basin.pk)
    assert again.pk != run.pk and again.status == Status.PENDING


def test_request_sweeps_the_basins_stuck_run_first(world, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    run = diagnostic_request(basin_id=world.basin.pk)
    DiagnosticRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - timedelta(hours=2)
    )

    again = diagnostic_request(basin_id=world.basin.pk)

    assert again.pk != run.pk
    assert DiagnosticRun.objects.get(pk=run.pk).status == Status.FAILED


def test_task_runs_eagerly_and_skips_a_deleted_run(world, monkeypatch):
    from diagnostics.tasks import diagnostic_execute as task
    from diagnostics.tasks import diagnostic_fail_stuck as sweeper_task

    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    run = diagnostic_request(basin_id=world.basin.pk)

    task.delay(run.pk)
    task.delay(987654)  # gone: logged, no error

    run.refresh_from_db()
    assert run.status == Status.DONE
    assert task.acks_late and task.reject_on_worker_lost and task.max_retries == 3
    assert task.time_limit == 600 and task.soft_time_limit == 570
    assert sweeper_task.delay().get() == 0
