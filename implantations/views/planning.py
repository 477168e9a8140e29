"""Regional planning page: ranking of a region's candidate basins by programme fit, their map,
and the choice of N sites under a budget (greedy and integer programming), with a CSV export."""

from __future__ import annotations

import csv
import json
import math
from typing import Any

import pandas as pd
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diagnostics.models import User
from diagnostics.permissions import BASIN_MANAGERS, role_required
from implantations.analytics import honesty
from implantations.analytics import planning_columns as pc
from implantations.analytics.honesty import format_figure
from implantations.analytics.planning_maps import region_plan_figure
from implantations.forms.projects import PlanningForm
from implantations.selectors import planning as sel
from implantations.services import (
    planning,
    planning_candidates,
    planning_parameters,
)
from implantations.services.planning_export import region_plan_csv_rows

DEFAULT_N = 5
DEFAULT_MIN_KM = 40  # shown « 40 » in the form, not « 40.0 »
MAIN_FIELDS = ("region", "source", "n", "budget", "min_km")


def _initial(user: User, regions: list[tuple[str, str]]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "source": pc.LEVEL_ZONE_EMPLOI,
        "n": DEFAULT_N,
        "min_km": DEFAULT_MIN_KM,
        **planning_parameters.tuning_initial(),
    }
    if len(regions) == 1:
        initial["region"] = regions[0][0]
    return initial


def _bound_data(request: HttpRequest, initial: dict[str, Any]) -> dict[str, Any] | None:
    """The GET parameters completed with the defaults, or None when no region is known."""
    data = {key: value for key, value in initial.items() if value is not None}
    for key, value in request.GET.items():
        if value != "" or key == "budget":
            data[key] = value
    return data if data.get("region") else None


def _plan_from(form: PlanningForm, user: User) -> planning.RegionPlan:
    data = form.cleaned_data
    return planning.region_plan(
        region_code=data["region"],
        user=user,
        source=data["source"],
        n=data["n"],
        budget=data["budget"],
        min_km=data["min_km"],
        costs=form.site_costs(),
        weights=form.fit_weights(),
    )


def _region_choices(user: User) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in sel.planning_regions_for(user)]


@role_required(*BASIN_MANAGERS)
@require_GET
def planning_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    regions = _region_choices(user)
    initial = _initial(user, regions)
    wanted = request.GET.get("region")
    if wanted and wanted not in {code for code, _ in regions}:
        raise Http404("Région inconnue ou hors de votre périmètre.")
    data = _bound_data(request, initial)
    choices = [("", "— choisir une région —"), *regions]
    if data:
        form = PlanningForm(data, regions=regions)
    elif request.GET:
        # « Calculer » without a region: the form says what is missing, it does not reload
        # silently.
        form = PlanningForm(
            {**{k: v for k, v in initial.items() if v is not None}, **request.GET.dict()},
            regions=choices,
        )
        form.is_valid()
    else:
        form = PlanningForm(initial=initial, regions=choices)
    context: dict[str, Any] = {
        "form": form,
        "plan": None,
        "needs_region": not data,
        "regions": regions,
        "main_fields": [form[name] for name in MAIN_FIELDS],
        "advanced_fields": [form[name] for name in form.fields if name not in MAIN_FIELDS],
    }
    if data and form.is_valid():
        try:
            plan = _plan_from(form, user)
        except planning_parameters.PlanningError as exc:
            exc.add_to(form)
        else:
            context.update(_plan_context(plan, request))
    # A parameter out of shape (not a number, non-finite, out of range) is a 400 naming it.
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "implantations/planning.html", context, status=status)


def _plan_context(plan: planning.RegionPlan, request: HttpRequest) -> dict[str, Any]:
    candidates = plan.candidates
    figure = None
    if len(candidates) or len(plan.sites):
        geometries = planning.region_plan_geometries(plan)
        figure = json.loads(
            region_plan_figure(
                candidates.assign(selected=candidates[planning.SELECTED]),
                geometries=geometries,
                sites=plan.sites,
            ).to_json()
        )
    rows = [
        ranking_row({str(k): v for k, v in record.items()})
        for record in candidates.to_dict("records")
    ]
    ranked_rows = [r for r in rows if r.get(honesty.STANDING) == honesty.RANKED]
    unranked_rows = [r for r in rows if r.get(honesty.STANDING) != honesty.RANKED]
    selection = plan.selection
    chosen_rows = []
    if selection is not None:
        by_id = {row[pc.CANDIDATE_ID]: row for row in rows}
        chosen_rows = [by_id[cid] for cid in selection.chosen if cid in by_id]
    greedy_names = []
    by_id_name = dict(zip(candidates[pc.CANDIDATE_ID], candidates[pc.NAME], strict=True))
    if selection is not None:
        greedy_names = [by_id_name.get(cid, cid) for cid in selection.greedy_chosen]
    return {
        "plan": plan,
        "gap_pct": percent_of(selection.gap) if selection is not None else None,
        "mip_gap_pct": percent_of(selection.mip_gap) if selection is not None else None,
        "excluded": [
            (by_id_name.get(cid, cid), reason) for cid, reason in selection.excluded.items()
        ]
        if selection is not None
        else [],
        "rows": rows,
        "ranked_rows": ranked_rows,
        "unranked_rows": unranked_rows,
        "min_known_share": honesty.MIN_KNOWN_WEIGHT_SHARE,
        "figure": figure,
        "selection": selection,
        "chosen_rows": chosen_rows,
        "greedy_names": greedy_names,
        "export_query": request.GET.urlencode(),
        "eligible_count": int((candidates[pc.ELIGIBLE] == True).sum()) if len(candidates) else 0,  # noqa: E712
    }


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def percent_of(value: Any) -> float | None:
    return None if value is None else float(value) * 100


def ranking_row(record: dict[str, Any]) -> dict[str, Any]:
    """A ranking row for the template: plain values, scores on 0-100, rates in %."""
    row = {key: _clean(value) for key, value in record.items()}
    row["id"] = row[pc.CANDIDATE_ID]
    row[planning_candidates.BASIN_ID] = (
        int(row[planning_candidates.BASIN_ID]) if row[planning_candidates.BASIN_ID] else None
    )
    row["eligibility_pct"] = percent_of(row[pc.ELIGIBILITY_SCORE])
    row["need_pct"] = percent_of(row[pc.NEED_SCORE])
    row["access_pct"] = percent_of(row[pc.ACCESS_SCORE])
    row["difficulty_pct"] = percent_of(row[pc.DIFFICULTY_RATE])
    return row


@role_required(*BASIN_MANAGERS)
@require_GET
def planning_export(request: HttpRequest) -> HttpResponse:
    """The ranking and the selection as CSV (semicolon, UTF-8 with BOM, for spreadsheets)."""
    user: User = request.user  # type: ignore[assignment]
    regions = _region_choices(user)
    wanted = request.GET.get("region")
    if wanted and wanted not in {code for code, _ in regions}:
        raise Http404("Région inconnue ou hors de votre périmètre.")
    data = _bound_data(request, _initial(user, regions))
    if not data:
        return export_error(
            request,
            "Indiquez la région à exporter : choisissez-la sur la page de planification, "
            "calculez, puis « Exporter en CSV ».",
            {"Région": ["Choisissez une région."]},
        )
    form = PlanningForm(data, regions=regions)
    if not form.is_valid():
        errors = {
            str(form.fields[f].label) if f in form.fields else "paramètres": [str(x) for x in e]
            for f, e in form.errors.items()
        }
        return export_error(request, "Paramètres de la planification invalides.", errors)
    try:
        plan = _plan_from(form, user)
    except planning_parameters.PlanningError as exc:
        return export_error(request, exc.message, {})
    response, writer = csv_download(f"planification_{plan.region.code}_{plan.source}.csv")
    for row in region_plan_csv_rows(plan):
        writer.writerow(row)
    if plan.selection is not None:
        s = plan.selection
        writer.writerow([])
        writer.writerow(["méthode", s.method_label])
        writer.writerow(["besoin couvert (somme des adéquations)", format_figure(s.objective)])
        writer.writerow(["heuristique gloutonne", format_figure(s.greedy_objective)])
        writer.writerow(
            [
                "écart de l'heuristique à l'optimum",
                "" if s.gap is None else f"{s.gap * 100:.2f} %".replace(".", ","),
            ]
        )
    return response


def csv_download(name: str) -> tuple[HttpResponse, Any]:
    """An empty CSV download named `name` (UTF-8 with a BOM for Excel, « ; » between cells)
    and the writer of its rows."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    return response, csv.writer(response, delimiter=";")


def export_error(
    request: HttpRequest,
    message: str,
    errors: dict[str, list[str]],
    *,
    back_url: str | None = None,
) -> HttpResponse:
    """A 400 the caller can read: JSON for an API-like client, else a French HTML page with a
    way back to the planning form."""
    accept = request.headers.get("Accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return JsonResponse(
            {"detail": message, "errors": errors},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    query = request.GET.urlencode()
    return render(
        request,
        "implantations/planning_export_error.html",
        {"message": message, "errors": errors, "back_query": query, "back_url": back_url},
        status=400,
    )
