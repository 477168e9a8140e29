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
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from diagnostics.selectors.access import basin_list_for
from diagnostics.selectors.page_cache import cached, fragment_key
from diagnostics.views.home import shared_redirect
from implantations.analytics.maps import cnam_sites_figure
from implantations.forms.assets import (
    EmployerLetterForm,
    HostStructureForm,
    PartnershipForm,
    ScenarioNameForm,
    tri_state,
    tri_state_initial,
)
from implantations.models import HostStructure
from implantations.selectors.assets import (
    basin_partnership_get,
    employer_letter_list,
    host_structure_list,
    lycee_candidates,
)
from implantations.selectors.recommendation import (
    basin_can_manage,
    basin_main_town_frame,
    cnam_site_frame,
    cnam_site_list,
    programme_settings_current,
    region_outline_frame,
)
from implantations.services.assets import (
    basin_lycees_prefill,
    basin_partnership_save,
    employer_letter_create,
    employer_letter_delete,
    host_structure_create,
    host_structure_delete,
    host_structure_update,
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


def _readable_basin(request: HttpRequest, pk: int) -> Basin:
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
    from implantations.analytics import scoring

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
                    for k in scoring.CONCEPTS
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
            for k in scoring.CONCEPTS
        ]
        group["criteria"].append({**item, "cells": cells})
    return list(groups.values())


@role_required(*BASIN_READERS)
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from implantations.analytics import charts, honesty, scoring

    user: User = request.user  # type: ignore[assignment]
    # Another region's basin is not found, whatever the method: the 404 comes before the 405.
    basin = _readable_basin(request, pk)
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
        "can_manage": basin_can_manage(user, basin),
        "concept_labels": scoring.CONCEPT_LABELS,
    }
    if recommendation is not None:
        document = honesty.honest_document(recommendation.document)
        verdicts = document["verdicts"]
        frame = pd.DataFrame(document["criteria"])
        scored = scoring_frame_from_document(document)
        eligible = document["eligible"]
        pillars = pd.DataFrame(document["pillars"]).T.reindex(list(scoring.PILLARS)).fillna(0.0)
        # An inconclusive concept gets no bar (its score is « données insuffisantes »).
        for k in scoring.CONCEPTS:
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
                        "label": scoring.CONCEPT_LABELS[k],
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
                    for k in scoring.CONCEPTS
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
    from implantations.analytics import scoring

    rows = []
    for item in document.get("criteria") or []:
        row = {
            scoring.CRITERION: item["code"],
            scoring.PILLAR: item["pillar"],
            scoring.LABEL: item["label"],
            scoring.MISSING: bool(item["missing"]),
        }
        for k in scoring.CONCEPTS:
            row[scoring.weight_column(k)] = float(item["weights"].get(k) or 0.0)
            row[scoring.contribution_column(k)] = float(item["contributions"].get(k) or 0.0)
        rows.append(row)
    return pd.DataFrame(rows)


ASSET_ACTIONS = (
    "add_host",
    "prefill",
    "confirm",
    "unconfirm",
    "declare_paths",
    "growth",
    "delete_host",
    "partners",
    "add_letter",
    "delete_letter",
)


@role_required(*BASIN_READERS)
@require_http_methods(["GET", "POST"])
def basin_assets(request: HttpRequest, pk: int) -> HttpResponse:
    """The basin's host structures and partners; POST (`action`) for its managers."""
    user: User = request.user  # type: ignore[assignment]
    basin = _readable_basin(request, pk)
    if user.is_mayor_viewer and request.method == "GET":  # reads its shared versions
        return shared_redirect(request, basin.pk)
    can_manage = basin_can_manage(user, basin)
    host_form = HostStructureForm()
    letter_form = EmployerLetterForm()
    partnership = basin_partnership_get(basin)
    partner_form = PartnershipForm(
        initial={
            "epci_commitment": partnership.epci_commitment if partnership else "",
            "town_lends_premises": tri_state_initial(
                partnership.town_lends_premises if partnership else None
            ),
            "premises_note": partnership.premises_note if partnership else "",
            "inventory_done": partnership.inventory_done if partnership else False,
            "letters_recorded": partnership.letters_recorded if partnership else False,
        }
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(
                "Seuls les délégués de la région du bassin modifient ses atouts."
            )
        action = request.POST.get("action", "")
        redirect_to = redirect("basin-assets", pk=basin.pk)
        try:
            if action not in ASSET_ACTIONS:
                messages.error(request, "Action inconnue : rien n'a été modifié.")
                return redirect_to
            if action == "add_host":
                host_form = HostStructureForm(request.POST)
                if host_form.is_valid():
                    data = host_form.cleaned_data
                    host = host_structure_create(
                        basin=basin,
                        user=user,
                        kind=data["kind"],
                        name=data["name"],
                        commune_code=data["commune_code"] or None,
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        voie_professionnelle=data["voie_professionnelle"] or None,
                        voie_technologique=data["voie_technologique"] or None,
                        premises_can_grow=tri_state(data["premises_can_grow"]),
                        confirmed=data["confirmed"],
                        notes=data["notes"],
                    )
                    messages.success(request, f"« {host.name} » est ajouté aux atouts du bassin.")
                    return redirect_to
            elif action == "prefill":
                created = basin_lycees_prefill(basin=basin, user=user)
                if created:
                    messages.success(
                        request,
                        f"{len(created)} lycée{'s' if len(created) > 1 else ''} de l'annuaire "
                        f"ajouté{'s' if len(created) > 1 else ''}, à confirmer.",
                    )
                else:
                    messages.info(
                        request,
                        "Aucun lycée professionnel ou technologique de l'annuaire importé n'est "
                        "à ajouter pour ce bassin.",
                    )
                return redirect_to
            elif action in ("confirm", "unconfirm", "declare_paths", "growth", "delete_host"):
                host_id = int_param(request.POST, "host_id")
                if host_id is None:
                    messages.error(request, "Structure introuvable.")
                    return redirect_to
                if action == "delete_host":
                    name = host_structure_delete(basin=basin, user=user, host_id=host_id)
                    messages.success(request, f"« {name} » est retiré des atouts du bassin.")
                elif action == "declare_paths":
                    host = host_structure_update(
                        basin=basin,
                        user=user,
                        host_id=host_id,
                        set_flags=True,
                        voie_professionnelle=request.POST.get("voie_professionnelle") == "oui",
                        voie_technologique=request.POST.get("voie_technologique") == "oui",
                        confirmed=request.POST.get("confirm") == "oui" or None,
                    )
                    messages.success(request, f"Voies de « {host.name} » enregistrées.")
                elif action == "growth":
                    host = host_structure_update(
                        basin=basin,
                        user=user,
                        host_id=host_id,
                        set_growth=True,
                        premises_can_grow=tri_state(request.POST.get("premises_can_grow")),
                    )
                    messages.success(request, f"Locaux de « {host.name} » enregistrés.")
                else:
                    host = host_structure_update(
                        basin=basin, user=user, host_id=host_id, confirmed=action == "confirm"
                    )
                    messages.success(
                        request,
                        f"« {host.name} » "
                        + (
                            "est confirmé comme partenaire."
                            if host.confirmed
                            else "n'est plus confirmé."
                        ),
                    )
                return redirect_to
            elif action == "partners":
                partner_form = PartnershipForm(request.POST)
                if partner_form.is_valid():
                    data = partner_form.cleaned_data
                    basin_partnership_save(
                        basin=basin,
                        user=user,
                        epci_commitment=data["epci_commitment"] or "",
                        town_lends_premises=tri_state(data["town_lends_premises"]),
                        premises_note=data["premises_note"],
                        inventory_done=data["inventory_done"],
                        letters_recorded=data["letters_recorded"],
                    )
                    messages.success(request, "Partenariats enregistrés.")
                    return redirect_to
            elif action == "add_letter":
                letter_form = EmployerLetterForm(request.POST)
                if letter_form.is_valid():
                    data = letter_form.cleaned_data
                    letter = employer_letter_create(
                        basin=basin,
                        user=user,
                        employer=data["employer"],
                        sector=data["sector"],
                        learners=data["learners"],
                        received_on=data["received_on"],
                    )
                    messages.success(request, f"Lettre de « {letter.employer} » enregistrée.")
                    return redirect_to
            elif action == "delete_letter":
                letter_id = int_param(request.POST, "letter_id")
                if letter_id is None:
                    messages.error(request, "Lettre introuvable.")
                    return redirect_to
                name = employer_letter_delete(basin=basin, user=user, letter_id=letter_id)
                messages.success(request, f"Lettre de « {name} » retirée.")
                return redirect_to
        except ApplicationError as exc:
            form = {"add_host": host_form, "partners": partner_form, "add_letter": letter_form}.get(
                action
            )
            field = exc.extra.get("field") if isinstance(exc.extra, dict) else None
            if form is not None and form.is_bound:
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect_to
    hosts = host_structure_list(basin)
    return render(
        request,
        "implantations/assets.html",
        {
            "basin": basin,
            "can_manage": can_manage,
            "hosts": hosts,
            "lycee_hosts": [h for h in hosts if h.kind == HostStructure.Kind.LYCEE],
            "shared_hosts": [h for h in hosts if h.is_shared_place],
            "economic_hosts": [h for h in hosts if h.is_economic_host],
            "candidates": lycee_candidates(basin) if can_manage else [],
            "partnership": partnership,
            "letters": employer_letter_list(basin),
            "host_form": host_form,
            "partner_form": partner_form,
            "letter_form": letter_form,
            "open_form": request.POST.get("action", "") if request.method == "POST" else "",
        },
    )


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
    basin = _readable_basin(request, pk)
    if user.is_mayor_viewer and request.method == "GET":  # reads its shared versions
        return shared_redirect(request, basin.pk)
    can_manage = basin_can_manage(user, basin)
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
        field = exc.extra.get("field") if isinstance(exc.extra, dict) else None
        name_form.add_error("scenario_name" if field == "name" else None, exc.message)
