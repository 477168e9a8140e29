"""The prospective section of a done run's report (issue 17): its charts drawn from the stored
tables, and the sentences the template shows (French numbers, « estimé », the reasons when a
figure is absent)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics import prospective_charts as charts
from diagnostics.analytics.common import format_number, format_percent
from diagnostics.models import DiagnosticRun
from diagnostics.selectors.diagnostic_report import table_frame

SERIES_AXES = {
    "unemployment": ("Taux de chômage trimestriel : observé et projeté", "%", 1),
    "job_seekers": (
        "Demandeurs d'emploi (moyenne du trimestre) : observés et projetés",
        "demandeurs",
        0,
    ),
    "bmo_projects": ("Projets de recrutement BMO", "projets", 0),
}


def _json(figure: Any) -> dict[str, Any]:
    return dict(json.loads(figure.to_json()))


def prospective_charts(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """Chart name → plotly JSON, for the tables the run has."""
    out: dict[str, dict[str, Any]] = {}
    saturated = table_frame(run, "prospective_saturated")
    if saturated is not None:
        out["prospective_saturated"] = _json(charts.saturated_figure(saturated))
    targets = table_frame(run, "prospective_bridge_targets")
    if targets is not None:
        out["prospective_bridges"] = _json(charts.bridges_figure(targets))
    replacement = table_frame(run, "prospective_replacement")
    if replacement is not None and len(replacement):
        out["prospective_replacement"] = _json(charts.replacement_figure(replacement))
    projections = table_frame(run, "prospective_projections")
    if projections is not None and len(projections):
        for series, (title, unit, decimals) in SERIES_AXES.items():
            rows = projections[projections[c.SERIES] == series]
            if len(rows):
                out[f"prospective_projection_{series}"] = _json(
                    charts.projection_figure(rows, title=title, y_title=unit, decimals=decimals)
                )
    families = table_frame(run, "prospective_families")
    if families is not None and len(families):
        out["prospective_families"] = _json(charts.families_figure(families))
    sectors = table_frame(run, "prospective_sectors")
    if sectors is not None and len(sectors):
        last = sorted({str(v) for v in sectors[c.VINTAGE]})[-1]
        out["prospective_sectors"] = _json(
            charts.naf_figure(sectors[sectors[c.VINTAGE].astype(str) == last], vintages=[last])
        )
    return out


def _n(value: Any, decimals: int = 0) -> str:
    return (
        "—" if value is None or pd.isna(value) else format_number(float(value), decimals=decimals)
    )


def _series_context(series: dict[str, Any]) -> dict[str, Any]:
    decimals = int(series.get("decimals") or 0)
    unit = " %" if series.get("unit") == "%" else ""
    # An error on a rate is a difference of rates: percentage points.
    error_unit = " pt" if series.get("unit") == "%" else ""
    rows = [
        {
            "period": p["period"],
            "forecast": _n(p["forecast"], decimals) + unit,
            "interval": f"{_n(p['lower'], decimals)} – {_n(p['upper'], decimals)}{unit}",
        }
        for p in series.get("projection") or []
    ]
    backtest = [
        {
            "horizon": b["horizon"],
            "backtests": b["backtests"],
            "mae": _n(b["mae"], decimals + 1) + error_unit,
            "mape": "—" if b.get("mape") is None else format_percent(b["mape"]),
            "naive_mae": _n(b["naive_mae"], decimals + 1) + error_unit,
            "beats_naive": b.get("beats_naive"),
        }
        for b in series.get("backtest") or []
    ]
    model = series.get("model") or {}
    return {
        "key": series["series"],
        "chart": f"prospective_projection_{series['series']}",
        "label": series["label"],
        "available": series["available"],
        "reason": series.get("reason") or "",
        "points": series.get("points"),
        "first": series.get("first_period"),
        "last": series.get("last_period"),
        "rows": rows,
        "backtest": backtest,
        "naive_better": bool(backtest) and not any(b["beats_naive"] for b in backtest),
        "model": (
            f"α = {format_number(model['alpha'], decimals=2)}, β = {format_number(model['beta'], decimals=2)}, "
            f"φ = {format_number(model['phi'], decimals=2)}"
            if model
            else ""
        ),
    }


def _share(value: float) -> str:
    return "moins de 1\u202f%" if 0 < value < 0.005 else format_percent(value, decimals=0)


def prospective_context(document: dict[str, Any]) -> dict[str, Any] | None:
    """What the report's prospective section shows; None for a run made before it existed."""
    section = document.get("prospective")
    if not section:
        return None
    saturated = section.get("saturated") or {}
    bridges = section.get("bridges") or {}
    replacement = section.get("replacement") or {}
    sectors = section.get("sectors") or {}
    bassins = section.get("bassins") or []
    return {
        "bassins_text": ", ".join(
            f"{b['code']} ({_share(b['basin_share'])} de la population du bassin)"
            for b in bassins
            if b.get("used", True)
        ),
        "bassins_left_out": ", ".join(
            f"{b['code']} ({_share(b['basin_share'])})" for b in bassins if not b.get("used", True)
        ),
        "min_share": _share(
            float((section.get("parameters") or {}).get("prospective_min_bassin_share") or 0)
        ),
        "whole_bassins": section.get("whole_bassins"),
        "saturated": {
            **saturated,
            "job_seekers_text": _n(saturated.get("job_seekers")),
            "year_text": str(saturated.get("year") or ""),
            "offers_text": _n(saturated.get("offers")),
        },
        "bridges": {
            **bridges,
            "bridged_text": _n(bridges.get("bridged_job_seekers")),
            "per_1000_text": _n(bridges.get("bridged_per_1000"), 1),
            "targets_rows": [
                {
                    "label": t["label"] or t["rome"],
                    "rome": t["rome"],
                    "bassin": t["bassin_bmo"],
                    "tension": t["tension"],
                    "seekers": _n(t["job_seekers_concerned"]),
                    "from": ", ".join(
                        f"{f['label'] or f['rome']} ({f['rome']}, {_n(f['job_seekers'])})"
                        for f in t["from"]
                    ),
                }
                for t in bridges.get("targets") or []
            ],
        },
        "replacement": {
            **replacement,
            "rows": [
                {
                    "label": s["label"],
                    "year": str(s["year"]),
                    "share": format_percent(s["senior_share"]),
                    "change": f"{'+' if s['change_points'] >= 0 else '−'}{format_number(abs(s['change_points']), decimals=1)} pt depuis {s['from_year']}",
                    "renewal": _n(s.get("renewal_ratio"), 2),
                    "estimated": s["estimated"],
                }
                for s in replacement.get("summary") or []
            ],
        },
        "projections": {
            "method": (section.get("projections") or {}).get("method", ""),
            "series": [
                _series_context(s) for s in (section.get("projections") or {}).get("series") or []
            ],
        },
        "sectors": sectors,
        "parameters": section.get("parameters") or {},
    }
