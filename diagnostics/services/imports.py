"""Dataset imports: one service, three doors (upload page via Celery, `import_dataset` command, API).

`import_requests.import_dataset` records the file (kept under MEDIA_ROOT/imports/<sha256>/) as an
`ImportBatch` and runs or enqueues `import_batch_process` (this module), which:
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

Faults (issue 15, docs/security.md « Pannes »): the pending batch is the outbox of its task
(`diagnostics.services.outbox`: a broker error leaves it queued, the dispatcher sends it again);
one batch per file at a time is a unique constraint (`import_batch_one_live_per_file`), so
concurrent uploads of the same file give one batch; the batch is claimed by owner and heartbeat
(`diagnostics.services.claims`): a worker killed mid-import (its transaction rolled back by the
database) is replaced by the redelivered message or, when the whole worker is gone, by the
sweeper; the failure of a batch is written on a fresh connection (soft time limit inside a
query). A file that cannot be kept (disk full, media folder not writable) is refused with a
French message and nothing recorded.

Adding a kind: its importer in `diagnostics/importers/` (listed in the registry) and its store
function `store(batch, frame) -> int` in `STORES` (`services/import_stores.py`); `facts_write` does the bulk write of a
frame whose columns are the fact model's field names.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from diagnostics.importers.codes import error_lines
from diagnostics.importers.contract import HINT_NOTE, LINE, ImportFileError, RowError
from diagnostics.importers.file_checks import check_file_safety
from diagnostics.importers.registry import describe_head, detect_kind, importer_for
from diagnostics.models import ImportBatch
from diagnostics.selectors.imports import import_kinds_for, validation_context_build
from diagnostics.services import claims
from diagnostics.services.import_stores import STORES

logger = logging.getLogger(__name__)

Status = ImportBatch.Status
WORKING = (Status.VALIDATING, Status.IMPORTING)
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


# --- Entry points ---------------------------------------------------------------------------


def import_limits() -> dict[str, int]:
    return {
        "max_bytes": settings.IMPORT_MAX_FILE_MB * 1024 * 1024,
        "max_uncompressed_bytes": settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024,
    }


def _progress(batch: ImportBatch, percent: int, step: str, **fields: Any) -> None:
    """Write progress (and a heartbeat) to the row right away, outside any write transaction,
    while this process still owns the batch."""
    batch.progress_percent = percent
    batch.progress_step = step
    for key, value in fields.items():
        setattr(batch, key, value)
    claims.owned(ImportBatch, batch.pk, batch.claimed_by, WORKING).update(
        progress_percent=percent, progress_step=step, heartbeat_at=timezone.now(), **fields
    )


def _finish(
    batch: ImportBatch, *, status: str, step: str, timings: dict[str, float], **fields: Any
) -> ImportBatch:
    """Write the outcome, only while this process still owns the batch (a process that lost
    its claim, swept or taken over, writes nothing)."""
    batch.status = status
    batch.finished_at = timezone.now()
    batch.progress_percent = 100
    batch.progress_step = step
    batch.step_durations = {k: round(v, 3) for k, v in timings.items()}
    for key, value in fields.items():
        setattr(batch, key, value)
    with transaction.atomic():
        still_ours = (
            claims.owned(ImportBatch, batch.pk, batch.claimed_by, WORKING)
            .select_for_update()
            .exists()
        )
        if not still_ours:
            logger.warning("import batch %s: claim lost, outcome %s dropped", batch.pk, status)
            batch.refresh_from_db()
            return batch
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


class ClaimLost(Exception):
    """This process no longer owns the batch: its write is rolled back."""


def import_batch_process(
    *, batch_id: int, owner: str | None = None, retriable: bool = False
) -> ImportBatch:
    """Validate then write a batch (see the module docstring). Idempotent: the batch is claimed
    by `owner` (this process) when pending, or when its owner died (see
    `diagnostics.services.claims`); a batch another live process holds, or already finished,
    is returned untouched. A lost database connection puts the batch back in the queue and
    raises when `retriable` (the task retries), else fails it."""
    owner = owner or claims.owner_id()
    claimed = claims.claim(
        ImportBatch,
        batch_id,
        owner=owner,
        queued=Status.PENDING,
        running=WORKING,
        claim_status=Status.VALIDATING,
        started_at=timezone.now(),
        progress_percent=5,
        progress_step="Contrôle du fichier",
    )
    batch = ImportBatch.objects.get(pk=batch_id)
    if not claimed:
        logger.info("import_batch_process: batch %s is %s, nothing to do", batch_id, batch.status)
        return batch
    with claims.Heartbeat(ImportBatch, batch_id, owner, WORKING):
        try:
            return _process(batch, retriable=retriable)
        except SoftTimeLimitExceeded:
            # Possibly raised inside a query: the failure goes on a fresh connection, and is
            # final (a blind retry would hit the same limit).
            claims.connection_reset()
            logger.error("import_batch_process: batch %s hit its time limit", batch_id)
            return _finish(
                batch,
                status=Status.FAILED,
                step="Interrompu : délai dépassé",
                timings={},
                rows_written=0,
                supersedes=None,
                error_message="Traitement interrompu : délai dépassé. Aucune ligne écrite, "
                "l'import précédent reste en vigueur ; relancez l'import.",
            )
        except TRANSIENT_ERRORS:
            # The database went away: the batch goes back to the queue (if it can be written;
            # otherwise its heartbeat stops and the sweeper does it) for the task's retry.
            claims.connection_reset()
            logger.warning("import_batch_process: batch %s: database error, retried", batch_id)
            with contextlib.suppress(*TRANSIENT_ERRORS):
                claims.owned(ImportBatch, batch_id, owner, WORKING).update(
                    status=Status.PENDING,
                    claimed_by="",
                    progress_percent=0,
                    progress_step="Nouvel essai après une coupure de la base de données",
                )
            raise


def _retried(exc: Exception, retriable: bool) -> bool:
    """Whether `exc` goes up to `import_batch_process` (time limit; transient when retried)."""
    return isinstance(exc, SoftTimeLimitExceeded) or (
        retriable and isinstance(exc, TRANSIENT_ERRORS)
    )


def _process(batch: ImportBatch, *, retriable: bool) -> ImportBatch:
    batch_id = batch.pk
    timings: dict[str, float] = {}
    t_start = perf_counter()
    path = Path(settings.MEDIA_ROOT) / batch.file_path
    try:
        fmt = check_file_safety(path, display_name=batch.file_name, **import_limits())
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
        if _retried(exc, retriable):
            raise
        logger.exception("import_batch_process: reading batch %s failed", batch_id)
        claims.connection_reset()
        timings["total"] = perf_counter() - t_start
        return _finish(
            batch,
            status=Status.FAILED,
            step="Échec de la lecture",
            timings=timings,
            # The exception (a bug, not the file: bad files raise ImportFileError) is in the
            # server's log with the batch's number; its text, often English and technical,
            # is not shown.
            error_message=(
                f"Erreur inattendue pendant la lecture du fichier : le fichier n'a pas été "
                f"importé. L'incident est consigné dans le journal du serveur (import n° "
                f"{batch_id}) ; relancez l'import ou signalez-le à l'administrateur."
            ),
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
        with transaction.atomic(), claims.query_cancelled_on_error():
            # Locked and checked first: a process that lost the batch writes no fact.
            if (
                not claims.owned(ImportBatch, batch.pk, batch.claimed_by, WORKING)
                .select_for_update()
                .exists()
            ):
                raise ClaimLost
            batch.save(
                update_fields=["vintage", "vintage_detected", "period", "nomenclature", "notes"]
            )
            written = store(batch, result.frame.drop(columns=[LINE], errors="ignore"))
            current = list(
                ImportBatch.objects.select_for_update()
                .filter(kind=batch.kind, vintage=batch.vintage, status=Status.DONE)
                .exclude(pk=batch.pk)
                .order_by("-finished_at")
            )
            # Out-of-order delivery: a file of the same kind and vintage uploaded AFTER this
            # one is already in force; it stays so, and this batch is kept as replaced.
            newer = [p for p in current if (p.created_at, p.pk) > (batch.created_at, batch.pk)]
            previous = [] if newer else current
            if previous:
                ImportBatch.objects.filter(pk__in=[p.pk for p in previous]).update(
                    status=Status.SUPERSEDED
                )
            timings["écriture"] = perf_counter() - t_write
            timings["total"] = perf_counter() - t_start
            batch.finished_at = timezone.now()
            batch.progress_percent = 100
            batch.progress_step = (
                f"Importé, mais remplacé par l'import n° {newer[0].pk} déposé après lui"
                if newer
                else "Importé"
            )
            batch.status = Status.SUPERSEDED if newer else Status.DONE
            batch.step_durations = {k: round(v, 3) for k, v in timings.items()}
            batch.rows_written = written
            batch.supersedes = previous[0] if previous else None
            batch.error_message = ""
            batch.save()
    except ClaimLost:
        logger.warning("import batch %s: claim lost before writing, nothing written", batch_id)
        batch.refresh_from_db()
        return batch
    except Exception as exc:
        if _retried(exc, retriable):
            raise
        logger.exception("import_batch_process: writing batch %s failed", batch_id)
        claims.connection_reset()
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


def import_batches_fail_stale(
    *, older_than: timedelta | None = None, sha256: str | None = None
) -> int:
    """Take back the batches whose worker died: validating/importing with a heartbeat stopped
    for TASK_STALE_AFTER_S are queued again (at most TASK_MAX_ATTEMPTS tries) or failed; those
    running past the task's time limit (`older_than`) are failed. Never left running. Returns
    how many were taken back."""
    limit = older_than or timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    batches = ImportBatch.objects.all()
    if sha256 is not None:
        batches = batches.filter(sha256=sha256)
    now = timezone.now()
    message = "Traitement interrompu (délai dépassé ou processus arrêté) : relancez l'import."
    timed_out, requeued, failed = claims.claims_take_back(
        ImportBatch,
        batches,
        running=WORKING,
        started_before=now - limit,
        now=now,
        message=message,
        doing="traitait",
        extra=None if sha256 is None else Q(sha256=sha256),
    )
    return timed_out + requeued + failed


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value
