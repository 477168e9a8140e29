"""Diagnostic pages (issue 4): the list, starting a run from a basin, the report with its
progress, the exports (CSV, XLSX, PDF) and the comparison of two runs of a basin.

Who: national admins and regional delegates (their region) start runs and read them; a
mayor's office reads the runs of the basins shared with it but cannot start one. Another
region's run or basin is not found (404). The report, its charts and every export are drawn
from the run's stored document and tables, so they show the same figures.

The report's content is built in `views.diagnostic_report`; the PDF is a job (`services.pdf_jobs`,
page `views.pdf_jobs`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from diagnostics.errors import ApplicationError
from diagnostics.exports import table_csv, tables_xlsx
from diagnostics.models import Basin, DiagnosticRun, PdfJob, Role, User
from diagnostics.params import page_param
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, has_role, role_required
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors.access import (
    basin_is_manageable,
    basin_list_for,
    diagnostic_run_readable_for,
    diagnostic_run_scoped,
)
from diagnostics.selectors.national import basin_list_exclude_reference
from diagnostics.selectors.page_cache import cached, fragment_key, run_scope
from diagnostics.services import diagnostics as services
from diagnostics.services.pdf_jobs import pdf_job_request
from diagnostics.views.diagnostic_report import report_context, report_html

logger = logging.getLogger(__name__)

IMPORT_ROLES = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)  # as imports

PAGE_SIZE = 50


# --- Helpers --------------------------------------------------------------------------------


RUN_DOCUMENTS = ("results", "tables")


def visible_run(
    request: HttpRequest, pk: int, *, documents: tuple[str, ...] = RUN_DOCUMENTS
) -> DiagnosticRun:
    """A run the user may open: a mayor's office only those shared with it (ADR 0014); with
    only the stored `documents` named (each is decoded when read: the progress page needs
    neither, a table's export only the tables)."""
    user: User = request.user  # type: ignore[assignment]
    runs = diagnostic_run_readable_for(user).select_related("basin", "basin__region")
    skipped = [name for name in RUN_DOCUMENTS if name not in documents]
    if skipped:
        runs = runs.defer(*skipped)
    return get_object_or_404(runs, pk=pk)


# --- Pages ----------------------------------------------------------------------------------


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.is_mayor_viewer:
        # A partner reads the versions shared with it, listed on its home page (ADR 0014).
        return redirect("home")
    # Reference basins (national batches) are listed only when asked for (?references=1).
    with_references = request.GET.get("references") == "1"
    basins = (
        basin_list_exclude_reference(basin_list_for(user), include=with_references)
        .select_related("region", "main_town")
        .defer("geometry")
        .order_by("region__name", "name")
    )
    page = Paginator(basins, PAGE_SIZE).get_page(page_param(request.GET))
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
    if not basin_is_manageable(user, basin.pk):
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


def detail_runs(user: User, pk: int) -> QuerySet[DiagnosticRun]:
    """The run `pk` as `user` may open it on its page (empty if not)."""
    return selectors.diagnostic_runs_with_batches(
        diagnostic_run_readable_for(user).select_related("basin", "basin__region").filter(pk=pk)
    )


def detail_flags(user: User, basin: Basin) -> dict[str, bool]:
    """What the report of /diagnostics/<id>/ shows of `user`'s rights (its fragment's key), and
    `lazy_tables`: its long tables come without their rows, fetched when opened
    (`views.diagnostic_tables`, which answers whoever may read the run, as its exports do)."""
    return {
        "can_run": basin_is_manageable(user, basin.pk),
        "can_import": has_role(user, IMPORT_ROLES),
        "lazy_tables": True,
    }


def detail_report_html(
    request: HttpRequest,
    run: DiagnosticRun,
    visible: QuerySet[DiagnosticRun],
    *,
    flags: dict[str, bool],
) -> SafeString:
    """The report of the done `run` (an outline of `visible`) as `request.user` reads it on
    /diagnostics/<id>/: the cached fragment, rendered on a miss. The page and the warm-up
    (`views.page_warm`) call it, so they share its key."""
    user: User = request.user  # type: ignore[assignment]
    scoped = diagnostic_run_scoped(run, user=user)
    return report_html(
        request,
        run,
        scoped,
        flags=flags,
        full=lambda: diagnostic_run_scoped(visible.get(), user=user),
    )


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    visible = detail_runs(user, pk)
    # Without its documents: the report is a cached fragment (`report_html`).
    run = selectors.diagnostic_run_outline(visible)
    if run is None:
        raise Http404("Diagnostic introuvable.")
    newer = selectors.diagnostic_newer_data(run) if run.is_done else None
    readable = set(
        diagnostic_run_readable_for(user).filter(basin=run.basin).values_list("pk", flat=True)
    )
    others = [
        r
        for r in selectors.diagnostic_runs_of_basin(run.basin, limit=20)
        if r.pk != run.pk and r.status == DiagnosticRun.Status.DONE and r.pk in readable
    ]
    flags = detail_flags(user, run.basin)
    context: dict[str, Any] = {
        "run": run,
        "basin": run.basin,
        **flags,
        "newer": newer,
        "other_runs": others,
    }
    if run.is_done:
        context["report_html"] = detail_report_html(request, run, visible, flags=flags)
    return render(request, "diagnostics/diagnostic_detail.html", context)


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = visible_run(request, pk, documents=())
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
    full = visible_run(request, pk, documents=("tables",))
    run = diagnostic_run_scoped(full, user=user)
    if fmt not in ("csv", "xlsx"):
        raise Http404(f"Format « {fmt} » inconnu : csv ou xlsx.")
    if not run.is_done:
        raise Http404("Ce diagnostic n'est pas terminé : rien à exporter.")
    tables = run.tables or {}
    if not (fmt == "xlsx" and table == "tout") and table not in tables:
        raise Http404(f"Tableau « {table} » inconnu pour ce diagnostic.")

    def build() -> bytes:
        if fmt == "xlsx" and table == "tout":
            return tables_xlsx(
                tables.items(), title=f"Diagnostic n° {run.pk} — {run.basin_snapshot.get('name')}"
            )
        if fmt == "csv":
            return table_csv(tables[table])
        return tables_xlsx([(table, tables[table])], title=tables[table]["title"])

    # From the run's stored tables as the reader may see them: built once per run and scope.
    key = fragment_key(
        "export", run.pk, str(run.finished_at), run_scope(full, run), table, fmt, data=False
    )
    content = cached(key, build)
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(run, table, fmt)}"'
    return response


def _static_uri(path: str) -> str:
    found = finders.find(path)
    if not found:
        return ""
    return Path(found if isinstance(found, str) else found[0]).as_uri()


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF link: prints the report in the reader's scope (the same rules as the page) and
    hands it to a PDF job (`services.pdf_jobs`), whose page shows its progress and the file."""
    run = visible_run(request, pk)
    if not run.is_done:
        raise Http404("Ce diagnostic n'est pas terminé : pas de rapport à imprimer.")
    run = selectors.diagnostic_runs_with_batches(DiagnosticRun.objects.filter(pk=run.pk)).get()
    run = diagnostic_run_scoped(run, user=request.user)  # type: ignore[arg-type]
    context = {
        "run": run,
        "basin": run.basin,
        "newer": selectors.diagnostic_newer_data(run),
        **report_context(run, for_print=True),
        **print_assets(),
    }
    html = render_to_string("diagnostics/diagnostic_print.html", context, request=request)
    name = run.basin_snapshot.get("name") or run.basin.name
    job = pdf_job_request(
        user=request.user,  # type: ignore[arg-type]
        kind=PdfJob.Kind.DIAGNOSTIC,
        run=run,
        html=html,
        title=f"Diagnostic n° {run.pk} — {name}",
        file_name=_export_name(run, "rapport", "pdf"),
    )
    return redirect("pdf-job-detail", pk=job.pk)


def print_assets() -> dict[str, str]:
    """The print page's stylesheets and scripts as file:// URIs (Chromium reads them from disk)."""
    return {
        "css_dsfr": _static_uri("dsfr/dist/dsfr.min.css"),
        "css_report": _static_uri("cnam/diagnostic.css"),
        "js_plotly": _static_uri("plotly/plotly.min.js"),
        "js_charts": _static_uri("cnam/charts.js"),
        "js_report": _static_uri("cnam/diagnostic.js"),
    }
