"""Programme pages (issue 18): the dashboard (targets against sites per year, by concept and by
region, the map of the sites by status, the pipeline from diagnosed basin to open site), the
list behind each stage of the pipeline, the exports (CSV, XLSX) and the targets' editor with
its history.

A national admin sees the whole programme (or one region); a regional delegate their regions,
one at a time; for every other role these pages do not exist (404), and so does another
region. Only national admins edit the targets."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diagnostics.exports import table_csv, tables_xlsx
from diagnostics.models import Region, User
from diagnostics.params import id_or_none
from implantations.analytics import programme as pg
from implantations.forms.programme import TargetForm
from implantations.models import Concept, ProgrammeTarget
from implantations.selectors import programme as sel
from implantations.selectors.programme_dashboard import (
    CONCEPT_LABELS,
    programme_dashboard,
    programme_export_tables,
)
from implantations.services import programme as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def programme_required(
    *, admin_only: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Login page for anonymous visitors; 404 for the roles without a programme dashboard (or,
    with `admin_only`, for everyone but national admins)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            allowed = user.is_national_admin if admin_only else sel.programme_allowed(user)  # type: ignore[arg-type, union-attr]
            if not allowed:
                raise Http404("Page introuvable.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _region(request: HttpRequest, user: User) -> str | None:
    """The `region` asked for, within the user's scope (another region: 404)."""
    wanted = request.GET.get("region") or None
    if wanted and not sel.programme_regions_for(user).filter(code=wanted).exists():
        raise Http404("Région inconnue ou hors de votre périmètre.")
    return wanted


def _plain(value: Any) -> Any:
    """NA / NaN → None, numpy numbers → Python numbers (for the templates)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]


@programme_required()
@require_GET
def programme_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    region = _region(request, user)
    dashboard = programme_dashboard(user, region=region)
    names = {r.code: r.name for r in dashboard.regions}
    query = f"?region={dashboard.region_code}" if dashboard.region_code else ""
    region_param = f"&region={dashboard.region_code}" if dashboard.region_code else ""
    stages_url = reverse("programme-stage")
    pipeline = [
        {**row, "url": f"{stages_url}?etape={row[pg.STAGE]}{region_param}"}
        for row in _rows(dashboard.pipeline)
    ]
    return render(
        request,
        "implantations/programme.html",
        {
            "dashboard": dashboard,
            "final": dashboard.final(),
            "pipeline": pipeline,
            "timeline": _rows(dashboard.timeline),
            "by_concept": [
                {**r, "label": CONCEPT_LABELS.get(r[pg.KEY], r[pg.KEY])}
                for r in _rows(dashboard.by_concept)
            ],
            "by_region": [
                {**r, "label": names.get(r[pg.KEY], r[pg.KEY])} for r in _rows(dashboard.by_region)
            ],
            "figures": dashboard.figures,
            "open_now": int(dashboard.projects[pg.STATUS].isin(pg.OPEN_STATUSES).sum()),
            "launched_now": len(dashboard.projects),
            "query": query,
            "without_position": dashboard.figures.get("map", {})
            .get("layout", {})
            .get("meta", {})
            .get("without_position", 0),
        },
    )


@programme_required()
@require_GET
def programme_stage(request: HttpRequest) -> HttpResponse:
    """The basins or projects at one stage of the pipeline (`?etape=`, `?region=`)."""
    user: User = request.user  # type: ignore[assignment]
    stage = request.GET.get("etape", "")
    if stage not in pg.STAGE_CODES:
        raise Http404("Étape inconnue.")
    region = _region(request, user)
    if region is None and not user.is_national_admin:
        regions = list(sel.programme_regions_for(user))
        region = regions[0].code if regions else None
    label = {code: lbl for code, lbl, _ in pg.STAGES}[stage]
    basins = []
    projects = []
    if stage in (pg.STAGE_DIAGNOSED, pg.STAGE_RECOMMENDED):
        basins = sel.programme_stage_basins(user, stage=stage, region=region)
    else:
        projects = sel.programme_stage_projects(user, status=stage, region=region)
    return render(
        request,
        "implantations/programme_stage.html",
        {
            "stage": stage,
            "label": label,
            "basins": basins,
            "projects": projects,
            "is_basin_stage": stage in (pg.STAGE_DIAGNOSED, pg.STAGE_RECOMMENDED),
            "region": region,
            "region_name": sel.programme_region_names().get(region or "", ""),
            "query": f"?region={region}" if region else "",
        },
    )


@programme_required()
@require_GET
def programme_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's tables: the sites as CSV, every table as XLSX (one sheet each)."""
    user: User = request.user  # type: ignore[assignment]
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format inconnu.")
    region = _region(request, user)
    dashboard = programme_dashboard(user, region=region, with_map=False)
    tables = programme_export_tables(dashboard)
    suffix = f"_{dashboard.region_code}" if dashboard.region_code else ""
    if fmt == "csv":
        response = HttpResponse(
            table_csv(dict(tables)["sites"]), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            tables_xlsx(tables, title="Programme « Au cœur des territoires »"), content_type=XLSX
        )
    response["Content-Disposition"] = f'attachment; filename="programme{suffix}.{fmt}"'
    return response


# --- Targets ---------------------------------------------------------------------------------------
def _target_form(data: Any = None, **kwargs: Any) -> TargetForm:
    return TargetForm(
        data,
        regions=[(r.code, r.name) for r in Region.objects.order_by("name")],
        **kwargs,
    )


@programme_required(admin_only=True)
@require_http_methods(["GET", "POST"])
def programme_targets(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    status = 200
    if request.method == "POST":
        form = _target_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                target = services.programme_target_save(
                    data=services.TargetInput(
                        year=data["year"],
                        region=data["region"] or "",
                        concept=data["concept"] or "",
                        sites_planned=data["sites_planned"],
                        sites_open=data["sites_open"],
                        note=data["note"] or "",
                    ),
                    user=user,
                )
            except services.ProgrammeError as exc:
                exc.add_to(form)
            else:
                messages.success(
                    request, f"Objectif {target.year} — {target.scope_label} enregistré."
                )
                return redirect("programme-targets")
        status = 400
    else:
        form = _target_form(initial=_initial(request))
    return render(
        request,
        "implantations/programme_targets.html",
        {
            "form": form,
            "targets": sel.programme_target_list(),
            "changes": sel.programme_target_changes(limit=30),
            "defaults": services.DEFAULT_TARGETS,
            "concepts": Concept.choices,
        },
        status=status,
    )


def _initial(request: HttpRequest) -> dict[str, Any]:
    """Prefill from « Modifier » (?target=id): the scope and values of that target."""
    raw = request.GET.get("target", "")
    pk = id_or_none(raw)
    target = ProgrammeTarget.objects.filter(pk=pk).first() if pk is not None else None
    if target is None:
        return {}
    return {
        "year": target.year,
        "region": target.region_id or "",
        "concept": target.concept,
        "sites_planned": target.sites_planned,
        "sites_open": target.sites_open,
        "note": target.note,
    }


@programme_required(admin_only=True)
@require_POST
def programme_target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        services.programme_target_delete(target_id=pk, user=user)
    except services.ProgrammeError as exc:
        raise Http404(exc.message) from None
    messages.success(request, "Objectif supprimé (la modification est gardée dans l'historique).")
    return redirect("programme-targets")
