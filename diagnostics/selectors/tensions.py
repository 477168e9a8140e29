"""Reference reads for the published tension indicators: ROME labels, bassin BMO names."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from diagnostics.models import BassinBmo, DiagnosticRun, RomeCode


def rome_labels(codes: Iterable[str]) -> dict[str, str]:
    """ROME code → label of the current ROME referential (codes it lacks are left out)."""
    return dict(
        RomeCode.objects.current()
        .filter(code__in=sorted(set(codes)))
        .order_by("code", "batch_id")  # the newest referential's label wins
        .values_list("code", "label")
    )


def bassin_bmo_names(codes: Iterable[str]) -> dict[str, str]:
    """Bassin BMO code → name."""
    return dict(BassinBmo.objects.filter(code__in=sorted(set(codes))).values_list("code", "name"))


def published_tension_charts(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The heat-map of the published tensions, drawn from the run's stored table."""
    from diagnostics.analytics import tensions_published as tp
    from diagnostics.selectors.diagnostic_report import table_frame

    frame = table_frame(run, "tensions_published")
    if frame is None or not len(frame):
        return {}
    return {"tensions_published": json.loads(tp.tension_heatmap_figure(frame).to_json())}
