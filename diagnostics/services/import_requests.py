"""Starting a dataset import: the file is checked against the user's kinds, kept under
MEDIA_ROOT/imports/<sha256>/ and recorded as a pending `ImportBatch` (one live batch per file),
then processed at once or sent to its task after commit (`imports.import_batch_process`); a failed
or rejected batch can be run again as a new batch (`import_batch_retry`). A file that cannot be
kept is refused with a French message and nothing recorded.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import shutil
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from diagnostics.errors import ApplicationError
from diagnostics.importers.contract import ImportFileError
from diagnostics.importers.file_checks import check_file_safety
from diagnostics.importers.registry import importer_for
from diagnostics.models import ImportBatch, User
from diagnostics.selectors.imports import import_kinds_for
from diagnostics.services import outbox
from diagnostics.services.imports import (
    Status,
    import_batch_process,
    import_batches_fail_stale,
    import_limits,
)

logger = logging.getLogger(__name__)

MEDIA_SUBDIR = "imports"


class ImportRequestError(ApplicationError):
    """The import cannot be started as asked (unknown kind, kind not allowed for the user)."""

    code = "import_error"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


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
    file_name = _shortened(Path(file_name).name or path.name, FILE_NAME_MAX)
    size = path.stat().st_size if path.exists() else 0

    try:
        check_file_safety(path, display_name=file_name, **import_limits())
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
    # A batch of this file whose worker died must not block it: taken back first.
    import_batches_fail_stale(sha256=sha)
    existing = _live_batch(sha)
    if existing is not None:
        logger.info("import_dataset: %s already imported as batch %s", file_name, existing.pk)
        if existing.status == Status.PENDING and not sync:
            outbox.outbox_kick(ImportBatch, existing.pk)  # queued long ago: send it again now
        return existing

    stored_rel = (
        f"{MEDIA_SUBDIR}/{sha}/{_shortened(get_valid_filename(file_name) or 'fichier', 120)}"
    )
    _keep_file(path, Path(settings.MEDIA_ROOT) / stored_rel, display_name=file_name)
    try:
        with transaction.atomic():
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
                progress_step="En file d'attente",
            )
    except IntegrityError:
        # A concurrent upload of the same file won the race (one live batch per file).
        existing = _live_batch(sha)
        if existing is None:
            raise
        logger.info("import_dataset: %s raced, batch %s kept", file_name, existing.pk)
        return existing
    return _process_or_send(batch, sync=sync)


# A file's name as kept: the column's length, and 120 characters on disk (a 300-character name
# exceeded the file system's 255 bytes: the upload answered 503, fuzzing 2026-12-07).
FILE_NAME_MAX = 255


def _shortened(name: str, limit: int) -> str:
    """`name` cut to `limit` characters (and 240 bytes in UTF-8), its extension kept."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, dot, suffix = name, "", ""
    tail = f"{dot}{suffix}"
    stem = stem[: max(1, limit - len(tail))]
    while len(f"{stem}{tail}".encode()) > 240 and len(stem) > 1:
        stem = stem[:-1]
    return f"{stem}{tail}"


def _live_batch(sha: str) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(sha256=sha, status__in=[Status.DONE, *ImportBatch.RUNNING])
        .order_by("-created_at", "-pk")
        .first()
    )


def _keep_file(source: Path, stored: Path, *, display_name: str) -> None:
    """Copy the upload under MEDIA_ROOT (kept for the worker and for a retry). A disk full or a
    folder that cannot be written is refused in French; a partial copy is removed."""
    if stored.exists() and stored.stat().st_size == source.stat().st_size:
        return
    # Each writer copies to its own partial file: concurrent uploads of one file (same sha,
    # same stored path) must not rename each other's copy away. The last rename wins, and
    # every copy holds the same bytes.
    partial = stored.with_name(f"{stored.name}.{uuid.uuid4().hex[:12]}.partiel")
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        partial.replace(stored)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        logger.error("import_dataset: cannot keep %s under %s: %s", display_name, stored, exc)
        raise ImportRequestError(
            f"Le fichier « {display_name} » n'a pas pu être enregistré sur le serveur "
            f"({_os_reason(exc)}) : rien n'a été importé. Réessayez plus tard ou prévenez "
            "l'administrateur de la plateforme.",
            code="storage_error",
        ) from exc


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return "espace disque plein"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "dossier des fichiers non accessible en écriture"
    return f"erreur du système de fichiers : {exc.strerror or exc}"


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
        try:
            with transaction.atomic():
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
                    progress_step="En file d'attente",
                )
        except IntegrityError:
            # The same file was uploaded meanwhile (one live batch per file): that one.
            existing = _live_batch(old.sha256)
            if existing is None:
                raise
            return existing
    return _process_or_send(batch, sync=sync)


def _process_or_send(batch: ImportBatch, *, sync: bool) -> ImportBatch:
    """Process a new batch now (`sync`), or send it to its task once the transaction commits
    (the pending batch is the outbox: a broker error leaves it queued)."""
    if sync:
        return import_batch_process(batch_id=batch.pk)
    batch_id = batch.pk
    transaction.on_commit(lambda: outbox.batch_send(batch_id))
    return batch
