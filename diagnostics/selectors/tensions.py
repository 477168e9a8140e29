"""Reference reads for the published tension indicators: ROME labels, bassin BMO names."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.models import BassinBmo, DiagnosticRun, RomeCode
from diagnostics.selectors.memo import memo_active, memoised


def tension_rows(tension: pd.DataFrame, bassins: Iterable[str]) -> pd.DataFrame:
    """The rows of the tension frame on the given bassins BMO, in the frame's order. In a chunk
    of a national batch every bassin's rows are located once (`selectors.memo`); alone, one
    filter: the same rows either way."""
    wanted = sorted({str(b) for b in bassins})
    if not memo_active():
        return tension[tension[c.BASSIN_BMO_CODE].astype(str).isin(wanted)]
    index = memoised(
        ("tension_rows", id(tension)),
        lambda: tension.groupby(tension[c.BASSIN_BMO_CODE].astype(str), sort=False).indices,
    )
    parts = [index[b] for b in wanted if b in index]
    return tension.take(np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.intp))


def rome_labels(codes: Iterable[str]) -> dict[str, str]:
    """ROME code → label of the current ROME referential (codes it lacks are left out); in a
    chunk of a national batch the referential's labels are read once (`selectors.memo`)."""
    if memo_active():
        every: dict[str, str] = memoised(
            ("rome_labels",),
            lambda: dict(
                RomeCode.objects.current().order_by("code", "batch_id").values_list("code", "label")
            ),
        )
        return {code: every[code] for code in sorted(set(codes)) if code in every}
    return dict(
        RomeCode.objects.current()
        .filter(code__in=sorted(set(codes)))
        .order_by("code", "batch_id")  # the newest referential's label wins
        .values_list("code", "label")
    )


def bassin_bmo_names(codes: Iterable[str]) -> dict[str, str]:
    """Bassin BMO code → name (all of them read once in a chunk of a national batch)."""
    if memo_active():
        every: dict[str, str] = memoised(
            ("bassin_bmo_names",), lambda: dict(BassinBmo.objects.values_list("code", "name"))
        )
        return {code: every[code] for code in sorted(set(codes)) if code in every}
    return dict(BassinBmo.objects.filter(code__in=sorted(set(codes))).values_list("code", "name"))


def published_tension_charts(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The heat-map of the published tensions, drawn from the run's stored table."""
    from diagnostics.analytics.tension_heatmap import tension_heatmap_figure
    from diagnostics.selectors.diagnostic_report import table_frame

    frame = table_frame(run, "tensions_published")
    if frame is None or not len(frame):
        return {}
    return {"tensions_published": json.loads(tension_heatmap_figure(frame).to_json())}
