"""The implantations home (existing Cnam sites on a map, the programme settings in force) and the\nbasin pages of the recommendation: its result, the basin's assets and the business model.\n\nBasin pages (`/bassins/<pk>/...`): readers of the basin (mayors with a share included) see them;\nonly the basin's managers write. Another region's basin is a 404.\n"""

import json
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, User
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from diagnostics.selectors.access import basin_is_manageable, basin_list_for
from diagnostics.selectors.page_cache import cached, fragment_key
from diagnostics.views.home import shared_redirect
from implantations.analytics import criteria, score_columns
from implantations.analytics.maps import cnam_sites_figure
from implantations.forms.assets import (
    ScenarioNameForm,
)
from implantations.selectors.recommendation import (
    basin_main_town_frame,
    cnam_site_frame,
    cnam_site_list,
    programme_settings_current,
    region_outline_frame,
)
from implantations.services.recommendation import business_scenario_save, recommendation_compute


@role_required(*BASIN_MANAGERS)
@require_GET
def implantation_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    sites = cnam_site_list()
    basins = basin_main_town_frame(user)
    figure = None
    if sites or not basins.empty:
        # Through JSON so that numpy values become plain numbers for json_script. Drawn once per
        # state of the sites, of the basins the user reads and of the territories (issue 15).
        key = fragment_key(
            "sites-map",
            [tuple(getattr(site, f.attname) for f in site._meta.concrete_fields) for site in sites],
            basins.to_csv(),
        )
        figure = cached(
            key,
            lambda: json.loads(
                cnam_sites_figure(cnam_site_frame(sites), basins, region_outline_frame()).to_json()
            ),
        )
    return render(
        request,
        "implantations/home.html",
        {
            "sites": sites,
            "active_sites_count": sum(1 for site in sites if site.active),
            "basins_on_map": len(basins),
            "figure": figure,
            "settings": programme_settings_current(),
        },
    )


# --- Recommendation, basin assets, business model -------------------------------------------


def readable_basin(request: HttpRequest, pk: int) -> Basin:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(
        basin_list_for(user).select_related("region", "main_town", "nearest_site"), pk=pk
    )


def _figure(figure: Any) -> dict[str, Any]:
    # Through JSON so that numpy values become plain numbers for json_script.
    return json.loads(figure.to_json())


def _criteria_by_pillar(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Criteria grouped by pillar, with one cell per concept (CONCEPTS order) for the table; no
    points for a concept whose score is not conclusive (honesty rule 1)."""

    verdicts = document.get("verdicts") or {}

    def shown(k: str) -> bool:
        return bool(verdicts.get(k, {}).get("conclusive", True))

    groups: dict[str, dict[str, Any]] = {}
    pillar_points = document.get("pillars") or {}
    for item in document.get("criteria") or []:
        group = groups.setdefault(
            item["pillar"],
            {
                "code": item["pillar"],
                "label": item["pillar_label"],
                "criteria": [],
                "points": [
                    pillar_points.get(item["pillar"], {}).get(k) if shown(k) else None
                    for k in criteria.CONCEPTS
                ],
            },
        )
        cells = [
            {
                "weight": item["weights"].get(k),
                "share": item["shares"].get(k),
                "contribution": item["contributions"].get(k) if shown(k) else None,
                "conclusive": shown(k),
            }
            for k in criteria.CONCEPTS
        ]
        group["criteria"].append({**item, "cells": cells})
    return list(groups.values())


@role_required(*BASIN_READERS)
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from implantations.analytics import charts, honesty

    user: User = request.user  # type: ignore[assignment]
    # Another region's basin is not found, whatever the method: the 404 comes before the 405.
    basin = readable_basin(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if user.is_mayor_viewer:  # reads the recommendation frozen in its shared versions
        return shared_redirect(request, basin.pk)
    error = None
    recommendation = None
    try:
        recommendation = recommendation_compute(basin=basin, user=user)
    except ApplicationError as exc:
        error = exc.message
    context: dict[str, Any] = {
        "basin": basin,
        "recommendation": recommendation,
        "error": error,
        "can_manage": basin_is_manageable(user, basin.pk),
        "concept_labels": criteria.CONCEPT_LABELS,
    }
    if recommendation is not None:
        document = honesty.honest_document(recommendation.document)
        verdicts = document["verdicts"]
        frame = pd.DataFrame(document["criteria"])
        scored = scoring_frame_from_document(document)
        eligible = document["eligible"]
        pillars = pd.DataFrame(document["pillars"]).T.reindex(list(criteria.PILLARS)).fillna(0.0)
        # An inconclusive concept gets no bar (its score is « données insuffisantes »).
        for k in criteria.CONCEPTS:
            if k in pillars.columns and not verdicts[k]["conclusive"]:
                pillars[k] = 0.0
        context.update(
            {
                "document": document,
                "pillar_groups": _criteria_by_pillar(document),
                "min_known_share": honesty.MIN_KNOWN_WEIGHT_SHARE,
                "concepts": [
                    {
                        "code": k,
                        "label": criteria.CONCEPT_LABELS[k],
                        "score": verdicts[k]["score"],
                        "conclusive": verdicts[k]["conclusive"],
                        "reason": verdicts[k]["reason"],
                        "missing": verdicts[k]["missing"],
                        "coverage": document["coverage"].get(k),
                        "eligible": eligible.get(k),
                        "constraint": next(
                            (c for c in document["constraints"] if c["concept"] == k), None
                        ),
                        "recommended": document["concept"] == k,
                        "waterfall": _figure(charts.waterfall_figure(scored, k))
                        if verdicts[k]["conclusive"]
                        else None,
                        "waterfall_id": f"waterfall-{k}-data",
                    }
                    for k in criteria.CONCEPTS
                ],
                "scores_figure": _figure(
                    charts.scores_figure(pillars, document["scores"], eligible)
                ),
                "sensitivity_figure": _figure(
                    charts.sensitivity_figure(
                        document["sensitivity"]["winner_shares"], document["concept"]
                    )
                ),
                "mc_low": 1 - float(document["sensitivity"]["spread"]),
                "mc_high": 1 + float(document["sensitivity"]["spread"]),
                "missing_count": int(frame["missing"].sum()) if len(frame) else 0,
                "criteria_count": len(frame),
            }
        )
    return render(request, "implantations/recommendation.html", context)


def scoring_frame_from_document(document: dict[str, Any]) -> pd.DataFrame:
    """The scored criteria of a stored document as the frame the charts read."""

    rows = []
    for item in document.get("criteria") or []:
        row = {
            score_columns.CRITERION: item["code"],
            score_columns.PILLAR: item["pillar"],
            score_columns.LABEL: item["label"],
            score_columns.MISSING: bool(item["missing"]),
        }
        for k in criteria.CONCEPTS:
            row[score_columns.weight_column(k)] = float(item["weights"].get(k) or 0.0)
            row[score_columns.contribution_column(k)] = float(item["contributions"].get(k) or 0.0)
        rows.append(row)
    return pd.DataFrame(rows)


@role_required(*BASIN_READERS)
@require_http_methods(["GET", "POST"])
def business_model_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Simulate a concept's first years with editable assumptions (GET: nothing is saved);
    POST (managers): save the assumptions typed as a named scenario. With `?projet=<id>`, the
    project's services, funding split and retained CPF top-up enter the model
    (`views.business_model`)."""
    from implantations.analytics import business_model_assumptions as bma
    from implantations.views.business_model import (
        TOPUP_PREFIX,
        business_model_context,
        business_model_state,
    )

    user: User = request.user  # type: ignore[assignment]
    basin = readable_basin(request, pk)
    if user.is_mayor_viewer and request.method == "GET":  # reads its shared versions
        return shared_redirect(request, basin.pk)
    can_manage = basin_is_manageable(user, basin.pk)
    state = business_model_state(request, basin, user)
    form = state.form
    name_form = ScenarioNameForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Seuls les délégués de la région du bassin enregistrent.")
        name_form = ScenarioNameForm(request.POST)
        if name_form.is_valid() and form.is_bound and form.is_valid():
            try:
                saved = business_scenario_save(
                    basin=basin,
                    user=user,
                    concept=state.concept,
                    name=name_form.cleaned_data["scenario_name"],
                    overrides=state.overrides,
                )
            except ApplicationError as exc:
                _assumption_errors(form, name_form, exc)
            else:
                messages.success(request, f"Scénario « {saved.name} » enregistré.")
                return redirect(f"{reverse('business-model', args=[basin.pk])}?scenario={saved.pk}")
    model = state.model
    groups = []
    for group, label in bma.GROUPS.items():
        fields = [
            (form[code], model.assumptions[code])
            for code in form.fields
            if model.assumptions[code].group == group
        ]
        groups.append({"label": label, "fields": fields})
    assumptions_query = {k: v for k, v in form.data.items() if k in form.fields}
    topup_query = {
        f"{TOPUP_PREFIX}-{k}": v
        for k, v in (state.topup_form.cleaned_data if state.topup_form.is_valid() else {}).items()
        if k in ("rate_percent", "ceiling", "learners", "path_price")
    }
    base = {"concept": state.concept}
    if state.project is not None:
        base["projet"] = str(state.project.pk)
    context = business_model_context(state)
    context.update(
        {
            "can_manage": can_manage,
            "form": form,
            "groups": groups,
            "name_form": name_form,
            "query": urlencode({**base, **assumptions_query}),
            "export_query": urlencode(
                {
                    **base,
                    # What the page shows: a scenario, the assumptions typed, else the
                    # project's plan or the defaults (recomputed by the export).
                    **(
                        {"scenario": state.scenario.pk}
                        if state.scenario
                        else assumptions_query
                        if state.typed
                        else {}
                    ),
                    **topup_query,
                }
            ),
        }
    )
    return render(
        request,
        "implantations/business_model.html",
        context,
        # Assumptions or a top-up typed in the query string out of shape: a 400 naming them.
        status=400 if request.method == "GET" and state.bad_request else 200,
    )


def _signed_number(value: float, *, decimals: int = 0) -> str:
    """French number with a true minus sign: −55 000, 1,5."""
    from diagnostics.analytics.common import format_number

    text = format_number(abs(value), decimals=decimals)
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return ("−" if value < -0.005 else "") + text


def _assumption_errors(form: Any, name_form: Any, exc: ApplicationError) -> None:
    problems = exc.extra.get("assumptions") if isinstance(exc.extra, dict) else None
    if problems:
        for code, message in problems.items():
            form.add_error(code if code in form.fields else None, message)
    else:
        field = exc.field
        name_form.add_error("scenario_name" if field == "name" else None, exc.message)
