"""An import processed by a real `celery worker` (Redis broker, PostgreSQL): the upload door's
path, `import_dataset(sync=False)` enqueuing after commit, the worker claiming, validating and
writing the batch with COPY."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db.models import Count, Sum

from diagnostics.models import ImportBatch, IndicatorFact
from tests.factories.diagnostics import CommuneFactory, DepartementFactory, RegionFactory
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration
Status = ImportBatch.Status
COMMUNES = ("98001", "98002", "98003")
MONTHS = [f"{year}-{month:02d}" for year in range(2020, 2025) for month in range(1, 13)]


@pytest.fixture
def shared_media_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """One MEDIA_ROOT for this process (which keeps the uploaded file) and the worker (which
    reads it): the worker reads DJANGO_MEDIA_ROOT from the environment it inherits."""
    root = tmp_path / "media"
    root.mkdir()
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    yield root


@pytest.fixture
def worker(shared_media_root: Path, celery_worker_process: str) -> str:
    # Requested in this order so that the worker starts with the shared MEDIA_ROOT.
    return celery_worker_process


def _indicator_csv(path: Path) -> tuple[int, float, int]:
    """A generated indicator file (`;`, decimal comma, one secret cell per commune): 180 lines.
    Returns (lines, sum of the published values, secret cells), worked out here."""
    rng = random.Random(2026)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["niveau", "code", "periode", "indicateur", "valeur", "unite", "source"])
    total, secret, lines = 0.0, 0, 0
    for code in COMMUNES:
        for i, month in enumerate(MONTHS):
            lines += 1
            if i == 7:
                writer.writerow(["commune", code, month, "part_neet", "*", "%", "Test"])
                secret += 1
                continue
            value = round(rng.uniform(5, 30), 1)
            total += value
            text = f"{value:.1f}".replace(".", ",")
            writer.writerow(["commune", code, month, "part_neet", text, "%", "Test"])
    path.write_text(out.getvalue(), encoding="utf-8")
    return lines, round(total, 1), secret


def test_indicator_import_processed_by_a_real_worker(worker: str, tmp_path: Path) -> None:
    from diagnostics.services.import_requests import import_dataset

    region = RegionFactory(code="98", name="Région test")
    departement = DepartementFactory(code="9Z", name="Département test", region=region)
    for code in COMMUNES:
        CommuneFactory(code=code, departement=departement, region=region)
    path = tmp_path / "neet.csv"
    lines, total, secret = _indicator_csv(path)

    # transactional_db: the batch row commits at once, and the on_commit hook enqueues on Redis.
    batch = import_dataset(kind=None, path=path, file_name="neet.csv", sync=False)

    assert batch.status == Status.PENDING
    assert wait_for(
        lambda: ImportBatch.objects.get(pk=batch.pk).status not in ImportBatch.RUNNING,
        timeout=90,
    ), "the worker did not process the import within 90 s"
    batch.refresh_from_db()
    assert batch.status == Status.DONE, (batch.error_message, batch.error_report[:3])
    assert (batch.kind, batch.kind_detected, batch.vintage) == ("indicator", True, "part_neet")
    assert (batch.rows_read, batch.rows_written, batch.progress_percent) == (lines, lines, 100)
    assert lines == 180
    stored = IndicatorFact.objects.filter(batch=batch).aggregate(n=Count("id"), total=Sum("value"))
    assert stored["n"] == lines
    assert stored["total"] == pytest.approx(total, abs=1e-6)
    secrets = IndicatorFact.objects.filter(batch=batch, masked=True)
    assert secrets.count() == secret == 3
    assert not secrets.exclude(value=None).exists()  # secret: unknown, never 0
