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

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import pandas as pd

from diagnostics.models import Basin, User
from diagnostics.selectors.national import ZONING_ALIASES, ZONING_LABELS
from implantations.analytics import honesty
from implantations.analytics import planning as p
from implantations.analytics import planning_national as nat
from implantations.models import Concept
from implantations.selectors import planning as plan_sel
from implantations.selectors import planning_national as sel
from implantations.services.planning import (
    BASIN_ID,
    CODE,
    CONCEPT,
    CONCEPT_LABEL,
    CONCEPT_NOTE,
    COST_SOURCE,
    KIND,
    ROBUSTNESS,
    ROBUSTNESS_LABEL,
    SELECTED,
    PlanningError,
    _bounds,
    _json,
    plan_parameters_check,
)

KIND_REFERENCE = "reference"
KIND_REGISTERED = "registered"
KIND_LABELS = {KIND_REFERENCE: "bassin de référence", KIND_REGISTERED: "bassin enregistré"}
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
    selection: p.Selection | None
    coverage: nat.Coverage
    curve: pd.DataFrame
    regions: pd.DataFrame
    costs: dict[str, float]
    costs_source: str
    bounds: p.FitBounds
    weights: p.FitWeights
    n: int
    budget: float | None
    min_km: float
    membership: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    sites: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=p.SITE_POINT_COLUMNS))
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
        columns = [
            p.RANK,
            p.CANDIDATE_ID,
            KIND,
            CODE,
            BASIN_ID,
            p.NAME,
            p.REGION_CODE,
            REGION,
            p.POPULATION,
            p.MAIN_TOWN,
            p.MAIN_TOWN_POPULATION,
            p.NEAREST_SITE,
            p.NEAREST_SITE_KM,
            p.UNEMPLOYMENT_RATE,
            p.PROJECTS_PER_1000,
            p.DIFFICULTY_RATE,
            p.NEED_SOURCE,
            p.ELIGIBLE,
            p.ELIGIBILITY_SCORE,
            p.NEED_SCORE,
            p.ACCESS_SCORE,
            p.FIT,
            honesty.STANDING,
            honesty.STANDING_REASON,
            honesty.KNOWN_SHARE,
            p.MISSING,
            CONCEPT,
            ROBUSTNESS,
            ROBUSTNESS_LABEL,
            p.COST,
            SELECTED,
        ]
        return {
            "scope": "national",
            "zoning": self.zoning,
            "source": "reference+registered" if self.include_registered else "reference",
            "parameters": {
                "n": self.n,
                "budget": self.budget,
                "min_km": self.min_km,
                "costs": self.costs,
                "costs_source": self.costs_source,
                "weights": {
                    "eligibility": self.weights.eligibility,
                    "need": self.weights.need,
                    "access": self.weights.access,
                },
                "include_registered": self.include_registered,
            },
            "candidates": [
                {c: _json(row[c]) for c in columns} for row in self.candidates.to_dict("records")
            ],
            "selection": self.selection.as_dict() if self.selection else None,
            "coverage": self.coverage.as_dict(),
            "tradeoff": [
                {k: _json(v) for k, v in row.items()} for row in self.curve.to_dict("records")
            ],
            "regions": [
                {k: _json(v) for k, v in row.items()} for row in self.regions.to_dict("records")
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


def _candidate_basins(
    zoning: str, *, include_registered: bool
) -> tuple[list[tuple[Basin, str, str]], list[str]]:
    """[(basin, kind, code)] of the diagnosed candidates, and notes."""
    notes: list[str] = []
    references = sel.reference_basins(zoning)
    registered = sel.registered_basins() if include_registered else []
    diagnosed = sel.diagnosed_basin_ids([b.pk for b in (*references, *registered)])
    # A registered basin made of exactly one zone of this zoning stands for that zone.
    replaced: set[str] = set()
    kept: list[tuple[Basin, str, str]] = []
    for basin in registered:
        if basin.pk not in diagnosed:
            continue
        codes = list(basin.source_codes or [])
        if basin.source_kind == zoning and len(codes) == 1:
            replaced.add(str(codes[0]))
        kept.append((basin, KIND_REGISTERED, str(basin.pk)))
    undiagnosed = 0
    for basin in references:
        code = str((basin.source_codes or [""])[0])
        if code in replaced:
            continue
        if basin.pk not in diagnosed:
            undiagnosed += 1
            continue
        kept.append((basin, KIND_REFERENCE, code))
    if not references:
        notes.append(
            f"Aucun bassin de référence pour le zonage « {ZONING_LABELS[zoning]} » : lancez le "
            "lot national de ce zonage (National → Lots) pour planifier sur toute la France."
        )
    if undiagnosed:
        notes.append(
            f"{undiagnosed} bassin{'s' if undiagnosed > 1 else ''} de référence sans diagnostic "
            f"terminé {'sont laissés' if undiagnosed > 1 else 'est laissé'} de côté : relancez "
            "le lot national de ce zonage."
        )
    if replaced:
        notes.append(
            f"{len(replaced)} zone{'s' if len(replaced) > 1 else ''} représentée"
            f"{'s' if len(replaced) > 1 else ''} par un bassin enregistré de même contour "
            "(avec ses atouts et sa recommandation) plutôt que par son bassin de référence."
        )
    return kept, notes


_COMMUNES_CACHE: dict[str, pd.DataFrame] = {}


def _communes() -> pd.DataFrame:
    """Every commune of France (≈ 35,000 rows, a second to read), kept per process until the
    territories are loaded again (the key holds the latest load's time); never kept without a
    recorded load (communes written by hand, as in the tests)."""
    key = plan_sel.territories_version()
    if not key:
        return plan_sel.planning_communes_frame()
    cached = _COMMUNES_CACHE.get(key)
    if cached is None:
        _COMMUNES_CACHE.clear()
        cached = _COMMUNES_CACHE[key] = plan_sel.planning_communes_frame()
    return cached.copy()


def _need(
    *,
    membership: pd.DataFrame,
    communes: pd.DataFrame,
    bmo_totals: pd.DataFrame,
    basins: Mapping[str, tuple[Basin, str]],
) -> pd.DataFrame:
    """Need per candidate: the basin's diagnostic (atlas figures of a reference basin, the run's
    document of a registered one), else the imported facts moved through the communes."""
    facts = p.candidate_need(
        membership,
        communes,
        bmo_totals=bmo_totals,
        unemployment=plan_sel.planning_unemployment_latest(),
    ).set_index(p.CANDIDATE_ID)
    # Rows are gathered then written once per column: a `.loc` write per cell took seconds on
    # the ~300 zones d'emploi.
    sources: dict[str, str] = {}
    for cid, year, period in zip(
        facts.index, facts[p.BMO_YEAR], facts[p.UNEMPLOYMENT_PERIOD], strict=True
    ):
        parts = []
        if pd.notna(year):
            parts.append(f"BMO {int(year)}")
        if pd.notna(period):
            parts.append(f"chômage {period}")
        sources[cid] = "données importées (" + ", ".join(parts) + ")" if parts else "aucune donnée"
    overrides: dict[str, dict[str, Any]] = {}
    reference_ids = {b.pk: cid for cid, (b, kind) in basins.items() if kind == KIND_REFERENCE}
    for basin_id, figures in sel.atlas_figures(reference_ids).items():
        cid = reference_ids[basin_id]
        difficulty = figures.get("bmo_difficulty_rate")
        values = {
            p.UNEMPLOYMENT_RATE: figures.get("unemployment_rate"),
            p.PROJECTS_PER_1000: figures.get("bmo_projects_per_1000"),
            # The atlas keeps the difficulty rate in %, the planning as a share.
            p.DIFFICULTY_RATE: None if difficulty is None else float(difficulty) / 100,
        }
        if cid not in facts.index or all(v is None for v in values.values()):
            continue
        year = figures.get("bmo_projects_period")
        overrides[cid] = {
            **values,
            p.UNEMPLOYMENT_PERIOD: figures.get("unemployment_rate_period") or None,
            p.BMO_YEAR: int(year) if year and str(year).isdigit() else None,
        }
        sources[cid] = f"diagnostic n° {figures['run_id']} (lot national)"
    registered = {b.pk: cid for cid, (b, kind) in basins.items() if kind == KIND_REGISTERED}
    for basin_id, run in plan_sel.latest_done_runs(registered).items():
        cid = registered[basin_id]
        need = plan_sel.run_need(run)
        if need is None or cid not in facts.index:
            continue
        overrides[cid] = {
            column: need[column]
            for column in (
                p.UNEMPLOYMENT_RATE,
                p.PROJECTS_PER_1000,
                p.DIFFICULTY_RATE,
                p.UNEMPLOYMENT_PERIOD,
                p.BMO_YEAR,
            )
        }
        finished = run.finished_at.strftime("%d/%m/%Y") if run.finished_at else ""
        sources[cid] = f"diagnostic n° {run.pk}" + (f" du {finished}" if finished else "")
    if overrides:
        frame = pd.DataFrame.from_dict(overrides, orient="index")
        for column in (p.UNEMPLOYMENT_RATE, p.PROJECTS_PER_1000, p.DIFFICULTY_RATE):
            known_values = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
            facts[column] = (
                known_values.reindex(facts.index).fillna(facts[column]).astype("Float64")
            )
        period = frame[p.UNEMPLOYMENT_PERIOD].where(frame[p.UNEMPLOYMENT_PERIOD].notna())
        known = period.dropna()
        facts.loc[known.index, p.UNEMPLOYMENT_PERIOD] = known.astype(object)
        years = pd.to_numeric(frame[p.BMO_YEAR], errors="coerce").dropna().astype("int64")
        facts.loc[years.index, p.BMO_YEAR] = years.to_numpy()
    facts[p.NEED_SOURCE] = pd.Series(sources, dtype=object)
    return facts.reset_index()


def _concepts(
    ranked: pd.DataFrame, basins: Mapping[str, tuple[Basin, str]]
) -> dict[str, dict[str, Any]]:
    """candidate_id → the concept of its basin's latest recorded recommendation (honesty rules:
    none when the scores are not conclusive)."""
    ids = {b.pk: cid for cid, (b, _) in basins.items()}
    out: dict[str, dict[str, Any]] = {}
    for basin_id, reco in sel.latest_recommendations(ids).items():
        honest = honesty.honest_document(reco.document or {})
        concept = reco.concept if honest.get("concept") else None
        out[ids[basin_id]] = {
            "concept": concept or None,
            "label": reco.label or None,
            "robustness": reco.robustness,
        }
    return out


def national_plan(
    *,
    user: User | None,
    zoning: str = "zone_emploi",
    include_registered: bool = True,
    n: int = DEFAULT_N,
    budget: float | None = None,
    min_km: float = DEFAULT_MIN_KM,
    costs: Mapping[str, float] | None = None,
    weights: p.FitWeights | None = None,
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
    bounds = _bounds()
    chosen_basins, notes = _candidate_basins(zoning, include_registered=include_registered)
    basins = {str(b.pk): (b, kind) for b, kind, _ in chosen_basins}
    regions = sel.region_names()
    identity = pd.DataFrame.from_records(
        [
            (str(b.pk), kind, code, b.name, b.pk, b.region_id, regions.get(b.region_id or ""))
            for b, kind, code in chosen_basins
        ],
        columns=[p.CANDIDATE_ID, KIND, CODE, p.NAME, BASIN_ID, p.REGION_CODE, REGION],
    )
    communes = _communes()
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
    need = _need(membership=membership, communes=communes, bmo_totals=bmo_totals, basins=basins)
    for part in (identity, summary, need):
        part[p.CANDIDATE_ID] = part[p.CANDIDATE_ID].astype(object)
    identity[BASIN_ID] = identity[BASIN_ID].astype("Int64")
    frame = identity.merge(summary, on=p.CANDIDATE_ID, how="inner").merge(
        need, on=p.CANDIDATE_ID, how="left"
    )
    if frame.empty:
        ranked = frame.assign(**{c: pd.Series(dtype=object) for c in p.FIT_COLUMNS})
        ranked = ranked.assign(**{c: pd.Series(dtype=object) for c in honesty.STANDING_COLUMNS})
    else:
        ranked = p.programme_fit(frame, bounds=bounds, weights=weights)
        ranked = honesty.planning_standing(ranked, weights=weights, bounds=bounds)
    timings["adéquation"] = perf_counter() - t

    recos = _concepts(ranked, basins)
    ids = ranked[p.CANDIDATE_ID].tolist()
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
    ranked[p.COST] = [
        unit_costs.get(c, most_expensive) if c else most_expensive for c in ranked[CONCEPT]
    ]
    ranked[COST_SOURCE] = [
        "concept recommandé" if c in unit_costs else "concept inconnu : le plus coûteux"
        for c in ranked[CONCEPT]
    ]

    t = perf_counter()
    selectable = ranked
    if eligible_only and len(ranked):
        selectable = ranked[ranked[p.ELIGIBLE].fillna(True).astype(bool)]
    selectable = selectable[selectable[p.FIT].notna()]
    selection_input = selectable.assign(**{p.VALUE: selectable[p.FIT].astype(float)})[
        p.SELECTION_INPUT_COLUMNS
    ]
    try:
        selection = p.sites_select(
            selection_input, n=n, budget=budget, min_km=min_km, time_limit_s=time_limit_s
        )
    except ValueError as exc:
        raise PlanningError(str(exc), code="invalid_selection") from exc
    timings["sélection"] = perf_counter() - t
    ranked[SELECTED] = ranked[p.CANDIDATE_ID].isin(set(selection.chosen))
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
        {f"BMO {int(y)}" for y in bmo_totals[p.YEAR].dropna().unique()}
        | {f"chômage {x}" for x in need[p.UNEMPLOYMENT_PERIOD].dropna().unique()}
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


def national_plan_geometries(plan: NationalPlan) -> dict[str, Any]:
    """candidate_id → stored outline of its basin (GeoJSON, WGS84)."""
    ids = [int(b) for b in plan.candidates[BASIN_ID].dropna()]
    outlines = sel.basin_outlines(ids)
    return {
        str(cid): outlines.get(int(bid))
        for cid, bid in zip(plan.candidates[p.CANDIDATE_ID], plan.candidates[BASIN_ID], strict=True)
        if pd.notna(bid) and outlines.get(int(bid)) is not None
    }


CSV_COLUMNS: list[tuple[str, str]] = [
    (p.RANK, "rang national"),
    (REGION, "région"),
    (KIND, "type"),
    (CODE, "code"),
    (p.NAME, "candidat"),
    (p.POPULATION, "population"),
    (p.MAIN_TOWN, "ville principale"),
    (p.MAIN_TOWN_POPULATION, "population de la ville principale"),
    (p.ELIGIBLE, "éligible"),
    (p.NEAREST_SITE, "site Cnam le plus proche"),
    (p.NEAREST_SITE_KM, "distance au site (km)"),
    (p.UNEMPLOYMENT_RATE, "taux de chômage (%)"),
    (p.PROJECTS_PER_1000, "projets de recrutement pour 1 000 hab."),
    (p.DIFFICULTY_RATE, "part des projets difficiles"),
    (p.NEED_SOURCE, "source du besoin"),
    (honesty.STANDING, "classement"),
    (p.FIT, "adéquation (0-100)"),
    (honesty.STANDING_REASON, "pourquoi non classé"),
    (CONCEPT_LABEL, "concept recommandé"),
    (p.COST, "coût retenu (€)"),
    (SELECTED, "retenu"),
]


def _csv_value(column: str, record: Mapping[Any, Any]) -> Any:
    value = _json(record.get(column))
    if column == KIND and value in KIND_LABELS:
        return KIND_LABELS[value]
    if column == p.FIT and value is None and record.get(honesty.STANDING):
        return honesty.INSUFFICIENT
    if column == p.FIT and value is not None:
        return honesty.format_figure(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return "" if value is None else value


def _percent(value: float | None, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value * 100:.{decimals}f} %".replace(".", ",")


def national_plan_csv_rows(plan: NationalPlan) -> list[list[Any]]:
    """Candidates (header, then one row each in national rank order), the table by region, the
    selection's method and its gap to the optimum, and the sources."""
    rows: list[list[Any]] = [[label for _, label in CSV_COLUMNS]]
    for record in plan.candidates.to_dict("records"):
        rows.append([_csv_value(column, record) for column, _ in CSV_COLUMNS])
    rows.append([])
    rows.append(
        [
            "région",
            "candidats",
            "classés",
            "sites retenus",
            "coût (€)",
            "population couverte",
            "part de la population de la région",
            "projets de recrutement couverts",
            "part des projets de la région",
        ]
    )
    for r in plan.regions.to_dict("records"):
        rows.append(
            [
                r[REGION] or r[p.REGION_CODE],
                r[nat.CANDIDATES],
                r[nat.RANKED],
                r[nat.CHOSEN],
                round(float(r[nat.COST])),
                round(float(r[nat.COVERED_POPULATION])),
                _percent(_json(r[nat.POPULATION_SHARE])),
                round(float(r[nat.COVERED_PROJECTS])),
                _percent(_json(r[nat.PROJECTS_SHARE])),
            ]
        )
    s = plan.selection
    if s is not None:
        rows.append([])
        rows.append(["méthode", s.method_label])
        rows.append(["besoin couvert (somme des adéquations)", honesty.format_figure(s.objective)])
        rows.append(["heuristique gloutonne", honesty.format_figure(s.greedy_objective)])
        rows.append(["borne supérieure de l'optimum", honesty.format_figure(s.bound)])
        rows.append(["source de la borne", s.bound_source])
        rows.append(["écart à l'optimum (au plus)", _percent(s.gap_bound)])
        rows.append(["écart de l'heuristique à l'optimum (au plus)", _percent(s.greedy_gap_bound)])
        rows.append(["population couverte (France)", _percent(plan.coverage.population_share)])
        rows.append(
            ["projets de recrutement couverts (France)", _percent(plan.coverage.projects_share)]
        )
    rows.append(["sources", ", ".join(plan.vintages) or "aucune donnée importée"])
    return rows
