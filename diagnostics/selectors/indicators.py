"""The latest done diagnostic of a basin, as the indicators API reads it, in one statement.

This is the hot path of REST clients: the run (without its document), the caller's scope and
whether newer data is in force are read by one SQL statement written here, instead of three
ORM queries whose construction costs more than their execution.

- Scope: exactly `basin_live_list_for` (a basin the caller may not read live gives None, as an
  unknown one): a national admin reads every basin, a regional delegate or an API client the
  basins of its regions, anyone else none here (a mayor's office reads shared versions).
  `tests/diagnostics/selectors/test_indicators_selector.py` checks it against the ORM for
  every role.
- `newer_data_available` gives the same answer as `diagnostic_newer_data` (the batches in
  force, done and of the kinds a diagnostic uses, differ from those the run used).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.utils import timezone

from diagnostics.models import Basin, DiagnosticRun, ImportBatch, User
from diagnostics.params import MAX_ID
from diagnostics.selectors.diagnostics import DIAGNOSTIC_KINDS

# Not the document (`results`): read only when the indicators are not cached yet.
RUN_FIELDS = ("id", "basin_id", "finished_at", "engine_version", "data_key")


def _scope_sql(user: User) -> tuple[str, list[int]] | None:
    """The WHERE clause on the run's basin that `basin_live_list_for(user)` stands for; None
    when the user reads no basin live."""
    if not user.is_authenticated or user.is_mayor_viewer:
        return None
    if user.is_national_admin:
        return "", []
    if user.is_regional_delegate or user.is_api_client:
        basin = Basin._meta.db_table
        regions = User.regions.through._meta.db_table
        return (
            f" AND r.basin_id IN (SELECT b.id FROM {basin} b WHERE b.region_id IN "
            f"(SELECT ur.region_id FROM {regions} ur WHERE ur.user_id = %s))",
            [user.pk],
        )
    return None


def _literal(value: str) -> str:
    """A constant of the code (a dataset kind, a status) as an SQL literal: SQLite executes the
    statement several times faster with them written in than bound."""
    if not re.fullmatch(r"[a-z_]+", value):
        raise ValueError(f"not a code constant: {value!r}")
    return f"'{value}'"


def _newer_data_columns() -> str:
    batch = ImportBatch._meta.db_table
    through = DiagnosticRun.batches.through._meta.db_table
    kinds = ", ".join(_literal(str(kind)) for kind in DIAGNOSTIC_KINDS)
    in_force = f"b.kind IN ({kinds}) AND b.status = {_literal(str(ImportBatch.Status.DONE))}"
    return (
        f"(SELECT COUNT(*) FROM {batch} b WHERE {in_force}) AS in_force, "
        f"(SELECT COUNT(*) FROM {through} t WHERE t.diagnosticrun_id = r.id) AS used, "
        f"(SELECT COUNT(*) FROM {through} t JOIN {batch} b ON b.id = t.importbatch_id "
        f"WHERE t.diagnosticrun_id = r.id AND {in_force}) AS used_in_force"
    )


def _datetime(value: Any) -> dt.datetime | None:
    """A timestamp as the database gives it (SQLite: text in UTC) → an aware datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def basin_latest_done_run_for(user: User, *, basin_id: int) -> DiagnosticRun | None:
    """The basin's latest done run (fields RUN_FIELDS, `results` deferred) if `user` may read
    the basin live, else None. The run carries `newer_data_available` (bool)."""
    scope = _scope_sql(user)
    if scope is None or not 0 < basin_id <= MAX_ID:
        # (An id past the bigint range reaches this raw SQL from the URL: no such basin.)
        return None
    where, scope_params = scope
    sql = (
        f"SELECT r.id, r.basin_id, r.finished_at, r.engine_version, r.data_key, "
        f"{_newer_data_columns()} "
        f"FROM {DiagnosticRun._meta.db_table} r "
        f"WHERE r.basin_id = %s AND r.status = {_literal(str(DiagnosticRun.Status.DONE))}{where} "
        "ORDER BY r.finished_at DESC, r.id DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [basin_id, *scope_params])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, basin, finished_at, engine_version, data_key, in_force, used, used_in_force = row
    values = {
        "id": pk,
        "basin_id": basin,
        "finished_at": _datetime(finished_at),
        "engine_version": engine_version,
        "data_key": data_key,
    }
    # from_db reads the values in the model's field order, the others deferred.
    order = [f.attname for f in DiagnosticRun._meta.concrete_fields if f.attname in values]
    run = DiagnosticRun.from_db(connection.alias, order, [values[name] for name in order])
    run.newer_data_available = used != used_in_force or in_force != used_in_force  # type: ignore[attr-defined]
    return run


def run_has_newer_data(run: DiagnosticRun) -> bool:
    """A batch the run used is not in force any more, or a batch in force was not used."""
    cached = getattr(run, "newer_data_available", None)
    if cached is not None:
        return bool(cached)
    sql = f"SELECT {_newer_data_columns()} FROM {DiagnosticRun._meta.db_table} r WHERE r.id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [run.pk])
        in_force, used, used_in_force = cursor.fetchone()
    return bool(used != used_in_force or in_force != used_in_force)
