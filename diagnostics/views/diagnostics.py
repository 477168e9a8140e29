"""Diagnostic pages (issue 4): the list, starting a run from a basin, the report with its
progress, the exports (CSV, XLSX, PDF) and the comparison of two runs of a basin.

Who: national admins and regional delegates (their region) start runs and read them; a
mayor's office reads the runs of the basins shared with it but cannot start one. Another
region's run or basin is not found (404). The report, its charts and every export are drawn
from the run's stored document and tables, so they show the same figures.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from diagnostics.analytics.common import format_number
from diagnostics.errors import ApplicationError
from diagnostics.exports import table_csv, tables_xlsx
from diagnostics.models import Basin, DatasetKind, DiagnosticRun, Role, User
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, has_role, role_required
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors import tensions as tension_selectors
from diagnostics.selectors.access import (
    basin_list_for,
    basin_manageable_for,
    diagnostic_run_scoped,
)
from diagnostics.selectors.national import basin_list_exclude_reference
from diagnostics.services import diagnostics as services

logger = logging.getLogger(__name__)

IMPORT_ROLES = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)  # as imports

PAGE_SIZE = 50
PDF_TIMEOUT_S = 90
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
    "--no-pdf-header-footer",
    "--virtual-time-budget=20000",
]

# Report sections: (anchor, title) — the summary and the order of the page.
SECTIONS = [
    ("chiffres-cles", "Chiffres clés"),
    ("tensions-publiees", "Tensions publiées par métier (Dares)"),
    ("recrutements", "Besoins de recrutement (BMO)"),
    ("tension", "Métiers en tension"),
    ("chomage", "Chômage"),
    ("demandeurs", "Demandeurs d'emploi"),
    ("cartes", "Cartes"),
    ("comparaisons", "Comparaisons"),
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
}
# Columns left out of the tables on screen (kept in the exports).
HIDDEN_COLUMNS = {"suppressed", "zones_used"}
SHARE_COLUMNS = {
    "difficulty_rate", "seasonal_rate", "coverage", "zone_share", "basin_share", "local_share",
    "reference_share", "year_on_year", "bmo_difficulty_rate", "bmo_seasonal_rate",
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


# --- Helpers --------------------------------------------------------------------------------


def _visible_run(request: HttpRequest, pk: int) -> DiagnosticRun:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(
        selectors.diagnostic_run_list_for(user).select_related("basin", "basin__region"), pk=pk
    )


def _can_run(user: User, basin: Basin) -> bool:
    return basin_manageable_for(user).filter(pk=basin.pk).exists()


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


def _display_table(name: str, payload: dict[str, Any]) -> dict[str, Any]:
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


def _report_context(run: DiagnosticRun, *, for_print: bool = False) -> dict[str, Any]:
    document = run.results or {}
    tables = run.tables or {}
    shown = {name for names in SECTION_TABLES.values() for name in names}
    section_tables = {
        section: [_display_table(n, tables[n]) for n in names if n in tables]
        for section, names in SECTION_TABLES.items()
    }
    other_tables = [
        _display_table(name, payload) for name, payload in tables.items() if name not in shown
    ]
    charts = selectors.diagnostic_charts(run)
    charts.update(tension_selectors.published_tension_charts(run))
    maps = selectors.diagnostic_maps(run)
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
        "key_figures": selectors.diagnostic_key_figures(document),
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
        "missing_datasets": _missing_datasets(document),
        "secrecy": document.get("secrecy") or {},
        "masked_cells": sum(
            (v.get("bmo_masked_cells") or 0)
            for v in (document.get("years") or {}).values()
            if v.get("bmo_projects") is not None
        ),
        "for_print": for_print,
    }


# --- Pages ----------------------------------------------------------------------------------


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Reference basins (national batches) are listed only when asked for (?references=1).
    with_references = request.GET.get("references") == "1"
    basins = (
        basin_list_exclude_reference(basin_list_for(user), include=with_references)
        .select_related("region", "main_town")
        .defer("geometry")
        .order_by("region__name", "name")
    )
    page = Paginator(basins, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = selectors.diagnostic_latest_by_basin([b.pk for b in page.object_list])
    rows = [(basin, latest.get(basin.pk)) for basin in page.object_list]
    return render(request, "diagnostics/diagnostic_list.html", {"page_obj": page, "rows": rows})


@role_required(*BASIN_MANAGERS)
def diagnostic_run(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the diagnostic of a basin for the data in force (existing or new run), then its
    page. Another region's basin is a 404 whatever the method."""
    user: User = request.user  # type: ignore[assignment]
    basin = get_object_or_404(basin_list_for(user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _can_run(user, basin):
        raise PermissionDenied(
            "Seuls les délégués de la région du bassin peuvent le diagnostiquer."
        )
    try:
        run = services.diagnostic_request(basin_id=basin.pk, user=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("basin-detail", pk=basin.pk)
    if run.status == DiagnosticRun.Status.DONE:
        messages.info(
            request,
            "Les données n'ont pas changé depuis ce diagnostic : il est à jour.",
        )
    return redirect("diagnostic-detail", pk=run.pk)


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run = _visible_run(request, pk)
    run = selectors.diagnostic_runs_with_batches(DiagnosticRun.objects.filter(pk=run.pk)).get()
    newer = selectors.diagnostic_newer_data(run) if run.is_done else None
    others = [
        r
        for r in selectors.diagnostic_runs_of_basin(run.basin, limit=20)
        if r.pk != run.pk and r.status == DiagnosticRun.Status.DONE
    ]
    context: dict[str, Any] = {
        "run": run,
        "basin": run.basin,
        "can_run": _can_run(user, run.basin),
        "can_import": has_role(user, IMPORT_ROLES),
        "newer": newer,
        "other_runs": others,
    }
    if run.is_done:
        context.update(_report_context(diagnostic_run_scoped(run, user=user)))
    return render(request, "diagnostics/diagnostic_detail.html", context)


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _visible_run(request, pk)
    response = JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "percent": run.progress_percent,
            "step": run.progress_step,
            "error": run.error_message,
            "done": run.status == DiagnosticRun.Status.DONE,
            "finished": run.status in (DiagnosticRun.Status.DONE, DiagnosticRun.Status.FAILED),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def _export_name(run: DiagnosticRun, table: str, extension: str) -> str:
    basin = slugify(run.basin_snapshot.get("name") or str(run.basin_id)) or "bassin"
    return f"diagnostic-{run.pk}-{basin}-{table}.{extension}"


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    """One table as CSV or XLSX (`tout.xlsx`: every table, one sheet each)."""
    user: User = request.user  # type: ignore[assignment]
    run = diagnostic_run_scoped(_visible_run(request, pk), user=user)
    if fmt not in ("csv", "xlsx"):
        raise Http404(f"Format « {fmt} » inconnu : csv ou xlsx.")
    if not run.is_done:
        raise Http404("Ce diagnostic n'est pas terminé : rien à exporter.")
    tables = run.tables or {}
    if fmt == "xlsx" and table == "tout":
        content = tables_xlsx(
            tables.items(), title=f"Diagnostic n° {run.pk} — {run.basin_snapshot.get('name')}"
        )
    elif table not in tables:
        raise Http404(f"Tableau « {table} » inconnu pour ce diagnostic.")
    elif fmt == "csv":
        content = table_csv(tables[table])
    else:
        content = tables_xlsx([(table, tables[table])], title=tables[table]["title"])
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(run, table, fmt)}"'
    return response


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    for candidate in (configured, shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def render_pdf(html: str) -> bytes:
    """HTML (with file:// resources) → PDF through headless Chromium's print engine, which
    applies the report's A4 print stylesheet and lets plotly draw the charts first."""
    chromium = chromium_path()
    if chromium is None:
        raise RuntimeError("Chromium est introuvable sur le serveur.")
    with tempfile.TemporaryDirectory(prefix="cnam-pdf-") as tmp:
        page = Path(tmp) / "rapport.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "rapport.pdf"
        profile = Path(tmp) / "profil"
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        completed = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
            command, capture_output=True, timeout=PDF_TIMEOUT_S, check=False
        )
        if not out.exists() or out.stat().st_size == 0:
            raise RuntimeError(
                f"Chromium n'a pas produit de PDF (code {completed.returncode}) : "
                + completed.stderr.decode(errors="replace")[-500:]
            )
        return out.read_bytes()


def _static_uri(path: str) -> str:
    found = finders.find(path)
    if not found:
        return ""
    return Path(found if isinstance(found, str) else found[0]).as_uri()


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    if not run.is_done:
        raise Http404("Ce diagnostic n'est pas terminé : pas de rapport à imprimer.")
    run = selectors.diagnostic_runs_with_batches(DiagnosticRun.objects.filter(pk=run.pk)).get()
    run = diagnostic_run_scoped(run, user=request.user)  # type: ignore[arg-type]
    context = {
        "run": run,
        "basin": run.basin,
        "newer": selectors.diagnostic_newer_data(run),
        **_report_context(run, for_print=True),
        "css_dsfr": _static_uri("dsfr/dist/dsfr.min.css"),
        "css_report": _static_uri("cnam/diagnostic.css"),
        "js_plotly": _static_uri("plotly/plotly.min.js"),
        "js_charts": _static_uri("cnam/charts.js"),
        "js_report": _static_uri("cnam/diagnostic.js"),
    }
    html = render_to_string("diagnostics/diagnostic_print.html", context, request=request)
    try:
        pdf = render_pdf(html)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        logger.exception("diagnostic_pdf: run %s", run.pk)
        return render(
            request,
            "diagnostics/diagnostic_pdf_error.html",
            {"run": run, "error": str(exc)},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{_export_name(run, "rapport", "pdf")}"'
    )
    return response


def _compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Year by year, the headline indicators of two documents and their difference."""
    indicators = [
        ("bmo_projects", "Projets de recrutement", 0, False),
        ("bmo_difficulty_rate", "Taux de difficulté", 2, True),
        ("bmo_masked_cells", "Cellules BMO secrètes", 0, False),
        ("unemployment_rate", "Taux de chômage annuel moyen (%)", 1, False),
        ("job_seekers", "Demandeurs d'emploi (moyenne annuelle)", 0, False),
    ]
    years_a, years_b = a.get("years") or {}, b.get("years") or {}
    rows = []
    for year in sorted(set(years_a) | set(years_b), key=int, reverse=True):
        for key, label, decimals, share in indicators:
            va, vb = (years_a.get(year) or {}).get(key), (years_b.get(year) or {}).get(key)
            if va is None and vb is None:
                continue

            def show(v: Any, decimals: int = decimals, share: bool = share) -> str:
                if v is None:
                    return "—"
                return (
                    f"{format_number(v * 100, decimals=decimals)}\u202f%"
                    if share
                    else format_number(v, decimals=decimals)
                )

            diff = None if va is None or vb is None else vb - va
            rows.append(
                {
                    "year": year,
                    "label": label,
                    "a": show(va),
                    "b": show(vb),
                    "diff": "—"
                    if diff is None
                    else (
                        "=" if abs(diff) < 1e-9 else ("+" if diff > 0 else "−") + show(abs(diff))
                    ),
                    "changed": diff is not None
                    and abs(diff) > 1e-9
                    or (va is None) != (vb is None),
                }
            )
    return rows


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_compare(request: HttpRequest) -> HttpResponse:
    """Two runs of the same basin side by side (?a=<pk>&b=<pk>), with their differences."""
    try:
        pk_a, pk_b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        # No dead end: without its two runs the page shows the runs to pick from.
        from diagnostics.views.compare import compare_picker

        given = any(request.GET.get(k) for k in ("a", "b"))
        return compare_picker(
            request, message="Choisissez les deux diagnostics à comparer." if given else ""
        )
    run_a, run_b = _visible_run(request, pk_a), _visible_run(request, pk_b)
    if run_a.basin_id != run_b.basin_id:
        return render(
            request,
            "diagnostics/diagnostic_compare.html",
            {"error": "Les deux diagnostics doivent porter sur le même bassin."},
            status=400,
        )
    if not (run_a.is_done and run_b.is_done):
        return render(
            request,
            "diagnostics/diagnostic_compare.html",
            {"error": "Seuls deux diagnostics terminés peuvent être comparés."},
            status=400,
        )
    if (run_a.finished_at, run_a.pk) > (run_b.finished_at, run_b.pk):
        run_a, run_b = run_b, run_a  # the older on the left
    runs = selectors.diagnostic_runs_with_batches(
        DiagnosticRun.objects.filter(pk__in=[run_a.pk, run_b.pk])
    )
    by_pk = {r.pk: r for r in runs}
    run_a, run_b = by_pk[run_a.pk], by_pk[run_b.pk]
    batches_a, batches_b = set(run_a.batches.all()), set(run_b.batches.all())
    doc_a, doc_b = run_a.results or {}, run_b.results or {}
    tension_a = {t["code"]: t for t in doc_a.get("tension_metiers") or []}
    tension_b = {t["code"]: t for t in doc_b.get("tension_metiers") or []}
    params_changed = [
        (name, run_a.parameters.get(name), run_b.parameters.get(name))
        for name in sorted(set(run_a.parameters) | set(run_b.parameters))
        if run_a.parameters.get(name) != run_b.parameters.get(name)
    ]
    return render(
        request,
        "diagnostics/diagnostic_compare.html",
        {
            "run_a": run_a,
            "run_b": run_b,
            "basin": run_a.basin,
            "figures_a": selectors.diagnostic_key_figures(doc_a),
            "figures_b": {f.label: f for f in selectors.diagnostic_key_figures(doc_b)},
            "rows": _compare_rows(doc_a, doc_b),
            "batches_removed": sorted(batches_a - batches_b, key=lambda b: (b.kind, b.vintage)),
            "batches_added": sorted(batches_b - batches_a, key=lambda b: (b.kind, b.vintage)),
            "batches_common": sorted(batches_a & batches_b, key=lambda b: (b.kind, b.vintage)),
            "tension_new": [tension_b[c] for c in sorted(set(tension_b) - set(tension_a))],
            "tension_gone": [tension_a[c] for c in sorted(set(tension_a) - set(tension_b))],
            "params_changed": params_changed,
            "engine_changed": run_a.engine_version != run_b.engine_version,
        },
    )
