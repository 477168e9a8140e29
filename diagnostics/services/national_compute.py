"""The computation of a chunk of a national batch (issue 16): many runs, one pass.

`runs_compute(runs)` returns, per run id, (document, tables, timings) or the French error of that
basin alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from diagnostics.errors import ApplicationError
from diagnostics.models import DiagnosticRun

Outcome = tuple[dict[str, Any], dict[str, Any], dict[str, float]] | str


def runs_compute(runs: Sequence[DiagnosticRun]) -> dict[int, Outcome]:
    from diagnostics.services.diagnostics import _compute

    out: dict[int, Outcome] = {}
    for run in runs:
        timings: dict[str, float] = {}
        try:
            document, tables = _compute(run, timings=timings)
        except Exception as exc:  # one basin's failure is its own, the chunk goes on
            out[run.pk] = exc.message if isinstance(exc, ApplicationError) else str(exc)
            continue
        out[run.pk] = (document, tables, {k: round(v, 3) for k, v in timings.items()})
    return out
