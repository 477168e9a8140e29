"""Backup and restore on PostgreSQL (integration): a backup taken while an import writes and
a diagnostic runs restores into a consistent state — every committed fact, none of the
uncommitted ones, the run caught « en cours » marked failed with a message, the uploaded files
back byte for byte. Uses its own databases (sec_backup_test, sec_backup_restore) on
BACKUP_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres), created and dropped here.
It runs where the other integration tests run, in the PostgreSQL phase of .ci/run (DATABASE_URL
on PostgreSQL), and is skipped with that reason on the embedded default; there, PostgreSQL not
reachable is a failure under CI=true. The refusals of `restore` need no server and run anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import on_ci

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("BACKUP_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
SOURCE_DB, TARGET_DB = "sec_backup_test", "sec_backup_restore"

SEED = """
import datetime as dt
from pathlib import Path
from django.conf import settings
from diagnostics.models import DiagnosticRun
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.diagnostic_runs import diagnostic_world
world = diagnostic_world()
diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
running = diagnostic_request(basin_id=world.make_basin("Bassin en calcul", ["52003"]).pk)
DiagnosticRun.objects.filter(pk=running.pk).update(status="running", progress_percent=40)
Path(settings.MEDIA_ROOT, "imports").mkdir(parents=True, exist_ok=True)
Path(settings.MEDIA_ROOT, "imports", "bmo-2025.xlsx").write_bytes(b"PK fake xlsx " * 100)
"""


def _url(db: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + db


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _manage(db: str, media: Path, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": _url(db),
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_DEMO": "true",
        "CELERY_BROKER_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _rows(db: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    import psycopg

    with psycopg.connect(_url(db)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def databases(transactional_db: None) -> Iterator[None]:
    """The source and target databases, on the PostgreSQL phase's server. Asks for
    `transactional_db` so that it is not marked `no_db` (tests/conftest.py) and runs with the
    integration tests, at the end of that phase (the test itself uses none of the test
    database)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("integration test: needs DATABASE_URL on PostgreSQL")
    try:
        import psycopg

        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any reason to be unreachable
        if on_ci():
            pytest.fail(f"PostgreSQL injoignable ({ADMIN_URL}) : {exc}")
        pytest.skip(f"PostgreSQL injoignable ({ADMIN_URL}) : {exc}")
    for db in (SOURCE_DB, TARGET_DB):
        _admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        _admin(f"CREATE DATABASE {db}")
    yield
    for db in (SOURCE_DB, TARGET_DB):
        _admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_restore_of_a_backup_taken_mid_work_is_consistent(databases, tmp_path):  # type: ignore[no-untyped-def]
    import psycopg

    media, restored_media, backups = tmp_path / "media", tmp_path / "media2", tmp_path / "b"
    _manage(SOURCE_DB, media, "migrate", "--noinput")
    _manage(SOURCE_DB, media, "shell", "-c", SEED)
    facts_before = _rows(SOURCE_DB, "select count(*) from diagnostics_bmofact")[0][0]
    # An import writing at the moment of the backup: its rows are not committed yet.
    writer = psycopg.connect(_url(SOURCE_DB))
    writer.execute(
        "insert into diagnostics_auditevent (at, username, action, target_type, target_id,"
        " target_label, details) values (now(), 'en-vol', 'import', '', '', 'non validé', '{}')"
    )
    try:
        out = _manage(SOURCE_DB, media, "backup", "--dest", str(backups))
    finally:
        writer.commit()
        writer.close()
    folder = Path(out.strip().split(" : ", 1)[1])
    # After the backup, the source changes: the restore must not see it.
    _rows_after = _rows(SOURCE_DB, "delete from diagnostics_bmofact returning 1")

    report = _manage(TARGET_DB, restored_media, "restore", str(folder), "--yes")

    assert facts_before > 0 and len(_rows_after) == facts_before
    assert _rows(TARGET_DB, "select count(*) from diagnostics_bmofact")[0][0] == facts_before
    assert _rows(
        TARGET_DB, "select count(*) from diagnostics_auditevent where username='en-vol'"
    ) == [(0,)]
    statuses = _rows(
        TARGET_DB, "select status, error_message from diagnostics_diagnosticrun order by id"
    )
    assert [s for s, _ in statuses] == ["done", "failed"]
    assert "restaurée d'une sauvegarde prise pendant ce calcul" in statuses[1][1]
    assert "1 diagnostic(s)" in report
    assert (restored_media / "imports" / "bmo-2025.xlsx").read_bytes() == b"PK fake xlsx " * 100
    actions = _rows(
        TARGET_DB, "select action from diagnostics_auditevent where action in ('restore')"
    )
    assert actions == [("restore",)]


def test_restore_refuses_without_yes_and_a_folder_that_is_not_a_backup(tmp_path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_DEMO": "true"}
    no_yes = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    not_backup = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path), "--yes"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
        capture_output=True,
        text=True,
    )

    assert no_yes.returncode != 0 and "--yes" in no_yes.stderr
    assert not_backup.returncode != 0 and "n'est pas une sauvegarde" in not_backup.stderr
