"""The latest done diagnostic of a basin, as the indicators API reads it, in two cheap queries.

Scoped like `basin_live_list_for` (a basin the caller may not read live gives None, as an unknown one).
`run_has_newer_data` gives the same answer as `diagnostic_newer_data` (the batches in force,
done and of the kinds a diagnostic uses, differ from those the run used) in one SQL statement
of three counts instead of three ORM queries: this is the hot path of REST clients."""

from __future__ import annotations

from django.db import connection

from diagnostics.models import DiagnosticRun, ImportBatch, User
from diagnostics.selectors.access import basin_live_list_for
from diagnostics.selectors.diagnostics import DIAGNOSTIC_KINDS

RUN_FIELDS = ("id", "basin_id", "finished_at", "engine_version", "data_key", "results")


def basin_latest_done_run_for(user: User, *, basin_id: int) -> DiagnosticRun | None:
    """The basin's latest done run if `user` may read the basin, else None."""
    return (
        DiagnosticRun.objects.filter(
            basin_id=basin_id,
            basin__in=basin_live_list_for(user),
            status=DiagnosticRun.Status.DONE,
        )
        .only(*RUN_FIELDS)
        .order_by("-finished_at", "-id")
        .first()
    )


def _newer_data_sql() -> str:
    batch = ImportBatch._meta.db_table
    through = DiagnosticRun.batches.through._meta.db_table
    kinds = ", ".join(["%s"] * len(DIAGNOSTIC_KINDS))
    in_force = f"b.kind IN ({kinds}) AND b.status = %s"
    return (
        f"SELECT (SELECT COUNT(*) FROM {batch} b WHERE {in_force}), "
        f"(SELECT COUNT(*) FROM {through} t WHERE t.diagnosticrun_id = %s), "
        f"(SELECT COUNT(*) FROM {through} t JOIN {batch} b ON b.id = t.importbatch_id "
        f"WHERE t.diagnosticrun_id = %s AND {in_force})"
    )


def run_has_newer_data(run: DiagnosticRun) -> bool:
    """A batch the run used is not in force any more, or a batch in force was not used."""
    done = ImportBatch.Status.DONE
    params: list[str | int] = [
        *DIAGNOSTIC_KINDS,
        str(done),
        run.pk,
        run.pk,
        *DIAGNOSTIC_KINDS,
        str(done),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_newer_data_sql(), params)
        in_force, used, used_in_force = cursor.fetchone()
    return used != used_in_force or in_force != used_in_force
