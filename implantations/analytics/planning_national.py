"""National planning, pure: what the sites chosen across France cover, the trade-off between
coverage and cost, and the table by region (issue 16).

The choice itself is the regional one (`planning_selection.sites_select`: greedy heuristic and
integer program, with the solver's bound on the optimum) run on every diagnosed basin of a
zoning; this module measures it.

Frames and their columns:

- WEIGHTS (`COMMUNE_WEIGHT_COLUMNS`, built by `commune_weights`): commune_code, region_code,
  population, projects — each commune's population and its share of its bassin BMO's
  recruitment projects (projects_b · pop(commune) / pop(b)), so that coverage is counted once
  per commune however the chosen basins overlap.
- MEMBERSHIP (`planning_columns.MEMBERSHIP_COLUMNS`): candidate_id, commune_code.
- CANDIDATES for `region_table` (`REGION_INPUT_COLUMNS`): candidate_id, region_code, region,
  ranked (bool: may be chosen), selected (bool), cost.
- TRADE-OFF (`TRADEOFF_COLUMNS`, `tradeoff_curve`): axis, step, sites, cost, objective,
  population_share, projects_share, gap_bound, current.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from implantations.analytics.planning_columns import (
    BASSIN_BMO_CODE,
    BMO_TOTAL_COLUMNS,
    CANDIDATE_ID,
    COMMUNE_CODE,
    COMMUNE_COLUMNS,
    MEMBERSHIP_COLUMNS,
    POPULATION,
    PROJECTS,
    REGION_CODE,
    require_columns,
)
from implantations.analytics.planning_selection import (
    SELECTION_INPUT_COLUMNS,
    Selection,
    sites_select,
)

COMMUNE_WEIGHT_COLUMNS = [COMMUNE_CODE, REGION_CODE, POPULATION, PROJECTS]

REGION = "region"
RANKED = "ranked"
SELECTED = "selected"
COST = "cost"
REGION_INPUT_COLUMNS = [CANDIDATE_ID, REGION_CODE, REGION, RANKED, SELECTED, COST]
CANDIDATES = "candidates"
CHOSEN = "chosen"
COVERED_POPULATION = "covered_population"
REGION_POPULATION = "region_population"
POPULATION_SHARE = "population_share"
COVERED_PROJECTS = "covered_projects"
REGION_PROJECTS = "region_projects"
PROJECTS_SHARE = "projects_share"
REGION_COLUMNS = [
    REGION_CODE,
    REGION,
    CANDIDATES,
    RANKED,
    CHOSEN,
    COST,
    COVERED_POPULATION,
    REGION_POPULATION,
    POPULATION_SHARE,
    COVERED_PROJECTS,
    REGION_PROJECTS,
    PROJECTS_SHARE,
]

AXIS = "axis"
AXIS_BUDGET = "budget"
AXIS_N = "n"
STEP = "step"
SITES = "sites"
OBJECTIVE = "objective"
GAP_BOUND = "gap_bound"
CURRENT = "current"
TRADEOFF_COLUMNS = [
    AXIS,
    STEP,
    SITES,
    COST,
    OBJECTIVE,
    POPULATION_SHARE,
    PROJECTS_SHARE,
    GAP_BOUND,
    CURRENT,
]
# Budgets of the curve, as multiples of the budget asked for.
BUDGET_FACTORS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def commune_weights(communes: pd.DataFrame, *, bmo_totals: pd.DataFrame) -> pd.DataFrame:
    """COMMUNE_WEIGHT_COLUMNS: population (unknown counted 0) and projects = the commune's
    share of its bassin BMO's projects, by population (0 where the bassin has no figure or no
    population). Input: COMMUNE_COLUMNS, BMO_TOTAL_COLUMNS. Sorted by commune_code."""
    require_columns(communes, COMMUNE_COLUMNS, "la table des communes")
    require_columns(bmo_totals, BMO_TOTAL_COLUMNS, "les totaux BMO par bassin")
    table = communes.drop_duplicates(COMMUNE_CODE)
    population = pd.to_numeric(table[POPULATION], errors="coerce").fillna(0.0).astype(float)
    bassin = table[BASSIN_BMO_CODE].astype(object)
    bassin_pop = population.groupby(bassin).sum()
    projects_of = (
        pd.to_numeric(bmo_totals[PROJECTS], errors="coerce")
        .fillna(0.0)
        .groupby(bmo_totals[BASSIN_BMO_CODE].astype(object))
        .sum()
    )
    denominator = bassin.map(bassin_pop).astype(float)
    share = (population / denominator.where(denominator > 0)).fillna(0.0)
    projects = (bassin.map(projects_of).astype(float).fillna(0.0) * share).astype(float)
    out = pd.DataFrame(
        {
            COMMUNE_CODE: table[COMMUNE_CODE].astype(object).to_numpy(),
            REGION_CODE: table[REGION_CODE].astype(object).to_numpy(),
            POPULATION: population.to_numpy(),
            PROJECTS: projects.to_numpy(),
        }
    )
    return out.sort_values(COMMUNE_CODE, kind="mergesort").reset_index(drop=True)


@dataclass(frozen=True)
class Coverage:
    """Population and recruitment projects of the communes of the chosen basins (each commune
    once), against all of France's (`weights`)."""

    population: float
    population_total: float
    projects: float
    projects_total: float

    @property
    def population_share(self) -> float | None:
        return self.population / self.population_total if self.population_total > 0 else None

    @property
    def projects_share(self) -> float | None:
        return self.projects / self.projects_total if self.projects_total > 0 else None

    def as_dict(self) -> dict[str, float | None]:
        return {
            "population": round(self.population),
            "population_total": round(self.population_total),
            "population_share": _rounded(self.population_share),
            "projects": round(self.projects, 1),
            "projects_total": round(self.projects_total, 1),
            "projects_share": _rounded(self.projects_share),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _covered_communes(membership: pd.DataFrame, chosen: Iterable[str]) -> pd.Index:
    wanted = {str(c) for c in chosen}
    picked = membership[membership[CANDIDATE_ID].astype(str).isin(wanted)]
    return pd.Index(picked[COMMUNE_CODE].unique())


def coverage(membership: pd.DataFrame, weights: pd.DataFrame, chosen: Iterable[str]) -> Coverage:
    """What the chosen candidates cover (see `Coverage`). Input: MEMBERSHIP_COLUMNS,
    COMMUNE_WEIGHT_COLUMNS."""
    require_columns(membership, MEMBERSHIP_COLUMNS, "la composition des candidats")
    require_columns(weights, COMMUNE_WEIGHT_COLUMNS, "les poids des communes")
    covered = weights[weights[COMMUNE_CODE].isin(_covered_communes(membership, chosen))]
    return Coverage(
        population=float(covered[POPULATION].sum()),
        population_total=float(weights[POPULATION].sum()),
        projects=float(covered[PROJECTS].sum()),
        projects_total=float(weights[PROJECTS].sum()),
    )


def region_table(
    candidates: pd.DataFrame, *, membership: pd.DataFrame, weights: pd.DataFrame
) -> pd.DataFrame:
    """REGION_COLUMNS, one row per region with candidates: their count, how many may be chosen
    (`ranked`), how many are, their cost; the population and projects of the region's communes
    inside a chosen basin (whatever the basin's region: a zone across a border covers both)
    against the region's. Sorted by region name."""
    require_columns(candidates, REGION_INPUT_COLUMNS, "les candidats")
    require_columns(membership, MEMBERSHIP_COLUMNS, "la composition des candidats")
    require_columns(weights, COMMUNE_WEIGHT_COLUMNS, "les poids des communes")
    frame = candidates.assign(
        _ranked=candidates[RANKED].fillna(False).astype(bool),
        _selected=candidates[SELECTED].fillna(False).astype(bool),
        _cost=pd.to_numeric(candidates[COST], errors="coerce").fillna(0.0),
    )
    frame = frame.assign(_chosen_cost=frame["_cost"].where(frame["_selected"], 0.0))
    counts = frame.groupby(REGION_CODE, sort=True).agg(
        **{
            REGION: (REGION, "first"),
            CANDIDATES: (CANDIDATE_ID, "count"),
            RANKED: ("_ranked", "sum"),
            CHOSEN: ("_selected", "sum"),
            COST: ("_chosen_cost", "sum"),
        }
    )
    chosen_ids = frame.loc[frame["_selected"], CANDIDATE_ID].astype(str)
    covered = weights[weights[COMMUNE_CODE].isin(_covered_communes(membership, chosen_ids))]
    totals = weights.groupby(REGION_CODE)[[POPULATION, PROJECTS]].sum()
    inside = covered.groupby(REGION_CODE)[[POPULATION, PROJECTS]].sum()
    out = counts.copy()
    out[COVERED_POPULATION] = inside[POPULATION].reindex(out.index).fillna(0.0)
    out[REGION_POPULATION] = totals[POPULATION].reindex(out.index).fillna(0.0)
    out[COVERED_PROJECTS] = inside[PROJECTS].reindex(out.index).fillna(0.0)
    out[REGION_PROJECTS] = totals[PROJECTS].reindex(out.index).fillna(0.0)
    out[POPULATION_SHARE] = out[COVERED_POPULATION] / out[REGION_POPULATION].where(
        out[REGION_POPULATION] > 0
    )
    out[PROJECTS_SHARE] = out[COVERED_PROJECTS] / out[REGION_PROJECTS].where(
        out[REGION_PROJECTS] > 0
    )
    for column in (CANDIDATES, RANKED, CHOSEN):
        out[column] = out[column].astype("int64")
    out = out.reset_index()[REGION_COLUMNS]
    return out.sort_values([REGION, REGION_CODE], kind="mergesort").reset_index(drop=True)


def tradeoff_steps(*, n: int, budget: float | None) -> tuple[str, list[float]]:
    """The curve's axis and its points: budgets (`BUDGET_FACTORS` × the budget) when there is a
    budget, else the number of sites 1..n (at most 12 points, n always included)."""
    if budget is not None and budget > 0:
        return AXIS_BUDGET, [round(budget * f, 2) for f in BUDGET_FACTORS]
    counts = sorted({int(round(v)) for v in np.linspace(1, n, num=min(n, 12))} | {n})
    return AXIS_N, [float(v) for v in counts]


def tradeoff_curve(
    frame: pd.DataFrame,
    *,
    membership: pd.DataFrame,
    weights: pd.DataFrame,
    n: int,
    budget: float | None,
    min_km: float,
    time_limit_s: float = 5.0,
    current: Selection | None = None,
) -> pd.DataFrame:
    """TRADEOFF_COLUMNS: the selection (`sites_select`, same candidates and distance) redone at
    each point of `tradeoff_steps` — coverage of population and of recruitment projects
    against cost. With a budget the points vary the budget at n sites, else the number of
    sites without budget. `current`, the selection already made with (n, budget), is reused
    for its point (`current` True). Sorted by step."""
    require_columns(frame, SELECTION_INPUT_COLUMNS, "les candidats à la sélection")
    axis, steps = tradeoff_steps(n=n, budget=budget)
    rows = []
    for step in steps:
        is_current = (axis == AXIS_BUDGET and budget is not None and step == round(budget, 2)) or (
            axis == AXIS_N and int(step) == n
        )
        if is_current and current is not None:
            selection = current
        elif axis == AXIS_BUDGET:
            selection = sites_select(
                frame, n=n, budget=step, min_km=min_km, time_limit_s=time_limit_s
            )
        else:
            selection = sites_select(
                frame, n=int(step), budget=None, min_km=min_km, time_limit_s=time_limit_s
            )
        covered = coverage(membership, weights, selection.chosen)
        rows.append(
            {
                AXIS: axis,
                STEP: step,
                SITES: len(selection.chosen),
                COST: selection.cost,
                OBJECTIVE: selection.objective,
                POPULATION_SHARE: covered.population_share,
                PROJECTS_SHARE: covered.projects_share,
                GAP_BOUND: selection.gap_bound,
                CURRENT: is_current,
            }
        )
    out = pd.DataFrame(rows, columns=TRADEOFF_COLUMNS)
    out[SITES] = out[SITES].astype("int64")
    for column in (POPULATION_SHARE, PROJECTS_SHARE, GAP_BOUND):
        out[column] = out[column].astype("Float64")
    return out.sort_values(STEP, kind="mergesort").reset_index(drop=True)
