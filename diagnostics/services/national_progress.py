"""The progress of a national batch (issue 16), read from its runs: done / failed / remaining,
an ETA from the rate so far, and the failures with their message."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from diagnostics.models import DiagnosticBatch, DiagnosticBatchItem, DiagnosticRun

Status = DiagnosticRun.Status


@dataclass(frozen=True)
class BatchProgress:
    total: int
    done: int
    failed: int
    remaining: int
    percent: int
    elapsed_s: float | None
    eta_s: float | None
    failures: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "remaining": self.remaining,
            "percent": self.percent,
            "elapsed_s": None if self.elapsed_s is None else round(self.elapsed_s, 1),
            "eta_s": None if self.eta_s is None else round(self.eta_s, 1),
            "failures": self.failures,
        }


def batch_progress(batch: DiagnosticBatch, *, failures_limit: int = 200) -> BatchProgress:
    """One progress for the batch, read from its runs (see the module docstring)."""
    rows = list(
        DiagnosticBatchItem.objects.filter(batch=batch).values_list(
            "basin_id", "basin__name", "run_id", "run__status", "run__error_message"
        )
    )
    total = len(rows)
    done = sum(1 for r in rows if r[3] == Status.DONE)
    failed_rows = [r for r in rows if r[3] == Status.FAILED or r[2] is None]
    remaining = total - done - len(failed_rows)
    elapsed = None
    eta = None
    if batch.started_at:
        end = batch.finished_at or timezone.now()
        elapsed = (end - batch.started_at).total_seconds()
        computed = done + len(failed_rows)
        if remaining and computed:
            eta = elapsed / computed * remaining
    return BatchProgress(
        total=total,
        done=done,
        failed=len(failed_rows),
        remaining=remaining,
        percent=math.floor(100 * (done + len(failed_rows)) / total) if total else 100,
        elapsed_s=elapsed,
        eta_s=eta,
        failures=[
            {"basin_id": r[0], "basin": r[1], "run_id": r[2], "error": r[4] or "run absent"}
            for r in failed_rows[:failures_limit]
        ],
    )
