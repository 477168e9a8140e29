"""Dataset imports: one service, three doors (upload page via Celery, `import_dataset` command, API).

`import_dataset` records the file (kept under MEDIA_ROOT/imports/<sha256>/) as an `ImportBatch`
and runs or enqueues `import_batch_process`, which:
1. claims the batch with a conditional UPDATE (pending → validating): a re-delivered task does
   nothing twice;
2. checks the file before parsing (size, zip bomb, extension that lies), detects its kind when
   not given, and lets the kind's importer read and validate EVERY row (DB-free, lazily);
3. any error → `rejected` with the row report, zero fact rows written;
4. otherwise, in ONE transaction: bulk write (PostgreSQL COPY, elsewhere multi-row INSERTs in chunks),
   mark the previous done batch of the same kind and vintage `superseded` (kept, with its
   facts), then this batch `done`. Any database failure rolls everything back and the batch is
   `failed` with the error: nothing partial.
Progress (percent + step) is written to the batch row as it goes.

Adding a kind: its importer in `diagnostics/importers/` (listed in the registry) and its store
function `store(batch, frame) -> int` in `STORES` below; `facts_write` does the bulk write of a
frame whose columns are the fact model's field names.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from itertools import islice
from pathlib import Path
from time import perf_counter
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from diagnostics.errors import ApplicationError
from diagnostics.importers import bmo as bmo_importer
from diagnostics.importers.base import (
    HINT_NOTE,
    LINE,
    ImportFileError,
    RowError,
    check_file_safety,
    error_lines,
)
from diagnostics.importers.registry import describe_head, detect_kind, importer_for
from diagnostics.models import (
    BassinBmo,
    BmoFact,
    ChomageZeFact,
    DefmFact,
    DefmSecteurFact,
    FapCode,
    ImportBatch,
    IndicatorFact,
    Lycee,
    PopulationAgeFact,
    Region,
    RomeAppellation,
    RomeCode,
    RomeDomain,
    TensionFact,
    User,
)
from diagnostics.selectors.imports import import_kinds_for, validation_context_build

logger = logging.getLogger(__name__)

Status = ImportBatch.Status
MEDIA_SUBDIR = "imports"
WRITE_CHUNK_ROWS = 5000


class ImportRequestError(ApplicationError):
    """The import cannot be started as asked (unknown kind, kind not allowed for the user)."""

    code = "import_error"


# --- Writing facts --------------------------------------------------------------------------


def facts_write(
    model: type[models.Model],
    frame: pd.DataFrame,
    *,
    batch: ImportBatch,
    columns: Sequence[str] | None = None,
) -> int:
    """Bulk-write `frame` into the fact table `model`, every row pointing to `batch`. The frame's
    columns are field names of the model (`columns` defaults to all those present). Must run
    inside the caller's transaction. PostgreSQL: COPY (psycopg 3); other databases: bulk_create
    in chunks (executemany). Returns the number of rows written."""
    field_names = (
        list(columns)
        if columns is not None
        else [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("id", "batch_id") and f.attname in frame.columns
        ]
    )
    if not len(frame):
        return 0
    data = [
        frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in field_names
    ]
    rows: Iterable[tuple[Any, ...]] = zip([batch.pk] * len(frame), *data, strict=True)
    attnames = ["batch_id", *field_names]
    written = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, WRITE_CHUNK_ROWS)):
        _write_rows(model, attnames, chunk)
        written += len(chunk)
    return written


def _write_rows(
    model: type[models.Model], attnames: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Write one chunk (a seam the tests use to make the database fail midway).

    PostgreSQL: COPY FROM STDIN through psycopg 3. Other databases: one multi-row INSERT per
    chunk through `executemany` (what bulk_create does, without building 50,000 model
    instances, which costs more than the insert itself on SQLite)."""
    by_attname = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    columns = [by_attname[a] for a in attnames]
    if connection.vendor == "postgresql":
        from psycopg import sql

        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join([sql.Identifier(c) for c in columns]),
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    quote = connection.ops.quote_name
    insert_sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(insert_sql, rows)


# --- Store functions: kind → writer of the validated frame -----------------------------------


def bmo_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    new_bassins = batch.notes.get(bmo_importer.NEW_BASSINS_NOTE) or []
    if new_bassins:
        regions = set(Region.objects.values_list("code", flat=True))
        BassinBmo.objects.bulk_create(
            [
                BassinBmo(
                    code=b["code"],
                    name=(b["name"] or b["code"])[:100],
                    region_id=b["region"] if b["region"] in regions else None,
                )
                for b in new_bassins
            ],
            ignore_conflicts=True,
        )
    return facts_write(BmoFact, frame, batch=batch)


def chomage_ze_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(ChomageZeFact, frame, batch=batch)


def indicator_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(IndicatorFact, frame, batch=batch)


def defm_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(DefmFact, frame, batch=batch)


def defm_secteur_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(DefmSecteurFact, frame, batch=batch)


def tensions_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(TensionFact, frame, batch=batch)


def lycees_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(Lycee, frame, batch=batch)


def rome_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    # One kind, three layouts of the referential (see diagnostics/importers/rome.py).
    if "parent_code" in frame.columns:
        return facts_write(RomeCode, frame, batch=batch)
    if "code_ogr" in frame.columns:
        return facts_write(RomeAppellation, frame, batch=batch)
    return facts_write(RomeDomain, frame, batch=batch)


def fap_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(FapCode, frame, batch=batch)


def population_age_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(PopulationAgeFact, frame, batch=batch)


STORES: dict[str, Callable[[ImportBatch, pd.DataFrame], int]] = {
    "bmo": bmo_store,
    "chomage_ze": chomage_ze_store,
    "indicator": indicator_store,
    "defm": defm_store,
    "defm_secteur": defm_secteur_store,
    "tensions": tensions_store,
    "lycees": lycees_store,
    "rome": rome_store,
    "fap": fap_store,
    "population_age": population_age_store,
}


# --- Entry points ---------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _limits() -> dict[str, int]:
    return {
        "max_bytes": settings.IMPORT_MAX_FILE_MB * 1024 * 1024,
        "max_uncompressed_bytes": settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024,
    }


def import_dataset(
    *,
    kind: str | None,
    path: Path,
    file_name: str,
    vintage: str | None = None,
    user: User | None = None,
    sync: bool,
    options: dict[str, Any] | None = None,
) -> ImportBatch:
    """Record `path` as a new import batch and process it (now when `sync`, else through the
    Celery task after commit). The same file already imported (or running) is a no-op returning
    that batch. A file refused before reading (too large, extension that lies…) gives a
    `rejected` batch with the reason; nothing is stored."""
    path = Path(path)
    kind = kind or ""
    if kind:
        importer_for(kind)  # unknown kind → ImportFileError now, not in a worker
        if user is not None and kind not in import_kinds_for(user):
            raise ImportRequestError(f"Votre rôle ne permet pas d'importer des données « {kind} ».")
    options = dict(options or {})
    vintage = (vintage or "").strip()
    file_name = Path(file_name).name or path.name
    size = path.stat().st_size if path.exists() else 0

    try:
        check_file_safety(path, display_name=file_name, **_limits())
    except ImportFileError as exc:
        batch = ImportBatch.objects.create(
            kind=kind,
            file_name=file_name,
            file_size=size,
            sha256="",
            uploaded_by=user,
            vintage=vintage,
            options=options,
            status=Status.REJECTED,
            error_message=exc.message,
            rows_rejected=0,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            progress_percent=100,
            progress_step="Fichier refusé avant lecture",
        )
        return batch

    sha = file_sha256(path)
    existing = (
        ImportBatch.objects.filter(sha256=sha, status__in=[Status.DONE, *ImportBatch.RUNNING])
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        logger.info("import_dataset: %s already imported as batch %s", file_name, existing.pk)
        return existing

    stored_rel = f"{MEDIA_SUBDIR}/{sha}/{get_valid_filename(file_name) or 'fichier'}"
    stored = Path(settings.MEDIA_ROOT) / stored_rel
    stored.parent.mkdir(parents=True, exist_ok=True)
    if not stored.exists():
        shutil.copyfile(path, stored)
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=file_name,
        file_path=stored_rel,
        file_size=size,
        sha256=sha,
        uploaded_by=user,
        vintage=vintage,
        options=options,
        status=Status.PENDING,
        progress_step="En attente de traitement",
    )
    if sync:
        return import_batch_process(batch_id=batch.pk)

    from diagnostics.dispatch import IMPORT_BATCH_PROCESS, task_send

    batch_id = batch.pk
    transaction.on_commit(lambda: task_send(IMPORT_BATCH_PROCESS, batch_id))
    return batch


def _progress(batch: ImportBatch, percent: int, step: str, **fields: Any) -> None:
    """Write progress to the row right away (outside any write transaction)."""
    batch.progress_percent = percent
    batch.progress_step = step
    for key, value in fields.items():
        setattr(batch, key, value)
    ImportBatch.objects.filter(pk=batch.pk).update(
        progress_percent=percent, progress_step=step, **fields
    )


def _finish(
    batch: ImportBatch, *, status: str, step: str, timings: dict[str, float], **fields: Any
) -> ImportBatch:
    batch.status = status
    batch.finished_at = timezone.now()
    batch.progress_percent = 100
    batch.progress_step = step
    batch.step_durations = {k: round(v, 3) for k, v in timings.items()}
    for key, value in fields.items():
        setattr(batch, key, value)
    batch.save()
    return batch


def _reject(
    batch: ImportBatch, *, message: str, errors: list[RowError], timings: dict[str, float]
) -> ImportBatch:
    cap = settings.IMPORT_MAX_REPORTED_ERRORS
    return _finish(
        batch,
        status=Status.REJECTED,
        step="Fichier refusé : aucune donnée écrite",
        timings=timings,
        error_message=message,
        error_report=[e.as_dict() for e in errors[:cap]],
        errors_total=len(errors),
        rows_rejected=error_lines(e for e in errors if e.line is not None),
        rows_written=0,
    )


def import_batch_process(*, batch_id: int) -> ImportBatch:
    """Validate then write a pending batch (see the module docstring). Idempotent: a batch that
    is not pending any more (already claimed by another delivery of the task) is returned
    untouched."""
    started = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch_id, status=Status.PENDING).update(
        status=Status.VALIDATING,
        started_at=started,
        progress_percent=5,
        progress_step="Contrôle du fichier",
    )
    batch = ImportBatch.objects.get(pk=batch_id)
    if not claimed:
        logger.info("import_batch_process: batch %s is %s, nothing to do", batch_id, batch.status)
        return batch

    timings: dict[str, float] = {}
    t_start = perf_counter()
    path = Path(settings.MEDIA_ROOT) / batch.file_path
    try:
        fmt = check_file_safety(path, display_name=batch.file_name, **_limits())
        if not batch.kind:
            kind, head = detect_kind(path, fmt=fmt, display_name=batch.file_name)
            if kind is None:
                raise ImportFileError(
                    f"Type de données non reconnu pour « {batch.file_name} » ({describe_head(head)}). "
                    "Choisissez le type de données explicitement."
                )
            batch.kind, batch.kind_detected = kind, True
            ImportBatch.objects.filter(pk=batch.pk).update(kind=kind, kind_detected=True)
        if batch.uploaded_by is not None and batch.kind not in import_kinds_for(batch.uploaded_by):
            raise ImportFileError(
                f"Votre rôle ne permet pas d'importer des données « {batch.get_kind_display()} »."
            )
        importer = importer_for(batch.kind)
        formats = getattr(importer, "FORMATS", ("xlsx", "csv"))
        if fmt not in formats:
            expected = " ou ".join(f".{f}" for f in formats)
            raise ImportFileError(
                f"Le type « {importer.LABEL} » attend un fichier {expected} : "
                f"« {batch.file_name} » est un fichier .{fmt}."
            )
        if batch.kind not in STORES:
            raise ImportFileError(
                f"L'écriture des données « {importer.LABEL} » n'est pas encore disponible."
            )
        timings["contrôle du fichier"] = perf_counter() - t_start
        _progress(batch, 15, "Lecture et validation de chaque ligne")
        t_read = perf_counter()
        context = validation_context_build(options=batch.options)
        result = importer.read(path, vintage=batch.vintage or None, context=context)
        timings["lecture et validation"] = perf_counter() - t_read
    except ImportFileError as exc:
        timings["total"] = perf_counter() - t_start
        return _reject(batch, message=exc.message, errors=[], timings=timings)
    except Exception as exc:  # a bug or an unreadable file: the batch must not stay running
        logger.exception("import_batch_process: reading batch %s failed", batch_id)
        timings["total"] = perf_counter() - t_start
        return _finish(
            batch,
            status=Status.FAILED,
            step="Échec de la lecture",
            timings=timings,
            error_message=f"Erreur inattendue pendant la lecture du fichier : {exc}",
        )

    batch.rows_read = result.rows_read
    batch.vintage_detected = not batch.vintage and bool(result.vintage)
    batch.vintage = result.vintage or batch.vintage
    batch.period = result.period
    batch.nomenclature = result.nomenclature
    batch.notes = _json_safe(result.notes)
    if result.errors:
        n = len(result.errors)
        lines = error_lines(result.errors)
        timings["total"] = perf_counter() - t_start
        return _reject(
            batch,
            message=(
                f"{n} erreur{'s' if n > 1 else ''} sur {lines} ligne{'s' if lines > 1 else ''} : "
                "fichier refusé en entier, aucune donnée écrite."
                + (f" {result.notes[HINT_NOTE]}" if result.notes.get(HINT_NOTE) else "")
            ),
            errors=result.errors,
            timings=timings,
        )

    _progress(
        batch,
        60,
        f"Écriture de {len(result.frame)} lignes",
        status=Status.IMPORTING,
        rows_read=batch.rows_read,
    )
    t_write = perf_counter()
    store = STORES[batch.kind]
    try:
        with transaction.atomic():
            batch.save(
                update_fields=["vintage", "vintage_detected", "period", "nomenclature", "notes"]
            )
            written = store(batch, result.frame.drop(columns=[LINE], errors="ignore"))
            previous = list(
                ImportBatch.objects.select_for_update()
                .filter(kind=batch.kind, vintage=batch.vintage, status=Status.DONE)
                .exclude(pk=batch.pk)
                .order_by("-finished_at")
            )
            if previous:
                ImportBatch.objects.filter(pk__in=[p.pk for p in previous]).update(
                    status=Status.SUPERSEDED
                )
            timings["écriture"] = perf_counter() - t_write
            timings["total"] = perf_counter() - t_start
            _finish(
                batch,
                status=Status.DONE,
                step="Importé",
                timings=timings,
                rows_written=written,
                supersedes=previous[0] if previous else None,
                error_message="",
            )
    except Exception as exc:
        logger.exception("import_batch_process: writing batch %s failed", batch_id)
        timings["écriture"] = perf_counter() - t_write
        timings["total"] = perf_counter() - t_start
        return _finish(
            batch,
            status=Status.FAILED,
            step="Échec de l'écriture : rien n'a été écrit",
            timings=timings,
            rows_written=0,
            supersedes=None,
            error_message=f"Échec de l'écriture en base, transaction annulée (aucune ligne "
            f"écrite, l'import précédent reste en vigueur) : {exc}",
        )
    return batch


def import_batches_fail_stale(*, older_than: timedelta | None = None) -> int:
    """Mark as failed the batches still validating/importing long after their task's time limit
    (a worker killed mid-run): a run is never left "running". Returns how many."""
    limit = older_than or timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    cutoff = timezone.now() - limit
    return ImportBatch.objects.filter(
        status__in=[Status.VALIDATING, Status.IMPORTING], started_at__lt=cutoff
    ).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        progress_step="Interrompu",
        error_message="Traitement interrompu (délai dépassé ou processus arrêté) : relancez l'import.",
    )


def import_batch_retry(
    *, batch_id: int, user: User | None = None, sync: bool = False
) -> ImportBatch:
    """Run a failed or rejected batch's file again as a new batch (e.g. after the territories
    were loaded). When the same file is already imported or running (a retry clicked twice, or
    the file uploaded again since), that batch is returned and nothing is created."""
    with transaction.atomic():
        # The lock serialises two retries of the same batch: the second finds the first's batch.
        old = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if old.status not in (Status.FAILED, Status.REJECTED) or not old.file_path:
            raise ImportRequestError(
                "Seul un import refusé ou en échec, dont le fichier est conservé, peut être "
                "relancé."
            )
        if user is not None and old.kind and old.kind not in import_kinds_for(user):
            raise ImportRequestError(
                f"Votre rôle ne permet pas d'importer des données « {old.get_kind_display()} »."
            )
        existing = (
            ImportBatch.objects.filter(
                sha256=old.sha256, status__in=[Status.DONE, *ImportBatch.RUNNING]
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if existing is not None:
            logger.info("import_batch_retry: batch %s already re-run as %s", old.pk, existing.pk)
            return existing
        batch = ImportBatch.objects.create(
            kind="" if old.kind_detected else old.kind,
            file_name=old.file_name,
            file_path=old.file_path,
            file_size=old.file_size,
            sha256=old.sha256,
            uploaded_by=user or old.uploaded_by,
            vintage="" if old.vintage_detected else old.vintage,
            options=old.options,
            status=Status.PENDING,
            progress_step="En attente de traitement",
        )
    if sync:
        return import_batch_process(batch_id=batch.pk)
    from diagnostics.dispatch import IMPORT_BATCH_PROCESS, task_send

    transaction.on_commit(lambda: task_send(IMPORT_BATCH_PROCESS, batch.pk))
    return batch


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value
