"""Fault injection on the broker and on the web requests' database connection (issue 15), with
a private `redis-server` the test stops (SIGKILL, no persistence: its queue is lost) and starts
again on the same port, real `celery worker` processes with the beat embedded, and the
PostgreSQL test database. Each test asserts on the final rows."""

from __future__ import annotations

import html
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from diagnostics.models import (
    Basin,
    BasinSource,
    DiagnosticRun,
    GeometryStatus,
    ImportBatch,
    IndicatorFact,
)
from diagnostics.services.outbox import QUEUED_STEP
from tests.factories.diagnostic_runs import diagnostic_world
from tests.integration.processes import wait_for

pytestmark = pytest.mark.integration
Status = DiagnosticRun.Status
LINES = 48


def _indicator_csv(path: Path) -> Path:
    rows = ["niveau;code;periode;indicateur;valeur;unite;source"]
    for code in ("52001", "52002"):
        for month in range(1, 25):
            rows.append(f"commune;{code};{2020 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d};"
                        f"part_neet;{10 + month},5;%;Test")  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _upload(client: Client, path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return client.post("/donnees/imports/nouveau/", {"kind": "indicator", "file": handle})


def test_broker_down_at_request_time_then_back(faults, tmp_path: Path, client: Client) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.services.basins import basin_create

    world = diagnostic_world()
    faults.worker(beat=True)
    client.force_login(world.delegate)
    faults.redis.stop()

    # Every request answers at once, and the committed rows wait « en file d'attente ».
    started = time.monotonic()
    response = client.post(f"/bassins/{world.basin.pk}/diagnostic/")
    assert response.status_code == 302
    run = DiagnosticRun.objects.get()
    assert (run.status, run.dispatched_at, run.progress_step) == (Status.PENDING, None, QUEUED_STEP)
    page = html.unescape(client.get(f"/diagnostics/{run.pk}/").content.decode())
    assert "En file d'attente" in page and "momentanément injoignable" in page
    assert client.post(f"/bassins/{world.basin.pk}/diagnostic/").status_code == 302
    assert DiagnosticRun.objects.count() == 1  # the same run, not blocked, not doubled
    upload = _upload(client, _indicator_csv(tmp_path / "neet.csv"))
    assert upload.status_code == 302
    batch = ImportBatch.objects.get(file_name="neet.csv")
    assert (batch.status, batch.dispatched_at) == (ImportBatch.Status.PENDING, None)
    basin = basin_create(
        name="Bassin en file", source_kind=BasinSource.COMMUNES, source_codes=["52003", "52004"]
    )
    assert Basin.objects.get(pk=basin.pk).refresh_sent_at is None
    assert time.monotonic() - started < 30  # no request hangs on the dead broker

    faults.redis.start()
    back = time.monotonic()

    def all_done() -> bool:
        return (
            DiagnosticRun.objects.get(pk=run.pk).status == Status.DONE
            and ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE
            and Basin.objects.get(pk=basin.pk).geometry_status != GeometryStatus.PENDING
        )

    assert wait_for(all_done, timeout=60), faults.logs()
    assert time.monotonic() - back < 60  # sent within a minute of the broker coming back
    assert DiagnosticRun.objects.get(pk=run.pk).attempts == 1
    assert IndicatorFact.objects.filter(batch=batch).count() == LINES
    assert IndicatorFact.objects.count() == LINES


def test_broker_down_during_the_run(faults) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.models import BmoFact
    from diagnostics.services.diagnostics import diagnostic_request

    world = diagnostic_world()
    faults.worker(beat=True)
    with faults.pg.locked(BmoFact._meta.db_table):
        run = diagnostic_request(basin_id=world.basin.pk)
        assert wait_for(lambda: faults.pg.waiting_backends(), timeout=60), faults.logs()
        faults.redis.stop()  # with the message the worker holds unacknowledged
    # The run needs only the database: it completes with the broker gone.
    assert wait_for(lambda: DiagnosticRun.objects.get(pk=run.pk).status == Status.DONE, timeout=60)
    faults.redis.start()
    # The worker reconnects and goes on: a new request is computed.
    other = world.make_basin("Bassin après la panne", ["52003", "52004"])
    second = diagnostic_request(basin_id=other.pk)
    assert wait_for(
        lambda: DiagnosticRun.objects.get(pk=second.pk).status == Status.DONE, timeout=60
    ), faults.logs()
    assert DiagnosticRun.objects.get(pk=run.pk).attempts == 1
    assert DiagnosticRun.objects.count() == 2


def test_postgresql_connection_terminated_mid_request(faults, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = diagnostic_world()
    faults.worker(beat=False)  # no sweeper of its own waiting on the locked tables
    responses: dict[str, object] = {}

    def request(name: str, call) -> None:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(world.delegate)
        try:
            responses[name] = call(client)
        finally:
            connection.close()

    cases: list[tuple[Any, Any]] = [
        (DiagnosticRun, lambda c: c.post(f"/bassins/{world.basin.pk}/diagnostic/")),
        (ImportBatch, lambda c: _upload(c, _indicator_csv(tmp_path / "neet.csv"))),
    ]
    for model, call in cases:
        name = model.__name__
        before = model.objects.count()
        # The table locked against inserts: the request waits inside its INSERT, and its
        # connection is terminated there.
        with faults.pg.locked(model._meta.db_table, mode="SHARE ROW EXCLUSIVE"):
            thread = threading.Thread(target=request, args=(name, call))
            thread.start()
            assert wait_for(lambda: faults.pg.waiting_backends(), timeout=30)
            for backend in faults.pg.waiting_backends():
                faults.pg.terminate(backend)
        thread.join(timeout=30)
        response = responses[name]
        assert response.status_code == 503, name  # type: ignore[attr-defined]
        text = html.unescape(response.content.decode())  # type: ignore[attr-defined]
        assert "rien n'a été enregistré" in text
        assert model.objects.count() == before  # nothing half-written

    # Sent again by the user: both go through and complete, once.
    for model, call in cases:
        request(model.__name__, call)
        assert responses[model.__name__].status_code == 302  # type: ignore[attr-defined]
    run = DiagnosticRun.objects.get()
    batch = ImportBatch.objects.get(file_name="neet.csv")
    assert wait_for(
        lambda: (
            DiagnosticRun.objects.get(pk=run.pk).status == Status.DONE
            and ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE
        ),
        timeout=60,
    ), faults.logs()
    assert IndicatorFact.objects.filter(batch=batch).count() == LINES
