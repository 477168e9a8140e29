"""What the diagnostic report shows, built from a done run's stored document and tables: sections
and their tables with display formats, the yearly summary, the tension rows, the references and
the missing datasets (`report_context`, for the page and the print / PDF version), and the
report rendered once per run and scope (`report_html`, issue 15: the pages' cached fragment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from diagnostics.analytics.common import format_number
from diagnostics.models import DatasetKind, DiagnosticRun
from diagnostics.permissions import CATALOGUE_READERS, has_role
from diagnostics.selectors import diagnostic_report, prospective_report
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors import tensions as tension_selectors
from diagnostics.selectors.diagnostic_report import REPORT_FIGURE_SECTIONS
from diagnostics.selectors.page_cache import (
    basins_stamp,
    fragment,
    fragment_key,
    run_map_basins,
    run_scope,
)

# Report sections: (anchor, title) — the summary and the order of the page.
SECTIONS = [
    *REPORT_FIGURE_SECTIONS,
    ("prospective", "Prospective"),
    ("parcours-prioritaires", "Parcours prioritaires"),
    ("methode", "Méthode et sources"),
    ("tableaux", "Tous les tableaux"),
]
# Tables shown under each section (the others are in « Tous les tableaux »).
SECTION_TABLES = {
    "tensions_publiees": ["tensions_published"],
    "recrutements": ["bmo_years", "bmo_families", "top_metiers_projects", "top_metiers_difficult"],
    "tension": ["tension_metiers", "tension_dares"],
    "chomage": ["unemployment", "unemployment_years"],
    "demandeurs": ["job_seekers", "job_seekers_years"],
    "cartes": ["communes_map", "region_map"],
    "comparaisons": ["comparison", "changes", "lq_region", "lq_france", "shift_share"],
    "methode": ["zones_bmo", "zones_emploi"],
    "prospective_saturation": [
        "prospective_saturated",
        "prospective_bridge_targets",
        "prospective_bridges",
    ],
    "prospective_replacement": ["prospective_replacement"],
    "prospective_projections": ["prospective_projections", "prospective_backtest"],
    "prospective_sectors": ["prospective_families", "prospective_sectors"],
}
# Columns left out of the tables on screen (kept in the exports).
HIDDEN_COLUMNS = {"suppressed", "zones_used"}
SHARE_COLUMNS = {
    "difficulty_rate", "seasonal_rate", "coverage", "zone_share", "basin_share", "local_share",
    "reference_share", "year_on_year", "bmo_difficulty_rate", "bmo_seasonal_rate",
    "senior_share", "share", "mape",
    "bmo_coverage", "local_growth", "reference_growth", "annual_rate", "percent_change",
}  # fmt: skip
INDICATOR_LABELS = {
    "bmo_projects": "Projets de recrutement",
    "bmo_difficulty_rate": "Taux de difficulté",
    "unemployment_rate": "Taux de chômage (%)",
    "job_seekers": "Demandeurs d'emploi",
    "projects_per_1000": "Projets pour 1 000 habitants",
    "difficulty_rate": "Taux de difficulté",
    "seasonal_rate": "Taux de saisonnalité",
}
RATE_INDICATORS = {"bmo_difficulty_rate", "difficulty_rate", "seasonal_rate"}
SOURCE_NAMES = {
    "bmo": "Besoins en main-d'œuvre (BMO)",
    "unemployment": "Taux de chômage",
    "job_seekers": "Demandeurs d'emploi",
}


# Datasets a report section needs: how to import them when the run had none.
MISSING_DATASET_EXAMPLES = {
    "bmo": "Base_open_data_BMO_2025.xlsx",
    "chomage_ze": "le fichier Insee des taux de chômage localisés par zone d'emploi",
    "defm": "le fichier France Travail des demandeurs d'emploi par commune",
    "tensions": "mobiville_tensions_rome_bassin_2021.csv",
    "population_age": "estim-pop-dep-sexe-aq-1975-2021.xlsx (Insee)",
    "defm_secteur": "mobiville_secteurs_bassins_defm.csv",
}


def _missing_datasets(document: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The diagnostic's datasets absent from the run (no batch of that kind when it ran)."""
    used = set(document.get("sources") or {})
    return {
        kind: {
            "kind": kind,
            "label": DatasetKind(kind).label,
            "example": MISSING_DATASET_EXAMPLES.get(kind, ""),
        }
        for kind in selectors.DIAGNOSTIC_KINDS
        if kind not in used
    }


def _cell(column: str, value: Any, row: dict[str, Any]) -> tuple[str, Any]:
    """(text shown, sort key) of a stored table cell."""
    if value is None:
        return "—", None
    if isinstance(value, bool):
        return ("oui" if value else "non"), int(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value), None
    if isinstance(value, (int, float)):
        indicator = row.get("indicator")
        if column in SHARE_COLUMNS or (
            indicator in RATE_INDICATORS
            and column in {"value", "median", "region_value", "first_value", "last_value"}
        ):
            return f"{format_number(value * 100, decimals=2)}\u202f%", value
        if indicator in RATE_INDICATORS and column == "absolute_change":
            return f"{format_number(value * 100, decimals=2)}\u202fpt", value
        if isinstance(value, int) or float(value).is_integer():
            if column in {"year", "years_observed", "years_in_tension", "periods"}:
                return str(int(value)), value
            return format_number(value), value
        decimals = len(repr(float(value)).split(".")[1]) if "." in repr(float(value)) else 0
        return format_number(value, decimals=min(decimals, 4)), value
    text = str(value)
    if column == "indicator":
        text = INDICATOR_LABELS.get(text, text)
    if column == "kind":
        text = {"basin": "bassin", "zone_emploi": "zone d'emploi"}.get(text, text)
    return text, text.lower()


def display_table(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A stored table ready for the template: labels, and per cell its text and sort key."""
    columns = payload["columns"]
    shown = [i for i, col in enumerate(columns) if col not in HIDDEN_COLUMNS]
    rows = []
    for raw in payload["rows"]:
        record = dict(zip(columns, raw, strict=True))
        cells = []
        for i in shown:
            text, key = _cell(columns[i], raw[i], record)
            numeric = isinstance(key, (int, float)) and not isinstance(key, bool)
            cells.append({"text": text, "sort": "" if key is None else key, "numeric": numeric})
        rows.append(cells)
    numeric_columns = [
        any(r[j]["numeric"] for r in rows) if rows else False for j in range(len(shown))
    ]
    return {
        "name": name,
        "title": payload["title"],
        "labels": [payload["labels"][i] for i in shown],
        "numeric": numeric_columns,
        "rows": rows,
        "count": len(rows),
        "long": len(rows) > 25,
    }


def _percent(share: float | None, decimals: int = 1) -> str:
    if share is None:
        return "—"
    return f"{format_number(share * 100, decimals=decimals)}\u202f%"


def _count(value: float | None) -> str:
    return "—" if value is None else format_number(value)


def _tension_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": t.get("label") or t.get("code"),
            "code": t.get("code"),
            "projects": _count(t.get("projects")),
            "projects_sort": "" if t.get("projects") is None else t["projects"],
            "difficult": _count(t.get("difficult")),
            "difficult_sort": "" if t.get("difficult") is None else t["difficult"],
            "rate": _percent(t.get("difficulty_rate")),
            "rate_sort": "" if t.get("difficulty_rate") is None else t["difficulty_rate"],
            "years": t.get("years_in_tension") or 0,
            "durable": bool(t.get("durable")),
            "estimated": bool(t.get("estimated")),
        }
        for t in items
    ]


def _references_text(bmo: dict[str, Any]) -> str:
    parts = []
    for key, name in (("region", "région"), ("france", "France")):
        ref = bmo.get(key)
        if not ref:
            continue
        parts.append(
            f"{name} : {format_number(ref.get('projects_per_1000') or 0, decimals=1)} projets "
            f"pour 1 000 habitants, {_percent(ref.get('difficulty_rate'))} de recrutements "
            "jugés difficiles"
        )
    if not parts:
        return ""
    year = (bmo.get("region") or bmo.get("france") or {}).get("year")
    return f"Références BMO {year} — " + " ; ".join(parts) + "."


def _years_summary(document: dict[str, Any]) -> list[dict[str, str]]:
    """The years with at least one indicator, most recent first (the « years » table has them
    all, with every column)."""
    rows = []
    for year, v in sorted((document.get("years") or {}).items(), key=lambda kv: -int(kv[0])):
        if all(
            v.get(k) is None
            for k in ("bmo_projects", "unemployment_rate", "job_seekers", "bmo_difficulty_rate")
        ):
            continue

        rows.append(
            {
                "year": year,
                "projects": _count(v.get("bmo_projects"))
                + (
                    " (estimé)"
                    if v.get("bmo_projects") is not None and v.get("bmo_estimated")
                    else ""
                ),
                "difficulty": _percent(v.get("bmo_difficulty_rate")),
                "masked": _count(v.get("bmo_masked_cells")),
                "unemployment": "—"
                if v.get("unemployment_rate") is None
                else f"{format_number(v['unemployment_rate'], decimals=1)}\u202f%"
                + (
                    f" ({v['unemployment_quarters']} trim.)"
                    if (v.get("unemployment_quarters") or 4) < 4
                    else ""
                ),
                "job_seekers": _count(v.get("job_seekers"))
                + (
                    f" ({v['job_seekers_months']} mois)"
                    if v.get("job_seekers") is not None and (v.get("job_seekers_months") or 12) < 12
                    else ""
                ),
            }
        )
    return rows


def report_context(run: DiagnosticRun, *, for_print: bool = False) -> dict[str, Any]:
    document = run.results or {}
    tables = run.tables or {}
    shown = {name for names in SECTION_TABLES.values() for name in names}
    section_tables = {
        section: [display_table(n, tables[n]) for n in names if n in tables]
        for section, names in SECTION_TABLES.items()
    }
    other_tables = [
        display_table(name, payload) for name, payload in tables.items() if name not in shown
    ]
    charts = diagnostic_report.diagnostic_charts(run)
    charts.update(tension_selectors.published_tension_charts(run))
    charts.update(prospective_report.prospective_charts(run))
    maps = diagnostic_report.diagnostic_maps(run)
    gaps = {
        SOURCE_NAMES.get(source, source): periods
        for source, periods in (document.get("gaps") or {}).items()
        if periods
    }
    bmo = document.get("bmo") or {}
    params = document.get("parameters") or {}
    return {
        "tension_rows": _tension_rows(document.get("tension_metiers") or []),
        "years_summary": _years_summary(document),
        "references": _references_text(bmo),
        "params_text": {
            "threshold": _percent(params.get("tension_threshold"), 0),
            "min_projects": format_number(params.get("tension_min_projects") or 0),
            "min_years": format_number(params.get("tension_min_years") or 0),
            "top_n": format_number(params.get("top_n") or 0),
            "bmo_threshold": format_number(params.get("bmo_threshold") or 0),
        },
        "document": document,
        "key_figures": diagnostic_report.diagnostic_key_figures(document),
        "sections": SECTIONS,
        "section_tables": section_tables,
        "other_tables": other_tables,
        "all_tables": [(n, p["title"]) for n, p in tables.items()],
        "charts": charts,
        "maps": maps,
        "figures_json": {**charts, **{f"map_{k}": v for k, v in maps.items()}},
        "gaps": gaps,
        "method": document.get("method") or {},
        "sources": document.get("sources") or {},
        "warnings": document.get("warnings") or [],
        "bmo": bmo,
        "tension_metiers": document.get("tension_metiers") or [],
        "tension_dares": document.get("tension_dares"),
        "tensions_published_info": document.get("tensions_published_info"),
        "prospective": prospective_report.prospective_context(document),
        "missing_datasets": _missing_datasets(document),
        "secrecy": document.get("secrecy") or {},
        "masked_cells": sum(
            (v.get("bmo_masked_cells") or 0)
            for v in (document.get("years") or {}).values()
            if v.get("bmo_projects") is not None
        ),
        "for_print": for_print,
    }


def report_html(
    request: HttpRequest,
    run: DiagnosticRun,
    scoped: DiagnosticRun,
    *,
    flags: dict[str, Any],
    full: Callable[[], DiagnosticRun],
    extra: Callable[[], dict[str, Any]] | None = None,
) -> SafeString:
    """`diagnostics/diagnostic_report.html` of the done `run` as `scoped` for the reader
    (`diagnostic_run_scoped`; both may be outlines, `selectors.diagnostic_run_outline`),
    rendered once per run, scope, role and `flags` (small values the template reads: can_run,
    can_import, hide_exports, the shared version's id…) and kept in the cache
    (`selectors.page_cache`). On a miss, `full()` gives the whole run as scoped for the reader,
    and `extra()` adds context that `flags` identify (a shared version's frozen gap). Rendered
    without the context processors: no CSRF token, message or user name in the fragment; the
    page renders those around it."""
    user = request.user
    key = fragment_key(
        "report",
        run.pk,
        str(run.finished_at),
        run_scope(run, scoped),
        basins_stamp(run_map_basins(run)),
        # What the template reads of the reader besides `flags`: whether a path links to its
        # page (`{% parcours_prioritaires %}`, catalogue readers).
        has_role(user, CATALOGUE_READERS),
        sorted(flags.items()),
    )

    def build() -> str:
        whole = full()
        context = {
            **report_context(whole),
            "run": whole,
            "basin": whole.basin,
            "request": request,
            **flags,
            **(extra() if extra is not None else {}),
        }
        return render_to_string("diagnostics/diagnostic_report.html", context)

    return mark_safe(fragment(key, build))  # noqa: S308 - rendered by our template, escaped there
