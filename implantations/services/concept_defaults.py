"""What a concept is worth by default, for the projects and the plannings: its learners per year
0..5 (for a new project's plan) and its cost per site (the public aid of years 0 to 3), from the
business model (with the basin's latest saved scenario, if any), else the programme's figures, each
with its source.
"""

from __future__ import annotations

import logging
from typing import Any

from diagnostics.models import Basin
from implantations.models.projects import PROJECT_YEARS

logger = logging.getLogger(__name__)


# Learners per year 0..5 when the business model gives none: the programme's figures (turnkey
# about 80 in year 4; Fab ID 85 a year from year 1; progressive 300 distance learners after 3
# years); the ramps in between are « hypothèses à ajuster ».
DEFAULT_LEARNERS: dict[str, tuple[int, ...]] = {
    "turnkey": (0, 20, 40, 60, 80, 80),
    "fab_id": (0, 85, 85, 85, 85, 85),
    "progressive": (0, 60, 150, 300, 300, 300),
}

# Cumulated public aid over years 0-3 (€) when the business model gives none: « hypothèse à
# ajuster », editable on the planning page.
DEFAULT_COSTS: dict[str, float] = {
    "turnkey": 600_000.0,
    "fab_id": 450_000.0,
    "progressive": 350_000.0,
}

COST_YEARS = (0, 1, 2, 3)


def _business_model(concept: str, basin: Basin | None = None) -> Any:
    """The business model of a concept (pure `implantations.analytics.business_model`), with
    the assumptions of the basin's latest saved scenario for that concept when there is one."""
    from implantations.analytics.business_model import business_model
    from implantations.models import BusinessScenario

    overrides = None
    if basin is not None:
        scenario = (
            BusinessScenario.objects.filter(basin=basin, concept=concept).order_by("-id").first()
        )
        overrides = scenario.assumptions if scenario is not None else None
    return business_model(concept, overrides=overrides)


def concept_planned_learners(
    concept: str, *, basin: Basin | None = None
) -> tuple[tuple[int, ...], str]:
    """Learners per year 0..5 of a concept and where they come from: the business model (with
    the basin's saved scenario, if any), else the programme's figures."""
    from implantations.analytics.business_model_columns import LEARNERS

    try:
        years = _business_model(concept, basin).years
        values = tuple(int(v) for v in years.sort_values("year")[LEARNERS].tolist())
        if len(values) == len(PROJECT_YEARS):
            return values, "modèle économique"
    except Exception:  # noqa: BLE001 — the programme's figures stand in, and say so
        logger.exception("business model learners unavailable for %s", concept)
    return DEFAULT_LEARNERS[concept], "chiffres du programme (hypothèse à ajuster)"


def concept_costs_default() -> tuple[dict[str, float], str]:
    """Cost per site of each concept — the public aid of years 0 to 3 in the default business
    model — and their source; DEFAULT_COSTS if the model cannot be computed."""
    from implantations.analytics.business_model_columns import PUBLIC_AID

    try:
        costs = {}
        for concept in DEFAULT_COSTS:
            years = _business_model(concept).years
            costs[concept] = float(years.loc[years["year"].isin(COST_YEARS), PUBLIC_AID].sum())
        return costs, "modèle économique par défaut (aide publique cumulée, années 0 à 3)"
    except Exception:  # noqa: BLE001
        logger.exception("business model costs unavailable")
    return dict(DEFAULT_COSTS), "valeurs par défaut (hypothèse à ajuster)"
