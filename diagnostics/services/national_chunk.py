"""One chunk of a national batch (issue 16; the batch is requested by `services.national`):
the runs of the chunk still pending are computed in grouped passes
(`national_compute.runs_compute`) and each is written with a conditional UPDATE pending → done
(or failed, with the basin's own error), in one transaction for the chunk: a run is never written
twice, a re-delivered chunk computes only what is still pending, and a worker killed mid-chunk
leaves its runs pending. Each done run's key figures go to the atlas (`AtlasEntry`); the batch is
closed when none of its runs is pending or running any more. Run by the task of the same name."""

from __future__ import annotations

from collections.abc import Sequence
from time import perf_counter
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from diagnostics.analytics.atlas import atlas_values
from diagnostics.models import AtlasEntry, DiagnosticBatch, DiagnosticBatchItem, DiagnosticRun

Status = DiagnosticRun.Status


def diagnostic_batch_chunk(*, batch_id: int, run_ids: Sequence[int]) -> dict[str, int]:
    """Compute the runs of a chunk still pending and write each one (see the module
    docstring). Returns {"done", "failed", "skipped"}."""
    from diagnostics.services.national_compute import runs_compute

    now = timezone.now()
    DiagnosticBatch.objects.filter(pk=batch_id, status=DiagnosticBatch.Status.PENDING).update(
        status=DiagnosticBatch.Status.RUNNING, started_at=now
    )
    # Still ours: the outbox re-sends alone only the runs of a chunk lost for
    # OUTBOX_RESEND_AFTER_S (a chunk waiting that long in the queue may be re-sent too: the
    # conditional writes make that harmless, only slower).
    DiagnosticRun.objects.filter(pk__in=list(run_ids), status=Status.PENDING).update(
        dispatched_at=now
    )
    runs = list(
        DiagnosticRun.objects.filter(pk__in=list(run_ids), status=Status.PENDING)
        .select_related("basin")
        .order_by("pk")
    )
    counts = {"done": 0, "failed": 0, "skipped": len(set(run_ids)) - len(runs)}
    if not runs:
        batch_finish_if_complete(batch_id=batch_id)
        return counts
    started = perf_counter()
    results = runs_compute(runs)
    seconds = (perf_counter() - started) / len(runs)
    # Written in one transaction (one commit for the chunk, not one per run); each write stays
    # conditional (pending → done/failed), and a worker killed before the commit leaves every
    # run of the chunk pending: the re-delivered chunk computes them again.
    with transaction.atomic():
        counts, atlas = _chunk_write(runs, results, now=now, seconds=seconds, counts=counts)
        _atlas_write(atlas)
    # Basins of the batch sharing one of these runs (same communes: one run, see
    # `diagnostic_request`) get their atlas figures too.
    atlas_backfill(batch_id=batch_id)
    batch_finish_if_complete(batch_id=batch_id)
    return counts


def _chunk_write(
    runs: Sequence[DiagnosticRun],
    results: dict[int, Any],
    *,
    now: Any,
    seconds: float,
    counts: dict[str, int],
) -> tuple[dict[str, int], list[AtlasEntry]]:
    atlas: list[AtlasEntry] = []
    for run in runs:
        outcome = results.get(run.pk)
        finished = timezone.now()
        if isinstance(outcome, tuple):
            document, tables, timings = outcome
            written = DiagnosticRun.objects.filter(pk=run.pk, status=Status.PENDING).update(
                status=Status.DONE,
                results=document,
                tables=tables,
                started_at=now,
                finished_at=finished,
                progress_percent=100,
                progress_step="Terminé (lot national)",
                step_durations={**timings, "part du lot": round(seconds, 4)},
            )
            counts["done" if written else "skipped"] += 1
            if written:
                atlas.append(
                    AtlasEntry(basin_id=run.basin_id, run_id=run.pk, figures=atlas_values(document))
                )
        else:
            message = str(outcome or "résultat absent")
            written = DiagnosticRun.objects.filter(pk=run.pk, status=Status.PENDING).update(
                status=Status.FAILED,
                started_at=now,
                finished_at=finished,
                progress_step="Échec du calcul",
                error_message=f"Le calcul du diagnostic a échoué : {message}",
            )
            counts["failed" if written else "skipped"] += 1
    return counts, atlas


def _atlas_write(entries: Sequence[AtlasEntry]) -> None:
    if entries:
        AtlasEntry.objects.bulk_create(
            list(entries),
            update_conflicts=True,
            unique_fields=["basin"],
            update_fields=["run", "figures", "updated_at"],
        )


def atlas_backfill(*, batch_id: int) -> int:
    """Atlas figures for the basins of the batch whose run is done but whose atlas entry is
    missing or older (a run shared with another basin, or done before the batch)."""
    items = list(
        DiagnosticBatchItem.objects.filter(batch_id=batch_id, run__status=Status.DONE)
        .exclude(basin__atlas_entry__run_id=models.F("run_id"))
        .values_list("basin_id", "run_id")
    )
    if not items:
        return 0
    documents = dict(
        DiagnosticRun.objects.filter(pk__in={r for _, r in items}).values_list("pk", "results")
    )
    _atlas_write(
        [
            AtlasEntry(basin_id=basin_id, run_id=run_id, figures=atlas_values(documents[run_id]))
            for basin_id, run_id in items
        ]
    )
    return len(items)


def batch_finish_if_complete(*, batch_id: int) -> bool:
    """Close the batch when none of its runs is pending or running any more."""
    items = DiagnosticBatchItem.objects.filter(batch_id=batch_id)
    if items.filter(run__status__in=DiagnosticRun.LIVE).exists():
        return False
    failed = items.filter(Q(run__status=Status.FAILED) | Q(run__isnull=True)).exists()
    return bool(
        DiagnosticBatch.objects.filter(
            pk=batch_id,
            status__in=[DiagnosticBatch.Status.PENDING, DiagnosticBatch.Status.RUNNING],
        ).update(
            status=DiagnosticBatch.Status.PARTIAL if failed else DiagnosticBatch.Status.DONE,
            finished_at=timezone.now(),
        )
    )
