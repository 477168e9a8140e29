"""Fault injection on dataset imports (issue 15), with real `celery worker` processes on a
private Redis and the PostgreSQL test database. Each test asserts on the final rows: the batch
is done (or visibly failed with « relancer » offered), its facts are written exactly once, and
nothing is half-written."""

from __future__ import annotations

import csv
import html
import io
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum

from diagnostics.models import ImportBatch, IndicatorFact, Role
from tests.factories.basins import make_user
from tests.factories.diagnostics import CommuneFactory, DepartementFactory, RegionFactory
from tests.integration.processes import pid_of_owner, wait_for

pytestmark = pytest.mark.integration
Status = ImportBatch.Status
COMMUNES = ("98001", "98002", "98003")
MONTHS = [f"{year}-{month:02d}" for year in range(2015, 2025) for month in range(1, 13)]
FACTS_TABLE = IndicatorFact._meta.db_table


def _territory() -> None:
    region = RegionFactory(code="98", name="Région test")
    departement = DepartementFactory(code="9Z", name="Département test", region=region)
    for code in COMMUNES:
        CommuneFactory(code=code, departement=departement, region=region)


def _indicator_csv(path: Path, *, seed: int = 2026) -> tuple[int, float]:
    """A generated indicator file: 360 lines; returns (lines, sum of the values)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["niveau", "code", "periode", "indicateur", "valeur", "unite", "source"])
    total, lines = 0.0, 0
    for code in COMMUNES:
        for month in MONTHS:
            value = round(rng.uniform(5, 30), 1)
            total += value
            lines += 1
            writer.writerow(["commune", code, month, "part_neet", f"{value:.1f}", "%", "Test"])
    path.write_text(out.getvalue(), encoding="utf-8")
    return lines, round(total, 1)


def _settled(batch_id: int) -> bool:
    return ImportBatch.objects.get(pk=batch_id).status not in ImportBatch.RUNNING


def _facts(batch: ImportBatch) -> tuple[int, float]:
    stored = IndicatorFact.objects.filter(batch=batch).aggregate(total=Sum("value"))
    return IndicatorFact.objects.filter(batch=batch).count(), round(stored["total"] or 0, 1)


def test_worker_child_killed_mid_import_is_taken_over(faults, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.services.import_requests import import_dataset

    _territory()
    path = tmp_path / "neet.csv"
    lines, total = _indicator_csv(path)
    faults.worker(beat=True)

    # The facts table locked: the worker is caught inside its write transaction (COPY).
    with faults.pg.locked(FACTS_TABLE, mode="SHARE"):
        batch = import_dataset(kind=None, path=path, file_name="neet.csv", sync=False)
        assert wait_for(lambda: faults.pg.waiting_backends(), timeout=60), faults.logs()
        caught = ImportBatch.objects.get(pk=batch.pk)
        assert caught.status == Status.IMPORTING and caught.attempts == 1
        os.kill(pid_of_owner(caught.claimed_by), signal.SIGKILL)
    # The database rolled the dead child's transaction back; the message, acked late, is
    # delivered again and the new child takes the batch over (its owner is dead).
    assert wait_for(lambda: _settled(batch.pk), timeout=60), faults.logs()
    batch.refresh_from_db()
    assert batch.status == Status.DONE, batch.error_message
    assert batch.attempts == 2
    assert pid_of_owner(batch.claimed_by) != pid_of_owner(caught.claimed_by)
    assert _facts(batch) == (lines, total)
    assert IndicatorFact.objects.count() == lines  # written once
    assert ImportBatch.objects.count() == 1


def test_soft_time_limit_inside_the_import_write_fails_the_batch_visibly(  # type: ignore[no-untyped-def]
    faults, tmp_path: Path
) -> None:
    from diagnostics.services.import_requests import import_dataset

    _territory()
    path = tmp_path / "neet.csv"
    lines, total = _indicator_csv(path)
    faults.worker(
        beat=True, env={"CELERY_TASK_TIME_LIMIT": "40", "CELERY_TASK_SOFT_TIME_LIMIT": "6"}
    )

    with faults.pg.locked(FACTS_TABLE, mode="SHARE"):
        batch = import_dataset(kind=None, path=path, file_name="neet.csv", sync=False)
        # Caught inside its write transaction, which holds the batch's row (SELECT … FOR
        # UPDATE): the soft limit fires there. Before, the client closed its connection without
        # cancelling the query: the server went on waiting with the row locked, and the failure,
        # written on a fresh connection, waited on that lock until the table was freed.
        assert wait_for(lambda: faults.pg.waiting_backends(), timeout=60), faults.logs()
        assert ImportBatch.objects.get(pk=batch.pk).status == Status.IMPORTING
        assert wait_for(lambda: _settled(batch.pk), timeout=30), (
            faults.pg.activity(),
            faults.logs(),
        )
        # The blocked query was cancelled on the server: nothing of the worker still waits.
        assert wait_for(lambda: not faults.pg.waiting_backends(), timeout=5), faults.pg.activity()
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert batch.error_message.startswith("Traitement interrompu : délai dépassé")
    assert IndicatorFact.objects.count() == 0  # nothing half-written
    time.sleep(2)  # not retried: still failed, one attempt
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (Status.FAILED, 1)
    # « Relancer l'import »: the same file goes through once the table is free.
    from diagnostics.services.import_requests import import_batch_retry

    again = import_batch_retry(batch_id=batch.pk)
    assert wait_for(lambda: _settled(again.pk), timeout=60), faults.logs()
    again.refresh_from_db()
    assert again.status == Status.DONE, again.error_message
    assert _facts(again) == (lines, total)
    assert IndicatorFact.objects.count() == lines


def test_concurrent_uploads_of_one_file_give_one_batch(faults, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.services.import_requests import import_dataset

    _territory()
    lines, total = _indicator_csv(tmp_path / "neet.csv")
    copies = []
    for i in range(4):
        copy = tmp_path / f"upload-{i}.csv"
        shutil.copyfile(tmp_path / "neet.csv", copy)
        copies.append(copy)
    barrier = threading.Barrier(len(copies))
    got: list[int] = []
    errors: list[BaseException] = []

    def upload(path: Path) -> None:
        try:
            barrier.wait(timeout=30)
            got.append(
                import_dataset(kind="indicator", path=path, file_name="neet.csv", sync=False).pk
            )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(p,)) for p in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(got) == 4 and len(set(got)) == 1  # four uploads, one batch
    assert ImportBatch.objects.count() == 1
    faults.worker(beat=True)
    assert wait_for(lambda: _settled(got[0]), timeout=60), faults.logs()
    batch = ImportBatch.objects.get()
    assert batch.status == Status.DONE, batch.error_message
    assert _facts(batch) == (lines, total)
    assert IndicatorFact.objects.count() == lines


def test_duplicate_and_out_of_order_delivery(faults, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cnam_territoires.celery import app
    from diagnostics.dispatch import IMPORT_BATCH_PROCESS
    from diagnostics.services import outbox
    from diagnostics.services.import_requests import import_dataset

    _territory()
    older_lines, older_total = _indicator_csv(tmp_path / "a.csv", seed=1)
    newer_lines, newer_total = _indicator_csv(tmp_path / "b.csv", seed=2)
    # Two files of the same kind and vintage, uploaded in this order; their messages are held
    # back and then delivered newest first, the newest three times.
    monkeypatch.setattr(outbox, "batch_send", lambda batch_id: False)
    older = import_dataset(kind="indicator", path=tmp_path / "a.csv", file_name="a.csv", sync=False)
    newer = import_dataset(kind="indicator", path=tmp_path / "b.csv", file_name="b.csv", sync=False)
    for batch_id in (newer.pk, newer.pk, older.pk, newer.pk):
        app.send_task(IMPORT_BATCH_PROCESS, args=(batch_id,))
    faults.worker(beat=False)

    assert wait_for(lambda: _settled(older.pk) and _settled(newer.pk), timeout=60), faults.logs()
    older.refresh_from_db()
    newer.refresh_from_db()
    # The file uploaded last stays in force although it was written first.
    assert newer.status == Status.DONE and newer.attempts == 1, newer.error_message
    assert older.status == Status.SUPERSEDED and older.attempts == 1
    assert f"remplacé par l'import n° {newer.pk}" in older.progress_step
    assert _facts(newer) == (newer_lines, newer_total)  # once, despite three deliveries
    assert _facts(older) == (older_lines, older_total)
    current = IndicatorFact.objects.current().aggregate(total=Sum("value"))["total"]
    assert round(current, 1) == newer_total


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", str(target)], capture_output=True, check=False)


def test_disk_full_or_unwritable_media_during_an_upload(faults, tmp_path: Path, client) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    _territory()
    lines, total = _indicator_csv(tmp_path / "neet.csv")
    user = make_user("delegue-faults", role=Role.NATIONAL_ADMIN)
    client.force_login(user)
    media = Path(settings.MEDIA_ROOT)
    if not _mount(media, "size=4k"):
        pytest.skip("mount (tmpfs) not permitted here: cannot fill a disk for the test")

    def upload():  # type: ignore[no-untyped-def]
        with (tmp_path / "neet.csv").open("rb") as handle:
            return client.post("/donnees/imports/nouveau/", {"kind": "indicator", "file": handle})

    try:
        full = upload()
        assert full.status_code == 503
        assert "espace disque plein" in html.unescape(full.content.decode())
        assert "rien n'a été importé" in html.unescape(full.content.decode())
        assert ImportBatch.objects.count() == 0
        assert [p for p in media.rglob("*") if p.is_file()] == []  # no partial file left
        _umount(media)
        assert _mount(media, "ro,size=1m")
        readonly = upload()
        assert readonly.status_code == 503
        assert "non accessible en écriture" in html.unescape(readonly.content.decode())
        assert ImportBatch.objects.count() == 0
    finally:
        _umount(media)

    # Space back: the same upload goes through and is imported once.
    faults.worker(beat=True)
    response = upload()
    assert response.status_code == 302, response.content.decode()[:500]
    batch = ImportBatch.objects.get()
    assert wait_for(lambda: _settled(batch.pk), timeout=60), faults.logs()
    batch.refresh_from_db()
    assert batch.status == Status.DONE, batch.error_message
    assert _facts(batch) == (lines, total)
