"""Backups of the database and the uploaded files, and their restore.

A backup is a folder: `db.dump` (PostgreSQL: `pg_dump --format=custom`, one consistent snapshot
taken in a single repeatable-read transaction, so an import or a run writing at that moment is
either entirely in it or not at all) or `db.sqlite3` (SQLite's online backup API), `media.tar.gz`
(MEDIA_ROOT: the uploaded import files) and `manifest.json` (when, what, row counts).

A restore replaces the database and the media folder, then settles the work that was in
flight when the backup was taken: a diagnostic run « en cours » or an import « en validation /
en écriture » has lost its worker — it is marked failed with a French message (a new diagnostic
or the import's « Relancer » starts it again), never left running. Pending runs and batches are
left pending: the dispatcher sends them again.

Commands: `manage.py backup [--dest DIR]`, `manage.py restore DIR --yes` (README, Makefile
`backup` / `restore`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import AuditAction, Basin, DiagnosticRun, ImportBatch
from diagnostics.services.audit import audit_record

RUN_INTERRUPTED = (
    "Calcul interrompu : la base a été restaurée d'une sauvegarde prise pendant ce calcul. "
    "Relancez le diagnostic."
)
IMPORT_INTERRUPTED = (
    "Import interrompu : la base a été restaurée d'une sauvegarde prise pendant cet import. "
    "Relancez-le."
)


class BackupError(ApplicationError):
    code = "backup_error"


@dataclass(frozen=True)
class RestoreReport:
    runs_failed: int
    imports_failed: int
    media_files: int


def _db() -> dict[str, Any]:
    return settings.DATABASES["default"]


def _is_postgres() -> bool:
    return _db()["ENGINE"] == "django.db.backends.postgresql"


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = _db()
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            f"{command[0]} a échoué (code {result.returncode}) : {result.stderr.strip()[:800]}"
        )


def _counts() -> dict[str, int]:
    return {
        "basins": Basin.objects.count(),
        "diagnostic_runs": DiagnosticRun.objects.count(),
        "import_batches": ImportBatch.objects.count(),
    }


def backup_create(*, destination: Path) -> Path:
    """Write a backup folder under `destination` (created) and return it."""
    folder = Path(destination) / timezone.now().strftime("sauvegarde-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    if _is_postgres():
        args, env = _pg_args()
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-acl",
                "--file",
                str(folder / "db.dump"),
                str(_db()["NAME"]),
            ],
            env,
        )
    else:
        import sqlite3

        connection.ensure_connection()
        target = sqlite3.connect(folder / "db.sqlite3")
        with target:
            connection.connection.backup(target)  # type: ignore[union-attr]
        target.close()
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname=".")
    applied = list(
        MigrationRecorder.Migration.objects.order_by("app", "name").values_list("app", "name")
    )
    counts = _counts()
    manifest: dict[str, Any] = {
        "created_at": timezone.now().isoformat(),
        "engine": "postgresql" if _is_postgres() else "sqlite",
        "database": str(_db()["NAME"]),
        "counts": counts,
        "last_migrations": dict(applied),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    audit_record(action=AuditAction.BACKUP, target_label=folder.name, details=counts)
    return folder


def _restore_media(archive_path: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        aside = media.with_name(media.name + ".avant-restauration")
        shutil.rmtree(aside, ignore_errors=True)
        media.rename(aside)
    media.mkdir(parents=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(media, filter="data")  # no path outside MEDIA_ROOT, no links out
    return sum(1 for p in media.rglob("*") if p.is_file())


def backup_restore(*, source: Path) -> RestoreReport:
    """Replace the database and the media folder with the backup in `source`, then settle
    the work that was in flight (module docstring)."""
    source = Path(source)
    if not (source / "manifest.json").exists():
        raise BackupError(f"« {source} » n'est pas une sauvegarde (manifest.json absent).")
    if _is_postgres():
        if not (source / "db.dump").exists():
            raise BackupError(f"« {source} » ne contient pas de sauvegarde PostgreSQL (db.dump).")
        connection.close()
        args, env = _pg_args()
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--dbname",
                str(_db()["NAME"]),
                str(source / "db.dump"),
            ],
            env,
        )
    else:
        if not (source / "db.sqlite3").exists():
            raise BackupError(f"« {source} » ne contient pas de sauvegarde SQLite (db.sqlite3).")
        import sqlite3

        connection.ensure_connection()
        backup = sqlite3.connect(source / "db.sqlite3")
        with backup:
            backup.backup(connection.connection)  # type: ignore[arg-type]
        backup.close()
        connection.close()
    files = _restore_media(source / "media.tar.gz")
    report = backup_restore_settle(media_files=files)
    audit_record(
        action=AuditAction.RESTORE,
        target_label=source.name,
        details={"runs_failed": report.runs_failed, "imports_failed": report.imports_failed},
    )
    return report


def backup_restore_settle(*, media_files: int = 0) -> RestoreReport:
    """Runs and imports caught mid-work by the backup: failed, with a message (never running)."""
    now = timezone.now()
    with transaction.atomic():
        runs = DiagnosticRun.objects.filter(status=DiagnosticRun.Status.RUNNING).update(
            status=DiagnosticRun.Status.FAILED, error_message=RUN_INTERRUPTED, finished_at=now
        )
        imports = ImportBatch.objects.filter(
            status__in=[ImportBatch.Status.VALIDATING, ImportBatch.Status.IMPORTING]
        ).update(
            status=ImportBatch.Status.FAILED, error_message=IMPORT_INTERRUPTED, finished_at=now
        )
    return RestoreReport(runs_failed=runs, imports_failed=imports, media_files=media_files)
