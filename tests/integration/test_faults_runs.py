"""Fault injection on diagnostic runs (issue 15), with real `celery worker` processes on a
private Redis and the PostgreSQL test database. The worker is caught inside a query of the
computation by a lock the test holds on a fact table, then killed, timed out or cut off. Each
test asserts on the final rows: the run is done (taken up again) or visibly failed with
« relancer » offered, one run per data, never left « en cours »."""

from __future__ import annotations

import os
import signal
import time

import pytest

from diagnostics.models import BmoFact, DiagnosticRun
from tests.factories.diagnostic_runs import diagnostic_world
from tests.integration.processes import pid_of_owner, wait_for

pytestmark = pytest.mark.integration
Status = DiagnosticRun.Status
FACTS_TABLE = BmoFact._meta.db_table  # read by the computation, not by the request


def _status(run_id: int) -> str:
    return DiagnosticRun.objects.get(pk=run_id).status


def _finished(run_id: int) -> bool:
    return _status(run_id) in (Status.DONE, Status.FAILED)


def _caught(faults, run_id: int) -> DiagnosticRun:  # type: ignore[no-untyped-def]
    """Wait until the worker is blocked inside its query on the locked table."""
    assert wait_for(lambda: faults.pg.waiting_backends(), timeout=60), faults.logs()
    run = DiagnosticRun.objects.get(pk=run_id)
    assert run.status == Status.RUNNING and run.claimed_by, (run.status, run.claimed_by)
    return run


def _assert_done(run_id: int, *, attempts: int) -> DiagnosticRun:
    run = DiagnosticRun.objects.get(pk=run_id)
    assert run.status == Status.DONE, run.error_message
    assert run.attempts == attempts
    assert run.results and run.tables and "bmo_years" in run.tables
    assert (
        DiagnosticRun.objects.filter(data_key=run.data_key).exclude(status=Status.FAILED).count()
        == 1
    )
    return run


def test_worker_child_killed_mid_run_is_taken_over(faults) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.services.diagnostics import diagnostic_request

    world = diagnostic_world()
    faults.worker(beat=True)

    with faults.pg.locked(FACTS_TABLE):
        run = diagnostic_request(basin_id=world.basin.pk)
        caught = _caught(faults, run.pk)
        os.kill(pid_of_owner(caught.claimed_by), signal.SIGKILL)
    # acks_late + reject_on_worker_lost: the message is delivered again at once, and the new
    # child takes the run over (its owner is dead) without waiting for the sweeper.
    started = time.monotonic()
    assert wait_for(lambda: _finished(run.pk), timeout=60), faults.logs()
    done = _assert_done(run.pk, attempts=2)
    assert pid_of_owner(done.claimed_by) != pid_of_owner(caught.claimed_by)
    assert time.monotonic() - started < 30


def test_soft_time_limit_inside_a_query_fails_the_run_visibly(faults, client) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.services.diagnostics import diagnostic_request

    world = diagnostic_world()
    faults.worker(
        beat=True,
        env={"DIAGNOSTIC_RUN_TIME_LIMIT": "30", "DIAGNOSTIC_RUN_SOFT_TIME_LIMIT": "6"},
    )

    with faults.pg.locked(FACTS_TABLE):
        run = diagnostic_request(basin_id=world.basin.pk)
        _caught(faults, run.pk)
        # The soft limit fires while the query waits: the query is cancelled on the server and
        # the failure written on a fresh connection (before: « another command is already in
        # progress », retried blindly, the run left « en cours »; then: the closed connection's
        # backend went on waiting on the lock). Seconds after the limit, the lock still held;
        # the message pins the soft-limit path (the hard limit, 30 s, would give another).
        assert wait_for(lambda: _finished(run.pk), timeout=20), (
            faults.pg.activity(),
            faults.logs(),
        )
        # Nothing of the worker waits on the server any more: the blocked query was cancelled.
        assert wait_for(lambda: not faults.pg.waiting_backends(), timeout=5), faults.pg.activity()
    failed = DiagnosticRun.objects.get(pk=run.pk)
    assert failed.status == Status.FAILED
    assert failed.error_message.startswith("Calcul interrompu : délai dépassé (6 s)")
    time.sleep(2)  # not retried: still failed, one attempt
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.FAILED, 1)
    client.force_login(world.delegate)
    page = client.get(f"/diagnostics/{run.pk}/").content.decode()
    assert "Le calcul a échoué" in page and "Relancer le diagnostic" in page
    # « Relancer »: a new run for the same data, which completes once the table is free.
    again = client.post(f"/bassins/{world.basin.pk}/diagnostic/")
    assert again.status_code == 302
    new = DiagnosticRun.objects.exclude(pk=run.pk).get()
    assert wait_for(lambda: _finished(new.pk), timeout=60), faults.logs()
    _assert_done(new.pk, attempts=1)


def test_worker_main_process_killed_mid_run_is_swept_and_redone(faults) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.services.diagnostics import diagnostic_request

    world = diagnostic_world()
    first = faults.worker(beat=False)

    with faults.pg.locked(FACTS_TABLE):
        run = diagnostic_request(basin_id=world.basin.pk)
        caught = _caught(faults, run.pk)
        # The main process first, then what it leaves (pool child): the whole worker is gone,
        # its message unacknowledged in Redis until the visibility timeout (40 min).
        first.kill_main()
        first.kill_group()
        second = faults.worker(beat=True)
    # The heartbeat stopped: the sweeper queues the run again, the dispatcher sends it, the
    # second worker computes it.
    assert wait_for(lambda: _finished(run.pk), timeout=60), faults.logs()
    done = _assert_done(run.pk, attempts=2)
    assert pid_of_owner(done.claimed_by) != pid_of_owner(caught.claimed_by)
    assert second.proc is not None and second.proc.poll() is None


def test_postgresql_connection_terminated_mid_run_is_retried(faults) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.services.diagnostics import diagnostic_request

    world = diagnostic_world()
    faults.worker(beat=True)

    with faults.pg.locked(FACTS_TABLE):
        run = diagnostic_request(basin_id=world.basin.pk)
        _caught(faults, run.pk)
        for backend in faults.pg.waiting_backends():
            assert faults.pg.terminate(backend)
    assert wait_for(lambda: _finished(run.pk), timeout=60), faults.logs()
    _assert_done(run.pk, attempts=2)


def test_duplicate_and_out_of_order_delivery_of_runs(faults, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cnam_territoires.celery import app
    from diagnostics.dispatch import DIAGNOSTIC_EXECUTE
    from diagnostics.services import outbox
    from diagnostics.services.diagnostics import diagnostic_request

    world = diagnostic_world()
    other = world.make_basin("Bassin voisin", ["52003", "52004"])
    monkeypatch.setattr(outbox, "run_send", lambda run_id: False)  # messages held back
    old = diagnostic_request(basin_id=world.basin.pk)
    # The old run failed (swept) and was started again: its message arrives late.
    DiagnosticRun.objects.filter(pk=old.pk).update(
        status=Status.FAILED, error_message="Calcul interrompu : relancez le diagnostic."
    )
    new = diagnostic_request(basin_id=world.basin.pk)
    neighbour = diagnostic_request(basin_id=other.pk)
    assert len({old.pk, new.pk, neighbour.pk}) == 3
    for run_id in (new.pk, neighbour.pk, old.pk, new.pk, neighbour.pk, new.pk):
        app.send_task(DIAGNOSTIC_EXECUTE, args=(run_id,))
    faults.worker(beat=False)

    assert wait_for(lambda: _finished(new.pk) and _finished(neighbour.pk), timeout=60)
    time.sleep(1)  # the late and repeated messages are consumed too
    _assert_done(new.pk, attempts=1)  # three deliveries, computed once
    _assert_done(neighbour.pk, attempts=1)
    old.refresh_from_db()
    assert (old.status, old.attempts, old.results) == (Status.FAILED, 0, None)
