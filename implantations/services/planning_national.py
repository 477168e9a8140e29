"""National planning (issue 16): the regional planning extended to all of France, for national
admins only.

`national_plan` takes every diagnosed basin of a zoning — the national batch's reference basins
(one whole zone each) and, unless left out, the registered basins (a registered basin made of
exactly one zone replaces that zone's reference basin: it carries the assets and the
recommendation) — ranks them by programme fit on one national scale, and picks at most N sites
under a budget with a minimum distance between main towns, across regions (greedy heuristic and
integer program, `implantations.analytics.planning_selection`, with the solver's bound on the
optimum). It then measures what the choice covers (population and recruitment projects of
France, each commune once), redoes it along a budget (or site count) curve, and sums it up by
region.

Need figures: the basin's latest diagnostic (the atlas figures of a reference basin, the
document of a registered one's run), else the imported facts moved through the communes (as in
the regional planning). Costs: the concept of the basin's latest recorded recommendation (none
is computed here: a reference basin has no assets, and computing ~300 recommendations would
take minutes); without one, the most expensive concept's cost (prudent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import pandas as pd

from diagnostics.models import User
from diagnostics.selectors.national import ZONING_ALIASES, ZONING_LABELS
from implantations.analytics import honesty
from implantations.analytics import planning as p
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_fit as pfit
from implantations.analytics import planning_national as nat
from implantations.analytics import planning_selection as psel
from implantations.models import Concept
from implantations.selectors import planning as plan_sel
from implantations.selectors import planning_national as sel
from implantations.services.planning import (
    CONCEPT,
    CONCEPT_LABEL,
    CONCEPT_NOTE,
    COST_SOURCE,
    ROBUSTNESS,
    ROBUSTNESS_LABEL,
    SELECTED,
    json_ready,
    plan_candidate_columns,
    plan_costs_with,
    plan_parameters_dict,
    plan_selection_input,
)
from implantations.services.planning_candidates import BASIN_ID, CODE, KIND
from implantations.services.planning_national_candidates import (
    KIND_REFERENCE,
    candidate_basins,
    candidate_concepts,
    candidate_need,
    communes_frame,
)
from implantations.services.planning_parameters import (
    PlanningError,
    fit_bounds,
    plan_parameters_check,
)

REGION = nat.REGION
DEFAULT_N = 10
DEFAULT_MIN_KM = 40.0


@dataclass
class NationalPlan:
    """France's ranked candidates, the sites picked, what they cover, the trade-off curve and
    the table by region."""

    zoning: str
    include_registered: bool
    candidates: pd.DataFrame
    selection: psel.Selection | None
    coverage: nat.Coverage
    curve: pd.DataFrame
    regions: pd.DataFrame
    costs: dict[str, float]
    costs_source: str
    bounds: pfit.FitBounds
    weights: pfit.FitWeights
    n: int
    budget: float | None
    min_km: float
    membership: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    sites: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=pc.SITE_POINT_COLUMNS))
    timings: dict[str, float] = field(default_factory=dict)
    vintages: list[str] = field(default_factory=list)

    @property
    def zoning_label(self) -> str:
        return ZONING_LABELS[self.zoning]

    @property
    def selected(self) -> pd.DataFrame:
        return self.candidates[self.candidates[SELECTED]]

    def as_dict(self) -> dict[str, Any]:
        """The regional planning's shape (`RegionPlan.as_dict`), for all of France: « region »
        becomes « scope », and the coverage, the curve and the table by region are added."""
        columns = plan_candidate_columns(
            after_id=(KIND,), after_code=(BASIN_ID,), after_name=(pc.REGION_CODE, REGION)
        )
        return {
            "scope": "national",
            "zoning": self.zoning,
            "source": "reference+registered" if self.include_registered else "reference",
            "parameters": {
                **plan_parameters_dict(self),
                "include_registered": self.include_registered,
            },
            "candidates": [
                {c: json_ready(row[c]) for c in columns}
                for row in self.candidates.to_dict("records")
            ],
            "selection": self.selection.as_dict() if self.selection else None,
            "coverage": self.coverage.as_dict(),
            "tradeoff": [
                {k: json_ready(v) for k, v in row.items()} for row in self.curve.to_dict("records")
            ],
            "regions": [
                {k: json_ready(v) for k, v in row.items()}
                for row in self.regions.to_dict("records")
            ],
            "vintages": list(self.vintages),
            "notes": list(self.notes),
        }


def national_zoning(value: str | None) -> str:
    """A zoning's canonical name (« ze » → « zone_emploi »); PlanningError when unknown."""
    zoning = ZONING_ALIASES.get(value or "", value or "")
    if zoning not in ZONING_LABELS:
        raise PlanningError(
            f"Zonage inconnu : « {value} » (attendu : {', '.join(ZONING_LABELS)}).",
            code="invalid_zoning",
            extra={"field": "zoning"},
        )
    return zoning


def national_plan(
    *,
    user: User | None,
    zoning: str = "zone_emploi",
    include_registered: bool = True,
    n: int = DEFAULT_N,
    budget: float | None = None,
    min_km: float = DEFAULT_MIN_KM,
    costs: Mapping[str, float] | None = None,
    weights: pfit.FitWeights | None = None,
    eligible_only: bool = True,
    time_limit_s: float = 10.0,
    curve: bool = True,
) -> NationalPlan:
    """Rank every diagnosed basin of `zoning` in France and pick at most `n` sites (see the
    module docstring). National admins only (`user` None: a command or the bench): anyone else
    gets PlanningError « not_found » (the pages and the API answer 404). Raises PlanningError
    (French message naming the field) on bad parameters."""
    timings: dict[str, float] = {}
    start = perf_counter()
    if user is not None and not sel.national_planning_allowed(user):
        raise PlanningError(
            "La planification nationale est réservée aux administrateurs nationaux.",
            code="not_found",
        )
    zoning = national_zoning(zoning)
    weights, unit_costs, costs_source = plan_parameters_check(
        n=n, budget=budget, min_km=min_km, costs=costs, weights=weights
    )
    bounds = fit_bounds()
    chosen_basins, notes = candidate_basins(zoning, include_registered=include_registered)
    basins = {str(b.pk): (b, kind) for b, kind, _ in chosen_basins}
    regions = sel.region_names()
    identity = pd.DataFrame.from_records(
        [
            (str(b.pk), kind, code, b.name, b.pk, b.region_id, regions.get(b.region_id or ""))
            for b, kind, code in chosen_basins
        ],
        columns=[pc.CANDIDATE_ID, KIND, CODE, pc.NAME, BASIN_ID, pc.REGION_CODE, REGION],
    )
    communes = communes_frame()
    bmo_totals = plan_sel.planning_bmo_totals()
    membership = plan_sel.registered_membership(b for b, _, _ in chosen_basins)
    timings["lecture"] = perf_counter() - start
    t = perf_counter()
    main_towns = {cid: b.main_town_id for cid, (b, _) in basins.items() if b.main_town_id}
    summary = p.candidate_summary(membership, communes, main_towns=main_towns)
    sites = plan_sel.active_sites_frame()
    summary = p.with_nearest_site(summary, sites)
    if sites.empty:
        notes.append(
            "Aucun site Cnam actif n'est renseigné : l'éloignement n'est pas calculé et le "
            "score repose sur l'éligibilité et le besoin."
        )
    need = candidate_need(
        membership=membership, communes=communes, bmo_totals=bmo_totals, basins=basins
    )
    for part in (identity, summary, need):
        part[pc.CANDIDATE_ID] = part[pc.CANDIDATE_ID].astype(object)
    identity[BASIN_ID] = identity[BASIN_ID].astype("Int64")
    frame = identity.merge(summary, on=pc.CANDIDATE_ID, how="inner").merge(
        need, on=pc.CANDIDATE_ID, how="left"
    )
    if frame.empty:
        ranked = frame.assign(**{c: pd.Series(dtype=object) for c in pc.FIT_COLUMNS})
        ranked = ranked.assign(**{c: pd.Series(dtype=object) for c in honesty.STANDING_COLUMNS})
    else:
        ranked = pfit.programme_fit(frame, bounds=bounds, weights=weights)
        ranked = honesty.planning_standing(ranked, weights=weights, bounds=bounds)
    timings["adéquation"] = perf_counter() - t

    recos = candidate_concepts(ranked, basins)
    ids = ranked[pc.CANDIDATE_ID].tolist()
    ranked[CONCEPT] = [recos.get(cid, {}).get("concept") for cid in ids]
    ranked[CONCEPT_LABEL] = [
        Concept(c).label if c in Concept.values else None for c in ranked[CONCEPT]
    ]
    ranked[CONCEPT_NOTE] = [
        None
        if recos.get(cid, {}).get("concept")
        else "bassin de référence : atouts non renseignés"
        if kind == KIND_REFERENCE
        else "aucune recommandation ferme enregistrée"
        for cid, kind in zip(ids, ranked[KIND], strict=True)
    ]
    ranked[ROBUSTNESS] = [recos.get(cid, {}).get("robustness") for cid in ids]
    ranked[ROBUSTNESS_LABEL] = [recos.get(cid, {}).get("label") for cid in ids]
    most_expensive = max(unit_costs.values()) if unit_costs else 0.0
    ranked = plan_costs_with(ranked, unit_costs)

    t = perf_counter()
    selection_input = plan_selection_input(ranked, eligible_only=eligible_only)
    try:
        selection = psel.sites_select(
            selection_input, n=n, budget=budget, min_km=min_km, time_limit_s=time_limit_s
        )
    except ValueError as exc:
        raise PlanningError(str(exc), code="invalid_selection") from exc
    timings["sélection"] = perf_counter() - t
    ranked[SELECTED] = ranked[pc.CANDIDATE_ID].isin(set(selection.chosen))
    ranked[honesty.STANDING] = ranked[honesty.STANDING].astype(object)

    t = perf_counter()
    weights_frame = nat.commune_weights(communes, bmo_totals=bmo_totals)
    covered = nat.coverage(membership, weights_frame, selection.chosen)
    curve_frame = (
        nat.tradeoff_curve(
            selection_input,
            membership=membership,
            weights=weights_frame,
            n=n,
            budget=budget,
            min_km=min_km,
            time_limit_s=min(time_limit_s, 5.0),
            current=selection,
        )
        if curve and len(selection_input)
        else pd.DataFrame(columns=nat.TRADEOFF_COLUMNS)
    )
    timings["courbe"] = perf_counter() - t
    by_region = nat.region_table(
        ranked.assign(
            **{
                nat.RANKED: ranked[honesty.STANDING] == honesty.RANKED,
                nat.SELECTED: ranked[SELECTED],
            }
        )[nat.REGION_INPUT_COLUMNS],
        membership=membership,
        weights=weights_frame,
    )
    notes.extend(_standing_notes(ranked, eligible_only=eligible_only))
    if int((ranked[COST_SOURCE] != "concept recommandé").sum()):
        notes.append(
            "Les bassins sans recommandation enregistrée (dont tous les bassins de référence, "
            "sans atouts renseignés) comptent au coût du concept le plus coûteux "
            f"({honesty.format_figure(most_expensive, 0)} €)."
        )
    vintages = sorted(
        {f"BMO {int(y)}" for y in bmo_totals[pc.YEAR].dropna().unique()}
        | {f"chômage {x}" for x in need[pc.UNEMPLOYMENT_PERIOD].dropna().unique()}
    )
    timings["total"] = perf_counter() - start
    return NationalPlan(
        zoning=zoning,
        include_registered=include_registered,
        candidates=ranked.reset_index(drop=True),
        selection=selection,
        coverage=covered,
        curve=curve_frame,
        regions=by_region,
        costs=unit_costs,
        costs_source=costs_source,
        bounds=bounds,
        weights=weights,
        n=n,
        budget=budget,
        min_km=min_km,
        membership=membership,
        notes=notes,
        sites=sites,
        timings=timings,
        vintages=vintages,
    )


def _standing_notes(ranked: pd.DataFrame, *, eligible_only: bool) -> list[str]:
    notes = []
    if eligible_only:
        ineligible = int((ranked[honesty.STANDING] == honesty.UNRANKED_INELIGIBLE).sum())
        if ineligible:
            notes.append(
                f"{ineligible} candidat{'s' if ineligible > 1 else ''} hors des critères "
                "d'éligibilité (population du bassin ou de la ville principale) : non "
                f"retenu{'s' if ineligible > 1 else ''} dans la sélection."
            )
    insufficient = int((ranked[honesty.STANDING] == honesty.UNRANKED_INSUFFICIENT).sum())
    if insufficient:
        notes.append(
            f"{insufficient} candidat{'s' if insufficient > 1 else ''} sans données suffisantes "
            f"(moins de {honesty.format_figure(honesty.MIN_KNOWN_WEIGHT_SHARE * 100, 0)} % des "
            "poids de l'adéquation sur des données connues) : ni classé"
            f"{'s' if insufficient > 1 else ''} ni proposé{'s' if insufficient > 1 else ''}."
        )
    return notes


# basin id → (its updated_at, its outline simplified for the map of France): reading and
# simplifying ~300 full outlines took about 2 s a page view.
_OUTLINES: dict[int, tuple[str, Any]] = {}
OUTLINE_SIMPLIFY_DEG = 0.005  # ≈ 500 m, under a pixel of the map of France


def _simplified(geojson: Any) -> Any:
    """The outline simplified for the map (the stored one when it cannot be)."""
    from shapely.geometry import mapping

    from diagnostics.analytics.geometry import geometry_from_geojson

    try:
        shape = geometry_from_geojson(geojson)
        if shape is None:
            return geojson
        simple = shape.simplify(OUTLINE_SIMPLIFY_DEG, preserve_topology=True)
        return geojson if simple.is_empty else mapping(simple)
    except Exception:  # noqa: BLE001 — an odd outline is drawn as stored, never a 500
        return geojson


def national_plan_geometries(plan: NationalPlan) -> dict[str, Any]:
    """candidate_id → outline of its basin (GeoJSON, WGS84, simplified for display), kept per
    process until the basin changes."""
    ids = [int(b) for b in plan.candidates[BASIN_ID].dropna()]
    stamps = sel.basin_stamps(ids)
    stale = [i for i in ids if i not in _OUTLINES or _OUTLINES[i][0] != stamps.get(i)]
    if stale:
        outlines = sel.basin_outlines(stale)
        for basin_id in stale:
            geojson = outlines.get(basin_id)
            _OUTLINES[basin_id] = (
                stamps.get(basin_id, ""),
                None if geojson is None else _simplified(geojson),
            )
    return {
        str(cid): _OUTLINES[int(bid)][1]
        for cid, bid in zip(
            plan.candidates[pc.CANDIDATE_ID], plan.candidates[BASIN_ID], strict=True
        )
        if pd.notna(bid) and int(bid) in _OUTLINES and _OUTLINES[int(bid)][1] is not None
    }
