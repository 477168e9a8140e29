"""Regional planning (orchestration of reads and pure analytics; the implantation projects'
writes are in `services.projects`).

`region_plan` ranks the candidate basins of a region by programme fit, adds their
recommended concept and its robustness where it can be computed, and picks N sites under a
budget with a minimum distance between main towns (greedy and integer programming, see
`implantations.analytics.planning`). Its parts: the parameters checked in `planning_parameters`
(shared with the national planning), the candidates, their need and concept in
`planning_candidates`; here the plan, its map outlines and its CSV export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from diagnostics.models import Region, User
from diagnostics.selectors import diagnostic_report
from implantations.analytics import honesty
from implantations.analytics import planning as p
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_fit as pfit
from implantations.analytics import planning_selection as psel
from implantations.models import Concept
from implantations.selectors import planning as sel

from .planning_candidates import (
    BASIN_ID,
    CODE,
    candidates_need,
    candidates_recommendations,
    region_candidates,
)

if TYPE_CHECKING:
    from .planning_national import NationalPlan
from .planning_parameters import (
    SOURCE_REGISTERED,
    SOURCES,
    PlanningError,
    fit_bounds,
    plan_parameters_check,
    region_for,
)

# Extra columns of the planning frame (the candidate's identity columns: `planning_candidates`).
CONCEPT = "concept"
CONCEPT_LABEL = "concept_label"
CONCEPT_NOTE = "concept_note"
ROBUSTNESS = "robustness"
ROBUSTNESS_LABEL = "robustness_label"
COST_SOURCE = "cost_source"
SELECTED = "selected"
GREEDY_SELECTED = "greedy_selected"


@dataclass
class RegionPlan:
    """A region's ranked candidates, the sites picked, and how."""

    region: Region
    source: str
    candidates: pd.DataFrame  # ranked; planning columns + the extra ones above
    selection: psel.Selection | None
    costs: dict[str, float]
    costs_source: str
    bounds: pfit.FitBounds
    weights: pfit.FitWeights
    n: int
    budget: float | None
    min_km: float
    notes: list[str] = field(default_factory=list)
    sites: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=pc.SITE_POINT_COLUMNS))
    timings: dict[str, float] = field(default_factory=dict)
    membership: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=pc.MEMBERSHIP_COLUMNS)
    )

    @property
    def source_label(self) -> str:
        return SOURCES[self.source]

    @property
    def source_label_inline(self) -> str:
        """The source's label inside a sentence: « bassins BMO de la région »."""
        label = self.source_label
        return label[:1].lower() + label[1:]

    @property
    def selected(self) -> pd.DataFrame:
        return self.candidates[self.candidates[SELECTED]]

    def as_dict(self) -> dict[str, Any]:
        columns = plan_candidate_columns()
        return {
            "region": {"code": self.region.code, "name": self.region.name},
            "source": self.source,
            "parameters": plan_parameters_dict(self),
            "candidates": [
                {c: json_ready(row[c]) for c in columns}
                for row in self.candidates.to_dict("records")
            ],
            "selection": self.selection.as_dict() if self.selection else None,
            "notes": list(self.notes),
        }


def plan_candidate_columns(
    *, after_id: Sequence[str] = (), after_code: Sequence[str] = (), after_name: Sequence[str] = ()
) -> list[str]:
    """The candidates' columns of a plan's document (`as_dict`), regional or national: the
    national plan inserts its own after the candidate id, the code and the name."""
    return [
        pc.RANK,
        pc.CANDIDATE_ID,
        *after_id,
        CODE,
        *after_code,
        pc.NAME,
        *after_name,
        pc.POPULATION,
        pc.MAIN_TOWN,
        pc.MAIN_TOWN_POPULATION,
        pc.NEAREST_SITE,
        pc.NEAREST_SITE_KM,
        pc.UNEMPLOYMENT_RATE,
        pc.PROJECTS_PER_1000,
        pc.DIFFICULTY_RATE,
        pc.NEED_SOURCE,
        pc.ELIGIBLE,
        pc.ELIGIBILITY_SCORE,
        pc.NEED_SCORE,
        pc.ACCESS_SCORE,
        pc.FIT,
        honesty.STANDING,
        honesty.STANDING_REASON,
        honesty.KNOWN_SHARE,
        pc.MISSING,
        CONCEPT,
        ROBUSTNESS,
        ROBUSTNESS_LABEL,
        psel.COST,
        SELECTED,
    ]


def plan_parameters_dict(plan: RegionPlan | NationalPlan) -> dict[str, Any]:
    """The parameters of a plan's document (`as_dict`), regional or national."""
    return {
        "n": plan.n,
        "budget": plan.budget,
        "min_km": plan.min_km,
        "costs": plan.costs,
        "costs_source": plan.costs_source,
        "weights": {
            "eligibility": plan.weights.eligibility,
            "need": plan.weights.need,
            "access": plan.weights.access,
        },
    }


def plan_costs_with(ranked: pd.DataFrame, unit_costs: Mapping[str, float]) -> pd.DataFrame:
    """The candidates with the cost of their recommended concept (`psel.COST`) and where it comes
    from (COST_SOURCE); without a concept, the most expensive one's cost (prudent). Regional and
    national plannings."""
    most_expensive = max(unit_costs.values()) if unit_costs else 0.0
    out = ranked.copy()
    out[psel.COST] = [
        unit_costs.get(c, most_expensive) if c else most_expensive for c in ranked[CONCEPT]
    ]
    out[COST_SOURCE] = [
        "concept recommandé" if c in unit_costs else "concept inconnu : le plus coûteux"
        for c in ranked[CONCEPT]
    ]
    return out


def plan_selection_input(ranked: pd.DataFrame, *, eligible_only: bool) -> pd.DataFrame:
    """SELECTION_INPUT_COLUMNS of the candidates the selection may pick: those with a fit (and,
    when `eligible_only`, not known to be ineligible), valued by their fit."""
    selectable = ranked
    if eligible_only and len(ranked):
        selectable = ranked[ranked[pc.ELIGIBLE].fillna(True).astype(bool)]
    selectable = selectable[selectable[pc.FIT].notna()]
    return selectable.assign(**{psel.VALUE: selectable[pc.FIT].astype(float)})[
        psel.SELECTION_INPUT_COLUMNS
    ]


def json_ready(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def region_plan(
    *,
    region_code: str,
    user: User | None = None,
    source: str = pc.LEVEL_ZONE_EMPLOI,
    n: int = 5,
    budget: float | None = None,
    min_km: float = 40.0,
    costs: Mapping[str, float] | None = None,
    weights: pfit.FitWeights | None = None,
    eligible_only: bool = True,
    time_limit_s: float = 10.0,
) -> RegionPlan:
    """Rank a region's candidates by programme fit and pick at most `n` sites.

    `source`: « zone_emploi » / « bassin_bmo » (every zone of the region, built on the fly
    without saving anything) or « registered » (the region's basins the user may read).
    `costs`: cost per site of each concept (defaults: the business model's cumulated public
    aid over years 0-3, else DEFAULT_COSTS); a candidate without a recommended concept costs
    the most expensive concept's (prudent). With `eligible_only`, candidates known to be
    ineligible (population or main town outside the programme's bounds) are not picked.
    Raises PlanningError (French message) on bad parameters or a region out of reach."""
    from time import perf_counter

    timings: dict[str, float] = {}
    start = perf_counter()
    if source not in SOURCES:
        raise PlanningError(
            f"Source inconnue : « {source} » (attendu : {', '.join(SOURCES)}).",
            code="invalid_source",
            extra={"field": "source"},
        )
    weights, unit_costs, costs_source = plan_parameters_check(
        n=n, budget=budget, min_km=min_km, costs=costs, weights=weights
    )
    region = region_for(user, region_code)
    bounds = fit_bounds()
    notes: list[str] = []

    communes = sel.planning_communes_frame()
    timings["communes"] = perf_counter() - start
    membership, identity, basins, extra_notes = region_candidates(
        user=user, region=region, source=source, communes=communes
    )
    notes.extend(extra_notes)
    main_towns = {
        cid: b.main_town_id
        for cid, b in basins.items()
        if source == SOURCE_REGISTERED and b.main_town_id
    }
    summary = p.candidate_summary(membership, communes, main_towns=main_towns)
    sites = sel.active_sites_frame()
    summary = p.with_nearest_site(summary, sites)
    if sites.empty:
        notes.append(
            "Aucun site Cnam actif n'est renseigné : l'éloignement n'est pas calculé et le "
            "score repose sur l'éligibilité et le besoin."
        )
    t = perf_counter()
    need = candidates_need(membership=membership, communes=communes, basins=basins)
    timings["besoin"] = perf_counter() - t
    for part in (identity, summary, need):
        part[pc.CANDIDATE_ID] = part[pc.CANDIDATE_ID].astype(object)
    identity[BASIN_ID] = identity[BASIN_ID].astype("Int64")
    frame = identity.merge(summary, on=pc.CANDIDATE_ID, how="inner").merge(
        need, on=pc.CANDIDATE_ID, how="left"
    )
    if frame.empty:
        ranked = frame.assign(**{c: pd.Series(dtype=object) for c in pc.FIT_COLUMNS})
    else:
        ranked = pfit.programme_fit(frame, bounds=bounds, weights=weights)
    # Honesty rules: no fit shown or used on too little data, no ineligible candidate ranked.
    ranked = (
        honesty.planning_standing(ranked, weights=weights, bounds=bounds)
        if len(ranked)
        else ranked.assign(**{c: pd.Series(dtype=object) for c in honesty.STANDING_COLUMNS})
    )

    t = perf_counter()
    recos = candidates_recommendations(ranked, basins, user=user)
    timings["recommandations"] = perf_counter() - t
    ranked[CONCEPT] = [recos.get(cid, {}).get("concept") for cid in ranked[pc.CANDIDATE_ID]]
    ranked[CONCEPT_LABEL] = [
        Concept(c).label if c in Concept.values else None for c in ranked[CONCEPT]
    ]
    ranked[ROBUSTNESS] = [recos.get(cid, {}).get("robustness") for cid in ranked[pc.CANDIDATE_ID]]
    ranked[ROBUSTNESS_LABEL] = [recos.get(cid, {}).get("label") for cid in ranked[pc.CANDIDATE_ID]]
    ranked[CONCEPT_NOTE] = [
        recos.get(cid, {}).get("note")
        or (
            None
            if cid in recos
            else "pas de bassin enregistré : structures d'accueil et partenaires inconnus"
        )
        for cid in ranked[pc.CANDIDATE_ID]
    ]
    ranked = plan_costs_with(ranked, unit_costs)

    t = perf_counter()
    selection = None
    try:
        selection = psel.sites_select(
            plan_selection_input(ranked, eligible_only=eligible_only),
            n=n,
            budget=budget,
            min_km=min_km,
            time_limit_s=time_limit_s,
        )
    except ValueError as exc:
        raise PlanningError(str(exc), code="invalid_selection") from exc
    timings["sélection"] = perf_counter() - t
    chosen = set(selection.chosen)
    greedy = set(selection.greedy_chosen)
    ranked[SELECTED] = ranked[pc.CANDIDATE_ID].isin(chosen)
    ranked[GREEDY_SELECTED] = ranked[pc.CANDIDATE_ID].isin(greedy)
    if eligible_only:
        ineligible = int((ranked[pc.ELIGIBLE] == False).sum())  # noqa: E712
        if ineligible:
            notes.append(
                f"{ineligible} candidat{'s' if ineligible > 1 else ''} hors des critères "
                "d'éligibilité (population du bassin ou de la ville principale) ne "
                f"{'sont' if ineligible > 1 else 'est'} pas retenu{'s' if ineligible > 1 else ''}"
                " dans la sélection."
            )
    insufficient = int((ranked[honesty.STANDING] == honesty.UNRANKED_INSUFFICIENT).sum())
    if insufficient:
        notes.append(
            f"{insufficient} candidat{'s' if insufficient > 1 else ''} sans données suffisantes "
            f"(moins de {honesty.format_figure(honesty.MIN_KNOWN_WEIGHT_SHARE * 100, 0)} % des "
            "poids de l'adéquation sur des données connues) : ni classé"
            f"{'s' if insufficient > 1 else ''} ni proposé{'s' if insufficient > 1 else ''} "
            "(voir « Candidats non classés »)."
        )
    timings["total"] = perf_counter() - start
    return RegionPlan(
        region=region,
        source=source,
        candidates=ranked.reset_index(drop=True),
        selection=selection,
        costs=unit_costs,
        costs_source=costs_source,
        bounds=bounds,
        weights=weights,
        n=n,
        budget=budget,
        min_km=min_km,
        notes=notes,
        sites=sites,
        timings=timings,
        membership=membership,
    )


def region_plan_geometries(plan: RegionPlan) -> dict[str, Any]:
    """candidate_id → GeoJSON outline for the map: the published polygon of a zone d'emploi,
    the stored outline of a registered basin, the union of its communes' outlines for a bassin
    BMO (simplified for display)."""
    ids = plan.candidates[pc.CANDIDATE_ID].astype(str).tolist()
    if plan.source == pc.LEVEL_ZONE_EMPLOI:
        return diagnostic_report.zone_emploi_geometries(ids)
    if plan.source == SOURCE_REGISTERED:
        return diagnostic_report.basin_geometries(int(i) for i in ids)
    from implantations.analytics.planning_maps import candidate_outlines

    # The union of a region's ~5,000 commune outlines takes seconds: kept per process until
    # the territories are loaded again (the key holds the latest load's time).
    key = (plan.region.code, tuple(ids), sel.territories_version())
    cached = _OUTLINES_CACHE.get(key)
    if cached is not None:
        return cached
    geometries = diagnostic_report.commune_geometries(
        plan.membership[pc.COMMUNE_CODE].unique().tolist()
    )
    outlines = candidate_outlines(plan.membership, geometries)
    _OUTLINES_CACHE[key] = outlines
    while len(_OUTLINES_CACHE) > 8:
        _OUTLINES_CACHE.pop(next(iter(_OUTLINES_CACHE)))
    return outlines


_OUTLINES_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
