"""The committed row is the outbox (diagnostics.services.outbox, issue 15): a broker error never
fails the request and leaves the work « en file d'attente »; the periodic dispatcher sends what
is due; a queued run or batch never blocks a new request for the same data or file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from diagnostics.models import Basin, DiagnosticRun, GeometryStatus, ImportBatch
from diagnostics.services import outbox
from diagnostics.services.diagnostics import diagnostic_request
from diagnostics.services.import_requests import import_dataset
from tests.factories.diagnostic_runs import diagnostic_world

pytestmark = pytest.mark.django_db


class Broker:
    """`send_task` of the Celery app, up or down."""

    def __init__(self) -> None:
        self.up = True
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    def send_task(
        self, name: str, args: tuple[Any, ...] = (), kwargs: Any = None, **options: Any
    ) -> None:
        # `options`: what dispatch.task_send passes besides (the time limits left to the
        # worker, see tests/diagnostics/test_dispatch.py).
        if not self.up:
            raise BrokerOperationalError(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )
        self.sent.append((name, tuple(args)))


@pytest.fixture
def broker(monkeypatch) -> Iterator[Broker]:  # type: ignore[no-untyped-def]
    fake = Broker()
    old = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    monkeypatch.setattr(current_app, "send_task", fake.send_task)
    yield fake
    current_app.conf.task_always_eager = old


def _age(model: Any, pk: int, seconds: float, field: str = "created_at") -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(seconds=seconds)})


def test_broker_down_leaves_the_run_queued_and_says_so(
    broker, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    world = diagnostic_world()
    broker.up = False

    with django_capture_on_commit_callbacks(execute=True):
        run = diagnostic_request(basin_id=world.basin.pk)

    run.refresh_from_db()
    assert (run.status, run.dispatched_at) == (DiagnosticRun.Status.PENDING, None)
    assert run.get_status_display() == "en file d'attente"
    assert run.progress_step == outbox.QUEUED_STEP
    # The same request again: the same queued run, not an error, not a second run.
    with django_capture_on_commit_callbacks(execute=True):
        again = diagnostic_request(basin_id=world.basin.pk)
    assert again.pk == run.pk and DiagnosticRun.objects.count() == 1


def test_dispatcher_sends_what_is_due_and_stamps_it(broker, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOX_MIN_AGE_S = 5
    settings.OUTBOX_RESEND_AFTER_S = 300
    world = diagnostic_world()
    queued = DiagnosticRun.objects.create(basin=world.basin, engine_version="t", data_key="a")
    fresh = DiagnosticRun.objects.create(basin=world.basin, engine_version="t", data_key="b")
    sent_long_ago = DiagnosticRun.objects.create(
        basin=world.basin, engine_version="t", data_key="c"
    )
    sent_lately = DiagnosticRun.objects.create(basin=world.basin, engine_version="t", data_key="d")
    for pk in (queued.pk, sent_long_ago.pk, sent_lately.pk):
        _age(DiagnosticRun, pk, 600)
    _age(DiagnosticRun, sent_long_ago.pk, 301, "dispatched_at")  # its message may be lost
    _age(DiagnosticRun, sent_lately.pk, 60, "dispatched_at")  # waiting for a worker
    Basin.objects.filter(pk=world.basin.pk).update(geometry_status=GeometryStatus.PENDING)
    _age(Basin, world.basin.pk, 60, "updated_at")

    sent = outbox.outbox_dispatch()

    assert sent == {"runs": 2, "batches": 0, "basins": 1, "pdf_jobs": 0}
    assert broker.sent == [
        ("diagnostics.tasks.diagnostic_execute", (queued.pk,)),
        ("diagnostics.tasks.diagnostic_execute", (sent_long_ago.pk,)),
        ("diagnostics.tasks.basin_refresh", (world.basin.pk,)),
    ]
    assert DiagnosticRun.objects.get(pk=queued.pk).dispatched_at is not None
    assert DiagnosticRun.objects.get(pk=fresh.pk).dispatched_at is None  # on_commit's job
    assert Basin.objects.get(pk=world.basin.pk).refresh_sent_at is not None
    # Sent: nothing is due any more.
    broker.sent.clear()
    assert outbox.outbox_dispatch() == {"runs": 0, "batches": 0, "basins": 0, "pdf_jobs": 0}


def test_dispatcher_stops_at_the_first_broker_error(broker) -> None:  # type: ignore[no-untyped-def]
    world = diagnostic_world()
    for key in ("a", "b"):
        run = DiagnosticRun.objects.create(basin=world.basin, engine_version="t", data_key=key)
        _age(DiagnosticRun, run.pk, 600)
    broker.up = False

    assert outbox.outbox_dispatch()["runs"] == 0
    assert not DiagnosticRun.objects.exclude(dispatched_at=None).exists()
    broker.up = True
    assert outbox.outbox_dispatch()["runs"] == 2


def _csv(path: Path) -> Path:
    path.write_text(
        "niveau;code;periode;indicateur;valeur;unite;source\n"
        "commune;52001;2020;part_neet;17,5;%;Insee\n",
        encoding="utf-8",
    )
    return path


def test_a_queued_batch_never_blocks_its_file(
    broker, tmp_path, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTBOX_RESEND_AFTER_S = 300
    diagnostic_world()
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        first = import_dataset(
            kind=None, path=_csv(tmp_path / "a.csv"), file_name="a.csv", sync=False
        )
    assert (first.status, first.dispatched_at) == (ImportBatch.Status.PENDING, None)

    # Broker back; the same file uploaded again: the queued batch, sent now (not an orphan).
    broker.up = True
    again = import_dataset(kind=None, path=_csv(tmp_path / "b.csv"), file_name="a.csv", sync=False)

    assert again.pk == first.pk and ImportBatch.objects.filter(file_name="a.csv").count() == 1
    assert broker.sent == [("diagnostics.tasks.import_batch_process", (first.pk,))]
    assert ImportBatch.objects.get(pk=first.pk).dispatched_at is not None


def test_one_live_batch_per_file_is_a_database_constraint() -> None:
    ImportBatch.objects.create(kind="bmo", file_name="a.xlsx", sha256="f" * 64)

    with pytest.raises(IntegrityError), transaction.atomic():
        ImportBatch.objects.create(kind="bmo", file_name="a.xlsx", sha256="f" * 64)
    # A refused, failed or superseded batch of the file does not count.
    ImportBatch.objects.create(kind="bmo", file_name="a.xlsx", sha256="f" * 64, status="failed")
    ImportBatch.objects.create(kind="", file_name="b.xlsx", sha256="", status="pending")
    ImportBatch.objects.create(kind="", file_name="c.xlsx", sha256="", status="pending")
