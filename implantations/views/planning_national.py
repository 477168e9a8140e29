"""National planning page (issue 16): every diagnosed basin of a zoning across France ranked
by programme fit, the choice of N sites under a budget and a minimum distance, the trade-off
between coverage and cost, the map of France, the table by region and the gap to the optimum;
with a CSV export. National admins only: a delegate keeps the regional planning of their
regions, and this page is a 404 for them (no other region's figure is shown)."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from diagnostics.models import User
from diagnostics.permissions import BASIN_MANAGERS, role_required
from implantations.analytics import honesty
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_national as nat
from implantations.analytics.planning_national_charts import (
    national_plan_figure,
    tradeoff_figure,
)
from implantations.forms.planning_national import CANDIDATES_ALL, NationalPlanningForm
from implantations.selectors import planning as plan_sel
from implantations.selectors.planning_national import national_planning_allowed
from implantations.services import (
    planning,
    planning_candidates,
    planning_parameters,
)
from implantations.services import planning_national as services
from implantations.services.planning_national_export import national_plan_csv_rows
from implantations.views.planning import csv_download, export_error, percent_of, ranking_row

MAIN_FIELDS = ("zoning", "candidates", "n", "budget", "min_km")


def _national_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not national_planning_allowed(user):
        # Out of a delegate's scope: not found, as another region's object.
        raise Http404("Planification nationale réservée aux administrateurs nationaux.")
    return user


def _initial() -> dict[str, Any]:
    return {
        "zoning": "zone_emploi",
        "candidates": CANDIDATES_ALL,
        "n": services.DEFAULT_N,
        "min_km": int(services.DEFAULT_MIN_KM),
        **planning_parameters.tuning_initial(),
    }


def _form(request: HttpRequest) -> NationalPlanningForm:
    """The form bound to the defaults completed with the GET parameters (an empty budget stays
    empty: no limit)."""
    data: dict[str, Any] = {k: v for k, v in _initial().items() if v is not None}
    for key, value in request.GET.items():
        if value != "" or key == "budget":
            data[key] = value
    return NationalPlanningForm(data)


def _plan_from(form: NationalPlanningForm, user: User) -> services.NationalPlan:
    data = form.cleaned_data
    return services.national_plan(
        user=user,
        zoning=data["zoning"],
        include_registered=data["candidates"] == CANDIDATES_ALL,
        n=data["n"],
        budget=data["budget"],
        min_km=data["min_km"],
        costs=form.site_costs(),
        weights=form.fit_weights(),
    )


@role_required(*BASIN_MANAGERS)
@require_GET
def national_planning_page(request: HttpRequest) -> HttpResponse:
    user = _national_user(request)
    form = _form(request)
    context: dict[str, Any] = {
        "form": form,
        "plan": None,
        "main_fields": [form[name] for name in MAIN_FIELDS],
        "advanced_fields": [form[name] for name in form.fields if name not in MAIN_FIELDS],
    }
    if form.is_valid():
        try:
            plan = _plan_from(form, user)
        except planning_parameters.PlanningError as exc:
            exc.add_to(form)
        else:
            context.update(_plan_context(plan, request))
    status = 400 if form.errors else 200
    return render(request, "implantations/planning_national.html", context, status=status)


def _plan_context(plan: services.NationalPlan, request: HttpRequest) -> dict[str, Any]:
    candidates = plan.candidates
    figures: dict[str, Any] = {}
    off_map = 0
    if len(candidates):
        geometries = services.national_plan_geometries(plan)
        frame = candidates.assign(
            code=candidates[planning_candidates.CODE],
            region_code=candidates[pc.REGION_CODE],
            geometry=candidates[pc.CANDIDATE_ID].map(geometries),
            selected=candidates[planning.SELECTED],
            ranked=candidates[honesty.STANDING] == honesty.RANKED,
        )
        figure = national_plan_figure(frame, sites=plan.sites)
        off_map = int((figure.layout.meta or {}).get("off_map", 0))
        figures["national_map"] = json.loads(figure.to_json())
    if len(plan.curve):
        figures["tradeoff"] = json.loads(tradeoff_figure(plan.curve).to_json())
    rows = [ranking_row({str(k): v for k, v in r.items()}) for r in candidates.to_dict("records")]
    selection = plan.selection
    by_id = {row[pc.CANDIDATE_ID]: row for row in rows}
    chosen_rows = [by_id[c] for c in selection.chosen if c in by_id] if selection else []
    names = dict(zip(candidates[pc.CANDIDATE_ID], candidates[pc.NAME], strict=True))
    regions = [
        {
            **{k: planning.json_ready(v) for k, v in r.items()},
            "population_pct": percent_of(planning.json_ready(r[nat.POPULATION_SHARE])),
            "projects_pct": percent_of(planning.json_ready(r[nat.PROJECTS_SHARE])),
        }
        for r in plan.regions.to_dict("records")
    ]
    ranked_rows = [r for r in rows if r.get(honesty.STANDING) == honesty.RANKED]
    return {
        "plan": plan,
        "selection": selection,
        "chosen_rows": chosen_rows,
        "ranked_rows": ranked_rows,
        "unranked_count": len(rows) - len(ranked_rows),
        "rows_count": len(rows),
        "region_rows": regions,
        "greedy_names": [names.get(c, c) for c in selection.greedy_chosen] if selection else [],
        "excluded": [(names.get(c, c), why) for c, why in selection.excluded.items()]
        if selection
        else [],
        "gap_pct": percent_of(selection.gap) if selection else None,
        "gap_bound_pct": percent_of(selection.gap_bound) if selection else None,
        "greedy_gap_bound_pct": percent_of(selection.greedy_gap_bound) if selection else None,
        "population_pct": percent_of(plan.coverage.population_share),
        "projects_pct": percent_of(plan.coverage.projects_share),
        "figures": figures,
        "off_map": off_map,
        "curve_by_budget": bool(len(plan.curve))
        and plan.curve[nat.AXIS].iloc[0] == nat.AXIS_BUDGET,
        "export_query": request.GET.urlencode(),
        "sites_count": len(plan.sites),
        "territories_version": plan_sel.territories_version(),
    }


@role_required(*BASIN_MANAGERS)
@require_GET
def national_planning_export(request: HttpRequest) -> HttpResponse:
    """The national ranking, the table by region and the gap to the optimum as CSV (semicolon,
    UTF-8 with BOM, for spreadsheets)."""
    user = _national_user(request)
    form = _form(request)
    if not form.is_valid():
        errors = {
            str(form.fields[f].label) if f in form.fields else "paramètres": [str(x) for x in e]
            for f, e in form.errors.items()
        }
        return export_error(
            request,
            "Paramètres de la planification invalides.",
            errors,
            back_url=reverse("national-planning"),
        )
    try:
        plan = _plan_from(form, user)
    except planning_parameters.PlanningError as exc:
        return export_error(request, exc.message, {}, back_url=reverse("national-planning"))
    response, writer = csv_download(f"planification_nationale_{plan.zoning}.csv")
    for row in national_plan_csv_rows(plan):
        writer.writerow(row)
    return response
