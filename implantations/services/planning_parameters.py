"""The parameters of a planning, regional or national, checked: the source of the candidates, the
region in the user's scope, sites, budget, distance, weights and cost per site of each concept
(`PlanningError` names the field), and the programme's bounds on a basin's size that the fit reads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from diagnostics.errors import ApplicationError
from diagnostics.models import ProgrammeSettings, Region, User
from diagnostics.selectors.access import region_list_for
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_fit as pfit
from implantations.models import Concept
from implantations.services.concept_defaults import concept_costs_default


class PlanningError(ApplicationError):
    """A regional planning cannot be computed as asked."""

    code = "planning_error"


SOURCE_REGISTERED = "registered"
SOURCES: dict[str, str] = {
    pc.LEVEL_ZONE_EMPLOI: "Zones d'emploi de la région",
    pc.LEVEL_BASSIN_BMO: "Bassins BMO de la région",
    SOURCE_REGISTERED: "Bassins enregistrés",
}


def tuning_initial() -> dict[str, float]:
    """The default weights (`w_*`) and cost of a site per concept (`cost_*`, rounded to the
    euro) a planning page or API call starts from."""
    costs, _ = concept_costs_default()
    weights = pfit.FitWeights()
    return {
        "w_eligibility": weights.eligibility,
        "w_need": weights.need,
        "w_access": weights.access,
        **{f"cost_{k}": round(v) for k, v in costs.items()},
    }


def fit_bounds() -> pfit.FitBounds:
    settings = ProgrammeSettings.objects.filter(pk=1).first() or ProgrammeSettings()
    return pfit.FitBounds(
        population_min=settings.basin_population_min,
        population_max=settings.basin_population_max,
        main_town_min=settings.main_town_population_min,
        main_town_max=settings.main_town_population_max,
    )


def region_for(user: User | None, region_code: str) -> Region:
    regions = region_list_for(user) if user is not None else Region.objects.all()
    region = regions.filter(code=str(region_code).strip()).first()
    if region is None:
        raise PlanningError(
            f"Région inconnue ou hors de votre périmètre : « {region_code} ».",
            code="region_not_found",
            extra={"field": "region"},
        )
    return region


def plan_parameters_check(
    *,
    n: int,
    budget: float | None,
    min_km: float,
    costs: Mapping[str, float] | None,
    weights: pfit.FitWeights | None,
) -> tuple[pfit.FitWeights, dict[str, float], str]:
    """The checked parameters of a planning (regional or national): (weights, cost per site of
    each concept, where the costs come from). Raises PlanningError naming the field."""
    if n < 1:
        raise PlanningError(
            f"Le nombre de sites doit être au moins 1 (reçu : {n}).",
            code="invalid_n",
            extra={"field": "n"},
        )
    if budget is not None and not math.isfinite(budget):
        raise PlanningError(
            f"Le budget doit être un nombre fini (reçu : {budget}).",
            code="invalid_budget",
            extra={"field": "budget"},
        )
    if not math.isfinite(min_km):
        raise PlanningError(
            f"La distance minimale doit être un nombre fini (reçu : {min_km}).",
            code="invalid_min_km",
            extra={"field": "min_km"},
        )
    if budget is not None and budget < 0:
        raise PlanningError(
            f"Le budget doit être positif ou nul (reçu : {budget}).",
            code="invalid_budget",
            extra={"field": "budget"},
        )
    if min_km < 0:
        raise PlanningError(
            f"La distance minimale doit être positive ou nulle (reçu : {min_km}).",
            code="invalid_min_km",
            extra={"field": "min_km"},
        )
    weights = weights or pfit.FitWeights()
    try:
        weights.check()
    except ValueError as exc:
        raise PlanningError(str(exc), code="invalid_weights", extra={"field": "weights"}) from exc
    default_costs, costs_source = concept_costs_default()
    unit_costs = dict(default_costs)
    if costs:
        for concept, value in costs.items():
            if concept not in unit_costs:
                raise PlanningError(
                    f"Concept inconnu dans les coûts : « {concept} ».",
                    code="invalid_costs",
                    extra={"field": "costs"},
                )
            if value is None or not math.isfinite(value) or value < 0:
                raise PlanningError(
                    f"Coût négatif ou manquant pour {Concept(concept).label}.",
                    code="invalid_costs",
                    extra={"field": f"cost_{concept}"},
                )
            if float(value) != default_costs[concept]:
                costs_source = "saisis sur la page"
            unit_costs[concept] = float(value)
    return weights, unit_costs, costs_source
