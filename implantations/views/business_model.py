"""The business model of a basin (the page lives in `views.recommendation`): what it is computed
from — concept, saved scenario or typed assumptions, and, with `?projet=<id>`, the project's
services, funding split and retained CPF top-up — the CPF top-up simulation (before / after),
the tables the page, the CSV and the PDF show (the two exports: `views.business_model_exports`).

Query parameters shared by the page and the exports: `concept`, `scenario`, `projet`, the
assumption codes, and the top-up simulation `ab-rate_percent`, `ab-ceiling`, `ab-learners`,
`ab-path_price`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from diagnostics.analytics.common import format_number
from diagnostics.models import Basin, User
from diagnostics.params import int_param
from implantations.analytics import business_model as bm
from implantations.analytics import business_model_assumptions as bma
from implantations.analytics import business_model_columns as bmc
from implantations.analytics import criteria
from implantations.analytics import funding as fd
from implantations.analytics.site_services import TIME_UNITS
from implantations.forms.assets import BusinessModelForm, assumption_text
from implantations.forms.funding import TopUpForm
from implantations.models import BusinessScenario, CpfTopUpScenario, ImplantationProject
from implantations.selectors import business_model as sel
from implantations.selectors.assets import basin_partnership_get
from implantations.selectors.projects import project_list_for
from implantations.selectors.recommendation import (
    business_public,
    business_scenario_list,
    recommendation_latest,
)

TOPUP_PREFIX = "ab"
# Shown before any simulation is typed (« estimation »): half the remaining cost, within 500 €,
# for 10 learners a year.
TOPUP_INITIAL = {"rate_percent": 50, "ceiling": 500, "learners": 10}


@dataclass
class BusinessModelState:
    """Everything the page and the exports show, computed from the request."""

    basin: Basin
    concept: str
    recommendation: Any
    form: BusinessModelForm
    overrides: dict[str, Any]
    scenario: BusinessScenario | None
    scenarios: list[BusinessScenario]
    project: ImplantationProject | None
    projects: list[ImplantationProject]
    plan_label: str
    premises_from_assets: bool
    model: bm.BusinessModel
    error: str | None
    topup_form: TopUpForm
    topup_effect: bm.TopUpEffect | None
    topup_source: str
    retained: CpfTopUpScenario | None
    topups: list[CpfTopUpScenario] = field(default_factory=list)
    typed: bool = False  # assumptions typed in the request (not a scenario, project or default)

    @property
    def bad_request(self) -> bool:
        """Assumptions or a top-up typed in the query string out of shape."""
        return bool(
            (self.form.is_bound and self.form.errors)
            or (self.topup_form.is_bound and self.topup_form.errors)
        )


def business_model_state(request: HttpRequest, basin: Basin, user: User) -> BusinessModelState:
    recommendation = recommendation_latest(basin)
    source = request.POST if request.method == "POST" else request.GET
    concept = source.get("concept") or (recommendation.concept if recommendation else "")
    if concept not in criteria.CONCEPTS:
        concept = criteria.TURNKEY
    project = None
    project_id = int_param(source, "projet")
    if project_id is not None:
        project = get_object_or_404(project_list_for(user).filter(basin=basin), pk=project_id)
        concept = project.concept
    scenario = None
    scenarios = business_scenario_list(basin)
    scenario_id = int_param(request.GET, "scenario")
    if request.method == "GET" and scenario_id is not None:
        scenario = next((s for s in scenarios if s.pk == scenario_id), None)
        if scenario is not None and project is None:
            concept = scenario.concept
        elif scenario is not None and scenario.concept != project.concept:  # type: ignore[union-attr]
            scenario = None
    form = BusinessModelForm(concept=concept)
    overrides: dict[str, Any] = {}
    premises_from_assets = False
    plan_label = ""
    typed = False
    if scenario is not None:
        overrides = dict(scenario.assumptions)
        plan_label = f"scénario « {scenario.name} »"
    elif any(code in source for code in form.fields):
        form = BusinessModelForm(source, concept=concept)
        if form.is_valid():
            overrides = form.overrides()
        plan_label = "hypothèses saisies (non enregistrées)"
        typed = True
    elif project is not None:
        basis = sel.project_plan_basis(project)
        overrides = dict(basis.overrides)
        plan_label = basis.label
    else:
        # The defaults, with the basin's own answer to « premises lent by the town ».
        partnership = basin_partnership_get(basin)
        if partnership is not None and partnership.town_lends_premises is not None:
            overrides["premises_lent"] = 1 if partnership.town_lends_premises else 0
            premises_from_assets = True
        plan_label = "hypothèses par défaut du concept"
    if overrides and not form.is_bound:
        form = BusinessModelForm(
            {
                code: assumption_text(a)
                for code, a in bma.assumptions_with(concept, overrides).items()
            },
            concept=concept,
        )
        form.is_valid()
    public = business_public(basin, recommendation)
    retained = sel.project_topup_retained(project) if project is not None else None
    inputs: dict[str, Any] = {"public": public}
    if project is not None:
        inputs.update(
            services=sel.project_services(project),
            topup=retained.as_topup() if retained else None,
            funding=sel.project_funding_lines(project),
        )
    error = None
    try:
        model = bm.business_model(concept, overrides=overrides, **inputs)
    except bma.AssumptionError as exc:
        error = "Hypothèses à corriger : le modèle est calculé avec les valeurs par défaut."
        for code, message in exc.problems.items():
            form.add_error(code if code in form.fields else None, message)
        overrides = {}
        model = bm.business_model(concept, **inputs)
    topup_form, effect, topup_source = _topup_simulation(
        request, concept, overrides, inputs, retained
    )
    return BusinessModelState(
        basin=basin,
        concept=concept,
        recommendation=recommendation,
        form=form,
        overrides=overrides,
        scenario=scenario,
        scenarios=scenarios,
        project=project,
        projects=list(project_list_for(user).filter(basin=basin).order_by("name")),
        plan_label=plan_label,
        premises_from_assets=premises_from_assets,
        model=model,
        error=error,
        topup_form=topup_form,
        topup_effect=effect,
        topup_source=topup_source,
        retained=retained,
        topups=sel.project_topup_list(project) if project is not None else [],
        typed=typed,
    )


def _topup_simulation(
    request: HttpRequest,
    concept: str,
    overrides: dict[str, Any],
    inputs: dict[str, Any],
    retained: CpfTopUpScenario | None,
) -> tuple[TopUpForm, bm.TopUpEffect | None, str]:
    """The top-up simulated: typed in the query (`ab-*`), else the project's retained scenario,
    else the initial values; with its effect (model without / with it)."""
    typed = any(k.startswith(f"{TOPUP_PREFIX}-") for k in request.GET)
    if request.method == "GET" and typed:
        form = TopUpForm(request.GET, prefix=TOPUP_PREFIX)
        source = "simulation saisie (non enregistrée)"
    else:
        if retained is not None:
            initial = {
                "name": retained.name,
                "authority": retained.authority,
                "rate_percent": retained.rate_percent,
                "ceiling": retained.ceiling,
                "learners": retained.learners,
                "path_price": retained.path_price,
            }
            source = f"scénario retenu « {retained.name} »"
        else:
            initial = {**TOPUP_INITIAL, "path_price": fd.DEFAULT_PATH_PRICE[concept]}
            source = "valeurs de départ (estimation), à ajuster"
        form = TopUpForm({f"{TOPUP_PREFIX}-{k}": v for k, v in initial.items()}, prefix="ab")
    if not form.is_valid():
        return form, None, source
    kwargs = {k: v for k, v in inputs.items() if k != "topup"}
    effect = bm.topup_effect(concept, form.topup(), overrides=overrides, **kwargs)
    return form, effect, source


# --- Tables -----------------------------------------------------------------------------------
def signed_number(value: float, *, decimals: int = 0) -> str:
    """French number with a true minus sign: −55 000, 1,5."""
    text = format_number(abs(value), decimals=decimals)
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return ("−" if value < -0.005 else "") + text


OPTIONAL_ROWS = (bmc.CPF_TOPUP, bmc.SERVICES_REVENUE, bmc.FUNDED_AID, bmc.BALANCE_AFTER_AID)


def year_rows(model: bm.BusinessModel) -> list[dict[str, Any]]:
    """The rows of the table by year (an optional line that is zero every year is left out,
    the funding lines when there is no split)."""
    years = model.years
    columns = [
        bmc.LEARNERS,
        bmc.SERVICES_LEARNERS,
        bmc.STAFF_FTE,
        *bmc.COST_ITEMS,
        bmc.COSTS,
        *bmc.REVENUE_ITEMS,
        bmc.REVENUES,
        bmc.BALANCE,
        bmc.PUBLIC_AID,
        bmc.FUNDED_AID,
        bmc.BALANCE_AFTER_AID,
        bmc.CUMULATIVE_BALANCE,
    ]
    rows = []
    for column in columns:
        values = years[column].astype(float)
        if column in (bmc.FUNDED_AID, bmc.BALANCE_AFTER_AID) and not model.aid_from_split:
            continue
        if column in OPTIONAL_ROWS[:2] and not (values.abs() > 0.005).any():
            continue
        decimals = 1 if column in (bmc.STAFF_FTE, bmc.SERVICES_LEARNERS) else 0
        rows.append(
            {
                "code": column,
                "label": bmc.YEAR_LABELS[column],
                "values": years[column].tolist(),
                "cells": [
                    {"text": signed_number(v, decimals=decimals), "negative": v < -0.005}
                    for v in values
                ],
                "total_row": column
                in (bmc.COSTS, bmc.REVENUES, bmc.BALANCE, bmc.PUBLIC_AID, bmc.BALANCE_AFTER_AID),
                "money": column not in (bmc.LEARNERS, bmc.SERVICES_LEARNERS, bmc.STAFF_FTE),
            }
        )
    return rows


def funding_rows(model: bm.BusinessModel) -> list[dict[str, Any]]:
    """One row per funder: its aid per year 0-5 and in all (the split's table)."""
    split = fd.funding_split(model.funding_lines)
    rows = []
    for funder, group in split.groupby(fd.FUNDER, sort=False):
        amounts = group.sort_values(fd.YEAR)[fd.AMOUNT].astype(float).tolist()
        lines = [line for line in model.funding_lines if line.funder == funder]
        rows.append(
            {
                "funder": funder,
                "label": fd.FUNDER_LABELS[str(funder)],
                "names": ", ".join(
                    sorted({line.name for line in lines if line.name and line.name != line.label})
                ),
                "conditions": [line.conditions for line in lines if line.conditions],
                "cells": [signed_number(a) for a in amounts],
                "total": sum(amounts),
            }
        )
    return rows


def service_rows(model: bm.BusinessModel) -> list[dict[str, Any]]:
    staff_cost = float(model.assumptions["staff_cost"].value)  # type: ignore[arg-type]
    return [
        {
            "service": s,
            "time": f"{signed_number(s.staff_time, decimals=2)} {TIME_UNITS[s.time_unit]}",
            "fte": s.fte,
            "cost": s.cost(staff_cost),
            "revenue": s.revenue,
            "reach": s.reach,
            "conversion": s.conversion * 100,
            "learners": s.learners,
        }
        for s in model.services
    ]


def topup_rows(effect: bm.TopUpEffect) -> list[dict[str, Any]]:
    """Before / after per year: revenues, balance; then the gain and the learners topped up."""
    before, after = effect.before.years, effect.after.years
    return [
        {"label": "Recettes sans abondement (€)", "cells": [signed_number(v) for v in before[bmc.REVENUES]]},
        {"label": "Recettes avec abondement (€)", "cells": [signed_number(v) for v in after[bmc.REVENUES]]},
        {"label": "Gain de recettes (€)", "cells": [signed_number(v) for v in effect.revenue_gain], "total_row": True},
        {"label": "Apprenants abondés", "cells": [signed_number(v, decimals=1) for v in effect.topped_learners]},
        {"label": "Solde sans abondement (€)", "cells": [signed_number(v) for v in before[bmc.BALANCE]]},
        {"label": "Solde avec abondement (€)", "cells": [signed_number(v) for v in after[bmc.BALANCE]], "total_row": True},
    ]  # fmt: skip


def _figure(figure: Any) -> dict[str, Any]:
    return json.loads(figure.to_json())


def business_model_context(state: BusinessModelState) -> dict[str, Any]:
    """What the page and the PDF show besides the forms."""
    from implantations.analytics import charts
    from implantations.analytics.funding_charts import funding_split_figure

    model = state.model
    context: dict[str, Any] = {
        "basin": state.basin,
        "concept": state.concept,
        "concepts": [(k, criteria.CONCEPT_LABELS[k]) for k in criteria.CONCEPTS],
        "concept_label": criteria.CONCEPT_LABELS[state.concept],
        "recommendation": state.recommendation,
        "model": model,
        "rows": year_rows(model),
        "years": list(bma.YEARS),
        "error": state.error,
        "scenario": state.scenario,
        "scenarios": state.scenarios,
        "project": state.project,
        "projects": state.projects,
        "plan_label": state.plan_label,
        "typed": state.typed,
        "premises_from_assets": state.premises_from_assets,
        "learners_year4": int(model.years.loc[model.years[bmc.YEAR] == 4, bmc.LEARNERS].iloc[0]),
        "cruising_year": bm.CRUISING_YEAR,
        "services": service_rows(model),
        "services_learners": model.services_learners,
        "funding": funding_rows(model),
        "funding_total": sum(line.total for line in model.funding_lines),
        "topup_form": state.topup_form,
        "topup_effect": state.topup_effect,
        "topup_rows": topup_rows(state.topup_effect) if state.topup_effect else [],
        "topup_source": state.topup_source,
        "topup_capped": state.topup_effect.capped_years if state.topup_effect else [],
        "retained": state.retained,
        "topups": state.topups,
        "money_figure": _figure(charts.business_model_figure(model.years)),
        "learners_figure": _figure(charts.learners_figure(model.years)),
        "funding_figure": _figure(
            funding_split_figure(fd.funding_split(model.funding_lines), model.years)
        )
        if model.funding_lines
        else None,
    }
    return context
