"""Regional planning (orchestration of reads and pure analytics; the implantation projects'
writes are in `services.projects`).

`region_plan` ranks the candidate basins of a region by programme fit, adds their
recommended concept and its robustness where it can be computed, and picks N sites under a
budget with a minimum distance between main towns (greedy and integer programming, see
`implantations.analytics.planning`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, Region, User
from diagnostics.selectors import diagnostic_report
from diagnostics.selectors.access import region_list_for
from implantations.analytics import honesty
from implantations.analytics import planning as p
from implantations.models import (
    Concept,
    ProgrammeSettings,
)
from implantations.selectors import planning as sel
from implantations.services.projects import concept_costs_default

logger = logging.getLogger(__name__)


class PlanningError(ApplicationError):
    """A regional planning cannot be computed as asked."""

    code = "planning_error"


# --------------------------------------------------------------------------------------------
# Regional planning
# --------------------------------------------------------------------------------------------

SOURCE_REGISTERED = "registered"
SOURCES: dict[str, str] = {
    p.LEVEL_ZONE_EMPLOI: "Zones d'emploi de la région",
    p.LEVEL_BASSIN_BMO: "Bassins BMO de la région",
    SOURCE_REGISTERED: "Bassins enregistrés",
}

# Extra columns of the planning frame.
KIND = "kind"
CODE = "code"
BASIN_ID = "basin_id"
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
    selection: p.Selection | None
    costs: dict[str, float]
    costs_source: str
    bounds: p.FitBounds
    weights: p.FitWeights
    n: int
    budget: float | None
    min_km: float
    notes: list[str] = field(default_factory=list)
    sites: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=p.SITE_POINT_COLUMNS))
    timings: dict[str, float] = field(default_factory=dict)
    membership: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=p.MEMBERSHIP_COLUMNS)
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
        columns = [
            p.RANK,
            p.CANDIDATE_ID,
            CODE,
            p.NAME,
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
            "region": {"code": self.region.code, "name": self.region.name},
            "source": self.source,
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
            },
            "candidates": [
                {c: _json(row[c]) for c in columns} for row in self.candidates.to_dict("records")
            ],
            "selection": self.selection.as_dict() if self.selection else None,
            "notes": list(self.notes),
        }


def _json(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def _bounds() -> p.FitBounds:
    settings = ProgrammeSettings.objects.filter(pk=1).first() or ProgrammeSettings()
    return p.FitBounds(
        population_min=settings.basin_population_min,
        population_max=settings.basin_population_max,
        main_town_min=settings.main_town_population_min,
        main_town_max=settings.main_town_population_max,
    )


def _region_for(user: User | None, region_code: str) -> Region:
    regions = region_list_for(user) if user is not None else Region.objects.all()
    region = regions.filter(code=str(region_code).strip()).first()
    if region is None:
        raise PlanningError(
            f"Région inconnue ou hors de votre périmètre : « {region_code} ».",
            code="region_not_found",
            extra={"field": "region"},
        )
    return region


def _candidates(
    *, user: User | None, region: Region, source: str, communes: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Basin], list[str]]:
    """(membership, identity frame [candidate_id, kind, code, name, basin_id], basins by
    candidate id, notes)."""
    notes: list[str] = []
    basins: dict[str, Basin] = {}
    if source == SOURCE_REGISTERED:
        if user is None:
            registered = list(
                Basin.objects.filter(region=region, is_reference=False)
                .select_related("main_town")
                .defer("geometry")
                .order_by("name")
            )
        else:
            registered = sel.region_basins_for(user, region)
        basins = {str(b.pk): b for b in registered}
        membership = sel.registered_membership(registered)
        identity = pd.DataFrame.from_records(
            [(str(b.pk), SOURCE_REGISTERED, str(b.pk), b.name, b.pk) for b in registered],
            columns=[p.CANDIDATE_ID, KIND, CODE, p.NAME, BASIN_ID],
        )
        return membership, identity, basins, notes
    membership = p.zone_members(communes, level=source, region_code=region.code)
    codes = sorted(membership[p.CANDIDATE_ID].unique())
    names = sel.zone_names(source, codes)
    linked = sel.zoning_basins(source, codes)
    identity = pd.DataFrame.from_records(
        [
            (
                code,
                source,
                code,
                names.get(code, code),
                linked[code].pk if code in linked else None,
            )
            for code in codes
        ],
        columns=[p.CANDIDATE_ID, KIND, CODE, p.NAME, BASIN_ID],
    )
    basins = dict(linked)
    return membership, identity, basins, notes


def _need(
    *,
    membership: pd.DataFrame,
    communes: pd.DataFrame,
    basins: Mapping[str, Basin],
) -> pd.DataFrame:
    """Need indicators per candidate: the latest finished diagnostic of its basin when there is
    one, else the imported facts moved through the communes."""
    facts = p.candidate_need(
        membership,
        communes,
        bmo_totals=sel.planning_bmo_totals(),
        unemployment=sel.planning_unemployment_latest(),
    ).set_index(p.CANDIDATE_ID)
    sources: dict[str, str] = {}
    for cid in facts.index:
        parts = []
        if pd.notna(facts.loc[cid, p.BMO_YEAR]):
            parts.append(f"BMO {int(facts.loc[cid, p.BMO_YEAR])}")
        if pd.notna(facts.loc[cid, p.UNEMPLOYMENT_PERIOD]):
            parts.append(f"chômage {facts.loc[cid, p.UNEMPLOYMENT_PERIOD]}")
        sources[cid] = "données importées (" + ", ".join(parts) + ")" if parts else "aucune donnée"
    runs = sel.latest_done_runs(b.pk for b in basins.values())
    for cid, basin in basins.items():
        run = runs.get(basin.pk)
        if run is None or cid not in facts.index:
            continue
        need = sel.run_need(run)
        if need is None:
            continue
        for column in (p.UNEMPLOYMENT_RATE, p.PROJECTS_PER_1000, p.DIFFICULTY_RATE):
            if need[column] is not None:
                facts.loc[cid, column] = float(need[column])
        if need[p.UNEMPLOYMENT_PERIOD]:
            facts.loc[cid, p.UNEMPLOYMENT_PERIOD] = need[p.UNEMPLOYMENT_PERIOD]
        if need[p.BMO_YEAR] is not None:
            facts.loc[cid, p.BMO_YEAR] = int(need[p.BMO_YEAR])
        finished = run.finished_at.strftime("%d/%m/%Y") if run.finished_at else ""
        sources[cid] = f"diagnostic n° {run.pk}" + (f" du {finished}" if finished else "")
    facts[p.NEED_SOURCE] = pd.Series(sources, dtype=object)
    return facts.reset_index()


def _recommendations(
    candidates: pd.DataFrame, basins: Mapping[str, Basin], *, user: User | None
) -> dict[str, dict[str, Any]]:
    """candidate_id → {concept, label, robustness, note, recommendation_id} for the candidates
    with a registered basin: its latest recorded recommendation, else one computed now by the
    recommendation service (`implantations.services.recommendation.recommendation_compute`, idempotent: one
    row per set of inputs) — recomputing every basin at each page view would cost about 0.7 s
    a basin. The others get none: the concepts' conditions rest on the hosts and partners
    recorded on a basin."""
    from implantations.models import Recommendation
    from implantations.services.recommendation import recommendation_compute

    out: dict[str, dict[str, Any]] = {}
    for cid in candidates[p.CANDIDATE_ID]:
        basin = basins.get(cid)
        if basin is None:
            continue
        try:
            reco = Recommendation.objects.filter(basin=basin).order_by(
                "-created_at", "-id"
            ).first() or recommendation_compute(basin=basin, user=user)
        except ApplicationError as exc:
            out[cid] = {"concept": None, "note": exc.message}
            continue
        except Exception:  # noqa: BLE001 — one basin's failure must not hide the region's plan
            logger.exception("recommendation of basin %s failed during planning", basin.pk)
            out[cid] = {"concept": None, "note": "recommandation indisponible (erreur de calcul)"}
            continue
        note = None
        honest = honesty.honest_document(reco.document or {})
        concept = reco.concept if honest.get("concept") else None
        if reco.concept and not concept:
            note = "aucune recommandation ferme : données insuffisantes pour comparer les concepts"
        elif not reco.concept:
            eligible = (reco.document or {}).get("eligible") or {}
            note = (
                "aucun concept recommandé : données insuffisantes pour les noter"
                if any(eligible.values())
                else "aucun concept ne remplit sa condition d'implantation (atouts du bassin "
                "à renseigner)"
            )
        out[cid] = {
            "concept": concept or None,
            "label": reco.label or None,
            "robustness": reco.robustness,
            "note": note,
            "recommendation_id": reco.pk,
        }
    return out


def plan_parameters_check(
    *,
    n: int,
    budget: float | None,
    min_km: float,
    costs: Mapping[str, float] | None,
    weights: p.FitWeights | None,
) -> tuple[p.FitWeights, dict[str, float], str]:
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
    weights = weights or p.FitWeights()
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


def region_plan(
    *,
    region_code: str,
    user: User | None = None,
    source: str = p.LEVEL_ZONE_EMPLOI,
    n: int = 5,
    budget: float | None = None,
    min_km: float = 40.0,
    costs: Mapping[str, float] | None = None,
    weights: p.FitWeights | None = None,
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
    region = _region_for(user, region_code)
    bounds = _bounds()
    notes: list[str] = []

    communes = sel.planning_communes_frame()
    timings["communes"] = perf_counter() - start
    membership, identity, basins, extra_notes = _candidates(
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
    need = _need(membership=membership, communes=communes, basins=basins)
    timings["besoin"] = perf_counter() - t
    for part in (identity, summary, need):
        part[p.CANDIDATE_ID] = part[p.CANDIDATE_ID].astype(object)
    identity[BASIN_ID] = identity[BASIN_ID].astype("Int64")
    frame = identity.merge(summary, on=p.CANDIDATE_ID, how="inner").merge(
        need, on=p.CANDIDATE_ID, how="left"
    )
    if frame.empty:
        ranked = frame.assign(**{c: pd.Series(dtype=object) for c in p.FIT_COLUMNS})
    else:
        ranked = p.programme_fit(frame, bounds=bounds, weights=weights)
    # Honesty rules: no fit shown or used on too little data, no ineligible candidate ranked.
    ranked = (
        honesty.planning_standing(ranked, weights=weights, bounds=bounds)
        if len(ranked)
        else ranked.assign(**{c: pd.Series(dtype=object) for c in honesty.STANDING_COLUMNS})
    )

    t = perf_counter()
    recos = _recommendations(ranked, basins, user=user)
    timings["recommandations"] = perf_counter() - t
    ranked[CONCEPT] = [recos.get(cid, {}).get("concept") for cid in ranked[p.CANDIDATE_ID]]
    ranked[CONCEPT_LABEL] = [
        Concept(c).label if c in Concept.values else None for c in ranked[CONCEPT]
    ]
    ranked[ROBUSTNESS] = [recos.get(cid, {}).get("robustness") for cid in ranked[p.CANDIDATE_ID]]
    ranked[ROBUSTNESS_LABEL] = [recos.get(cid, {}).get("label") for cid in ranked[p.CANDIDATE_ID]]
    ranked[CONCEPT_NOTE] = [
        recos.get(cid, {}).get("note")
        or (
            None
            if cid in recos
            else "pas de bassin enregistré : structures d'accueil et partenaires inconnus"
        )
        for cid in ranked[p.CANDIDATE_ID]
    ]
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
    selection = None
    try:
        selection = p.sites_select(
            selectable.assign(**{p.VALUE: selectable[p.FIT].astype(float)})[
                p.SELECTION_INPUT_COLUMNS
            ],
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
    ranked[SELECTED] = ranked[p.CANDIDATE_ID].isin(chosen)
    ranked[GREEDY_SELECTED] = ranked[p.CANDIDATE_ID].isin(greedy)
    if eligible_only:
        ineligible = int((ranked[p.ELIGIBLE] == False).sum())  # noqa: E712
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
    ids = plan.candidates[p.CANDIDATE_ID].astype(str).tolist()
    if plan.source == p.LEVEL_ZONE_EMPLOI:
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
        plan.membership[p.COMMUNE_CODE].unique().tolist()
    )
    outlines = candidate_outlines(plan.membership, geometries)
    _OUTLINES_CACHE[key] = outlines
    while len(_OUTLINES_CACHE) > 8:
        _OUTLINES_CACHE.pop(next(iter(_OUTLINES_CACHE)))
    return outlines


_OUTLINES_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


CSV_COLUMNS: list[tuple[str, str]] = [
    (p.RANK, "rang"),
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
    (p.ELIGIBILITY_SCORE, "score éligibilité (0-1)"),
    (p.NEED_SCORE, "score besoin (0-1)"),
    (p.ACCESS_SCORE, "score éloignement (0-1)"),
    (honesty.STANDING, "classement"),
    (p.FIT, "adéquation (0-100)"),
    (honesty.KNOWN_SHARE, "part des poids sur des données connues (%)"),
    (honesty.STANDING_REASON, "pourquoi non classé"),
    (p.MISSING, "composantes manquantes"),
    (CONCEPT_LABEL, "concept recommandé"),
    (ROBUSTNESS_LABEL, "robustesse"),
    (p.COST, "coût retenu (€)"),
    (SELECTED, "retenu"),
]


def region_plan_csv_rows(plan: RegionPlan) -> list[list[Any]]:
    """Header then one row per candidate, in rank order (for the CSV export)."""
    rows: list[list[Any]] = [[label for _, label in CSV_COLUMNS]]
    for record in plan.candidates.to_dict("records"):
        row = []
        for column, _ in CSV_COLUMNS:
            value = _json(record.get(column))
            if column == p.FIT and value is None and record.get(honesty.STANDING):
                value = honesty.INSUFFICIENT  # not shown as a number (honesty rules)
            elif column == p.FIT and value is not None:
                value = honesty.format_figure(value)
            elif column == honesty.KNOWN_SHARE and value is not None:
                value = honesty.format_figure(float(value) * 100, 0)
            elif isinstance(value, bool):
                value = "oui" if value else "non"
            elif isinstance(value, float):
                value = f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
            row.append("" if value is None else value)
        rows.append(row)
    return rows
