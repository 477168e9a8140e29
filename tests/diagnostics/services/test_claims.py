"""Claims by owner and heartbeat (diagnostics.services.claims, issue 15): a live owner keeps its
row, a dead one (this host, or a heartbeat stopped) loses it, the sweeper queues again then fails
what stopped beating."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics.models import DiagnosticRun
from diagnostics.services import claims
from diagnostics.services import diagnostics as services
from diagnostics.services.diagnostics import diagnostic_fail_stuck, diagnostic_request
from tests.factories.diagnostic_runs import diagnostic_world

pytestmark = pytest.mark.django_db
Status = DiagnosticRun.Status


@pytest.fixture
def run(monkeypatch) -> DiagnosticRun:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    world = diagnostic_world()
    return diagnostic_request(basin_id=world.basin.pk)


def _dead_pid() -> int:
    """The id of a process that existed and is gone (reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _claim(run_id: int, owner: str) -> bool:
    return claims.claim(
        DiagnosticRun,
        run_id,
        owner=owner,
        queued=Status.PENDING,
        running=(Status.RUNNING,),
        claim_status=Status.RUNNING,
    )


def _hold(run: DiagnosticRun, owner: str, *, beat_age_s: float) -> None:
    DiagnosticRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING,
        claimed_by=owner,
        attempts=1,
        started_at=timezone.now() - timedelta(seconds=beat_age_s),
        heartbeat_at=timezone.now() - timedelta(seconds=beat_age_s),
    )


def test_claim_a_queued_run_writes_owner_heartbeat_and_attempt(run) -> None:  # type: ignore[no-untyped-def]
    assert _claim(run.pk, "hôte:1:tâche")

    run.refresh_from_db()
    assert (run.status, run.claimed_by, run.attempts) == (Status.RUNNING, "hôte:1:tâche", 1)
    assert timezone.now() - run.heartbeat_at < timedelta(seconds=5)


def test_a_live_owner_keeps_its_run(run, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASK_STALE_AFTER_S = 60
    # This very process, beating 10 s ago: a duplicate message must do nothing.
    _hold(run, claims.owner_id("t1"), beat_age_s=10)

    assert not _claim(run.pk, claims.owner_id("t2"))
    assert DiagnosticRun.objects.get(pk=run.pk).attempts == 1


def test_a_dead_owner_on_this_host_loses_its_run_at_once(run, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASK_STALE_AFTER_S = 60
    host = claims.owner_id().split(":")[0]
    dead = f"{host}:{_dead_pid()}:t1"
    _hold(run, dead, beat_age_s=1)  # heartbeat still fresh: only the pid tells
    assert claims.owner_dead(dead)

    assert _claim(run.pk, claims.owner_id("t1"))  # the redelivered message
    run.refresh_from_db()
    assert (run.claimed_by, run.attempts) == (claims.owner_id("t1"), 2)


def test_a_stopped_heartbeat_loses_the_run(run, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASK_STALE_AFTER_S = 60
    _hold(run, "autre-hote:123:t1", beat_age_s=61)  # another host: only the heartbeat tells
    assert not claims.owner_dead("autre-hote:123:t1")

    assert _claim(run.pk, "hote-b:9:t2")


def test_sweeper_queues_again_then_fails_what_stopped_beating(run, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASK_STALE_AFTER_S = 60
    settings.TASK_MAX_ATTEMPTS = 2
    _hold(run, "autre-hote:123:t1", beat_age_s=90)

    assert diagnostic_fail_stuck() == 1
    run.refresh_from_db()
    assert (run.status, run.claimed_by, run.heartbeat_at, run.dispatched_at) == (
        Status.PENDING, "", None, None,
    )  # fmt: skip
    assert run.progress_step.startswith("En file d'attente : reprise")

    # Second try, killed again: no attempt left, failed with « relancez ».
    _hold(run, "autre-hote:124:t2", beat_age_s=90)
    DiagnosticRun.objects.filter(pk=run.pk).update(attempts=2)
    assert diagnostic_fail_stuck() == 1
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.error_message == (
        "Calcul interrompu (délai dépassé ou processus arrêté) : relancez le diagnostic."
    )


def test_sweeper_leaves_a_beating_run_alone(run, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASK_STALE_AFTER_S = 60
    _hold(run, "autre-hote:123:t1", beat_age_s=20)

    assert diagnostic_fail_stuck() == 0
    assert DiagnosticRun.objects.get(pk=run.pk).status == Status.RUNNING


def test_a_swept_owner_cannot_write_its_result(run) -> None:  # type: ignore[no-untyped-def]
    _hold(run, "hote-a:1:t1", beat_age_s=0)
    # Taken over by another process meanwhile.
    DiagnosticRun.objects.filter(pk=run.pk).update(claimed_by="hote-b:2:t2")

    written = claims.owned(DiagnosticRun, run.pk, "hote-a:1:t1", (Status.RUNNING,)).update(
        status=Status.DONE
    )

    assert written == 0
    assert DiagnosticRun.objects.get(pk=run.pk).status == Status.RUNNING
