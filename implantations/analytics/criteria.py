"""The criteria of the recommendation score, each declared once (ADR 0010).

A `Criterion` holds its code, pillar, French label, unit and explanation, its source, how its
raw value is read (`kind` of input and the `read` function of `criterion_readers` or
`criterion_asset_readers`) and its
defaults: normalisation and weights per concept (and, for an imported indicator, the indicator
codes to look for). The engine, the profile validation, the charts and the seed of the stored
profile (`default_profile()`, which migration 0004 stores as version 1) all read `CRITERIA`.

Adding a criterion: one `Criterion(...)` below (with its reader if it reads a new field) and its
test; a new version of the stored profile then carries its weights (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import criterion_asset_readers as ar
from . import criterion_readers as r

TURNKEY = "turnkey"
FAB_ID = "fab_id"
PROGRESSIVE = "progressive"
CONCEPTS: tuple[str, ...] = (TURNKEY, FAB_ID, PROGRESSIVE)
CONCEPT_LABELS = {
    TURNKEY: "Clef en main",
    FAB_ID: "Fab ID (tiers-lieu)",
    PROGRESSIVE: "Progressif",
}
# The catalogue's codes of the same concepts (catalogue.Concept).
CATALOGUE_CONCEPT_CODES = {TURNKEY: "clef_en_main", FAB_ID: "fab_id", PROGRESSIVE: "progressif"}

PILLARS: dict[str, str] = {
    "demand": "Demande des employeurs",
    "public": "Publics éloignés de l'emploi",
    "adults": "Actifs en emploi à qualifier",
    "hosts": "Structures d'accueil",
    "access": "Accès et taille du bassin",
    "partners": "Partenaires",
}

SOURCES: dict[str, str] = {
    "bmo": "Enquête Besoins en main-d'œuvre (France Travail)",
    "chomage_ze": "Taux de chômage localisés (Insee)",
    "defm": "Demandeurs d'emploi A, B, C (France Travail)",
    "tensions": "Tensions par métier et bassin (Dares, France Travail) et référentiel ROME",
    "catalogue": "Écart entre besoins et formations du catalogue",
    "indicator": "Indicateurs importés (CSV générique)",
    "lycees": "Annuaire de l'éducation (lycées)",
    "hosts": "Structures d'accueil déclarées par le délégué",
    "partners": "Partenariats déclarés par le délégué",
    "referential": "Référentiel (populations légales, sites Cnam)",
}

# What a reader reads: the inputs class of each kind (criterion_inputs).
DIAGNOSTIC = "diagnostic"  # DiagnosticInputs
CATALOGUE = "catalogue"  # GapInputs
INDICATOR = "indicator"  # IndicatorInputs
ASSETS = "assets"  # AssetInputs
REFERENTIAL = "referential"  # ReferentialInputs
KINDS = (DIAGNOSTIC, CATALOGUE, INDICATOR, ASSETS, REFERENTIAL)


def minmax(low: float, high: float, *, reverse: bool = False) -> dict[str, Any]:
    return {"method": "minmax", "low": low, "high": high, "reverse": reverse}


def steps(*pairs: tuple[float, float]) -> dict[str, Any]:
    return {"method": "steps", "steps": [[t, s] for t, s in pairs]}


def weights(turnkey: float, fab_id: float, progressive: float) -> dict[str, float]:
    return {TURNKEY: turnkey, FAB_ID: fab_id, PROGRESSIVE: progressive}


@dataclass(frozen=True, eq=False)
class Criterion:
    """A criterion of the score: its pillar, French label and unit, the source of its raw
    value (a key of SOURCES), how that value is read and its default normalisation and weights
    (points per concept, 100 in total per concept over CRITERIA)."""

    code: str
    pillar: str
    label: str
    unit: str
    source: str
    decimals: int = 1
    help: str = ""
    short: str = ""  # for the charts
    kind: str = DIAGNOSTIC
    read: Callable[[Any], dict[str, Any] | None] = field(default=r.read_indicator, repr=False)
    weights: Mapping[str, float] = field(default_factory=lambda: weights(0, 0, 0))
    normalisation: Mapping[str, Any] = field(default_factory=lambda: minmax(0, 1))
    indicators: tuple[str, ...] = ()  # imported indicator codes, in order of preference
    # Each indicator has its own scale: a share of the population is not a rate.
    indicator_normalisation: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def short_label(self) -> str:
        return self.short or self.label

    def default_entry(self) -> dict[str, Any]:
        """This criterion's entry in the default profile (plain JSON)."""
        entry: dict[str, Any] = {
            "weights": dict(self.weights),
            "normalisation": _plain(self.normalisation),
        }
        if self.indicators:
            entry["indicators"] = list(self.indicators)
        if self.indicator_normalisation:
            entry["indicator_normalisation"] = _plain(self.indicator_normalisation)
        return entry


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "bmo_projects_per_1000", "demand", "Projets de recrutement pour 1 000 habitants",
        "pour 1 000 hab.", "bmo", 1, "Dernière année de l'enquête BMO.",
        short="Projets / 1 000 hab.",
        kind=DIAGNOSTIC, read=r.read_bmo_projects_per_1000,
        weights=weights(14, 3, 3), normalisation=minmax(15, 60),
    ),
    Criterion(
        "bmo_difficulty_rate", "demand", "Part des projets de recrutement jugés difficiles",
        "%", "bmo", 1, "Σ projets difficiles / Σ projets, dernière année BMO.",
        short="Projets difficiles",
        kind=DIAGNOSTIC, read=r.read_bmo_difficulty_rate,
        weights=weights(10, 3, 2), normalisation=minmax(30, 70),
    ),
    Criterion(
        "bmo_trend", "demand", "Évolution annuelle des projets de recrutement", "% par an",
        "bmo", 1, "Taux annuel moyen entre la première et la dernière année BMO.",
        short="Évolution des projets",
        kind=DIAGNOSTIC, read=r.read_bmo_trend,
        weights=weights(4, 0, 5), normalisation=minmax(-10, 10),
    ),
    Criterion(
        "catalogue_gap", "demand", "Écart besoins-formations des premiers parcours du catalogue",
        "score sur 100", "catalogue", 1,
        "Score d'écart moyen des premiers parcours classés (hors « la formation n'est pas le "
        "levier »).",
        short="Écart du catalogue",
        kind=CATALOGUE, read=r.read_catalogue_gap,
        # The gap score is relative to the best path of the catalogue (its first paths reach
        # 30 almost everywhere): 30 → 90 separates basins.
        weights=weights(10, 4, 5), normalisation=minmax(30, 90),
    ),
    Criterion(
        "unemployment_rate", "public", "Taux de chômage", "%", "chomage_ze", 1,
        "Dernier trimestre publié.",
        short="Chômage",
        kind=DIAGNOSTIC, read=r.read_unemployment_rate,
        weights=weights(3, 10, 0), normalisation=minmax(5, 11),
    ),
    Criterion(
        "unemployment_trend", "public", "Évolution du taux de chômage sur un an", "points",
        "chomage_ze", 1, "Dernier trimestre comparé au même trimestre un an plus tôt.",
        short="Évolution du chômage",
        kind=DIAGNOSTIC, read=r.read_unemployment_trend,
        weights=weights(0, 4, 0), normalisation=minmax(-1, 1),
    ),
    Criterion(
        "job_seekers_per_1000", "public", "Demandeurs d'emploi (A, B, C) pour 1 000 habitants",
        "pour 1 000 hab.", "defm", 1, "Dernier mois publié.",
        short="Demandeurs / 1 000 hab.",
        kind=DIAGNOSTIC, read=r.read_job_seekers_per_1000,
        weights=weights(3, 7, 0), normalisation=minmax(50, 110),
    ),
    Criterion(
        "reconversion_bridges", "public",
        "Demandeurs de métiers saturés proches d'un métier en tension (passerelles)",
        "pour 1 000 hab.", "tensions", 1,
        "Demandeurs d'emploi des métiers saturés du même domaine professionnel ROME qu'un "
        "métier en tension du même bassin BMO, pour 1 000 habitants des bassins BMO : la "
        "matière d'une reconversion, qui plaide pour les concepts progressif et Fab ID.",
        short="Passerelles de reconversion",
        kind=DIAGNOSTIC, read=r.read_reconversion_bridges,
        # 0 → 8: the median bassin BMO has 1.2, the 90th percentile 8.2 (tensions 2021).
        weights=weights(0, 5, 5), normalisation=minmax(0, 8),
    ),
    Criterion(
        "young_job_seekers_share", "public", "Part des moins de 26 ans parmi les demandeurs",
        "%", "indicator", 1, "Indicateur importé, s'il existe.",
        short="Jeunes demandeurs",
        kind=INDICATOR, read=r.read_indicator,
        weights=weights(0, 6, 0), normalisation=minmax(10, 25),
        indicators=("part_demandeurs_moins_26_ans", "part_de_moins_26_ans"),
    ),
    Criterion(
        "neet_share", "public", "Part des jeunes ni en emploi, ni en études, ni en formation",
        "%", "indicator", 1, "Indicateur importé (NEET), s'il existe.",
        short="NEET",
        kind=INDICATOR, read=r.read_indicator,
        weights=weights(0, 7, 0), normalisation=minmax(8, 25),
        indicators=("part_neet", "taux_neet", "neet"),
    ),
    Criterion(
        "dropout_share", "public", "Part des jeunes décrocheurs scolaires", "%", "indicator", 1,
        "Indicateur importé, s'il existe.",
        short="Décrocheurs",
        kind=INDICATOR, read=r.read_indicator,
        weights=weights(0, 6, 0), normalisation=minmax(5, 15),
        indicators=("part_decrocheurs", "taux_decrochage", "decrocheurs"),
    ),
    Criterion(
        "employed_adults", "adults", "Actifs en emploi de 25 à 54 ans", "%", "indicator", 1,
        "Indicateur importé (taux d'emploi ou part des 25-54 ans) ; sans lui, manquant.",
        short="Actifs 25-54 ans",
        kind=INDICATOR, read=r.read_indicator,
        weights=weights(5, 0, 20), normalisation=minmax(70, 88),
        indicators=("taux_emploi_25_54", "part_actifs_occupes_25_54", "part_25_54_ans"),
        indicator_normalisation={
            "part_actifs_occupes_25_54": minmax(25, 40),
            "part_25_54_ans": minmax(32, 40),
        },
    ),
    Criterion(
        "vocational_lycees", "hosts", "Lycées professionnels ou technologiques du bassin",
        "lycées", "lycees", 0,
        "Indicateurs officiels de l'annuaire, ou voies déclarées sur un lycée confirmé.",
        short="Lycées pro. ou techno.",
        kind=ASSETS, read=ar.read_vocational_lycees,
        weights=weights(15, 0, 0), normalisation=minmax(0, 3),
    ),
    Criterion(
        "lycee_distance_km", "hosts",
        "Distance de la ville principale au lycée professionnel ou technologique le plus proche",
        "km", "lycees", 1, "À vol d'oiseau ; le lycée partenaire confirmé s'il y en a un.",
        short="Distance au lycée",
        kind=ASSETS, read=ar.read_lycee_distance_km,
        weights=weights(8, 0, 0), normalisation=minmax(0, 30, reverse=True),
    ),
    Criterion(
        "shared_places", "hosts",
        "Lieux partagés (Mission locale, France Services, tiers-lieu, Maison de l'emploi)",
        "lieux", "hosts", 0, "Structures confirmées par le délégué.",
        short="Lieux partagés",
        kind=ASSETS, read=ar.read_shared_places,
        weights=weights(0, 18, 0), normalisation=minmax(0, 3),
    ),
    Criterion(
        "economic_hosts", "hosts", "Campus, pôles d'entreprises et chambres consulaires",
        "structures", "hosts", 0, "Structures confirmées par le délégué.",
        short="Écosystème économique",
        kind=ASSETS, read=ar.read_economic_hosts,
        weights=weights(2, 0, 20), normalisation=minmax(0, 3),
    ),
    Criterion(
        "cnam_distance_km", "access", "Distance au site Cnam le plus proche", "km",
        "referential", 1, "À vol d'oiseau depuis la ville principale.",
        short="Distance au Cnam",
        kind=REFERENTIAL, read=r.read_cnam_distance_km,
        weights=weights(6, 5, 15), normalisation=minmax(10, 80),
    ),
    Criterion(
        "population", "access", "Population du bassin", "habitants", "referential", 0,
        "Somme des populations légales des communes.",
        short="Population",
        kind=REFERENTIAL, read=r.read_population,
        weights=weights(4, 2, 10), normalisation=minmax(30_000, 100_000),
    ),
    Criterion(
        "epci_commitment", "partners", "Engagement de l'EPCI", "niveau (0 à 3)", "partners", 0,
        "0 aucun, 1 intéressé, 2 engagé par délibération, 3 convention signée.",
        short="Engagement de l'EPCI",
        kind=ASSETS, read=ar.read_epci_commitment,
        weights=weights(6, 6, 7), normalisation=steps((0, 0.0), (1, 0.4), (2, 0.75), (3, 1.0)),
    ),
    Criterion(
        "employer_letters", "partners", "Lettres d'intention d'employeurs", "lettres",
        "partners", 0, "",
        short="Lettres d'employeurs",
        kind=ASSETS, read=ar.read_employer_letters,
        weights=weights(8, 2, 6), normalisation=minmax(0, 5),
    ),
    Criterion(
        "premises_lent", "partners", "Locaux prêtés par la commune", "oui (1) / non (0)",
        "partners", 0, "",
        short="Locaux prêtés",
        kind=ASSETS, read=ar.read_premises_lent,
        weights=weights(2, 12, 2), normalisation=steps((0, 0.0), (1, 1.0)),
    ),
)  # fmt: skip
CRITERIA_BY_CODE: dict[str, Criterion] = {c.code: c for c in CRITERIA}
CRITERION_CODES: tuple[str, ...] = tuple(c.code for c in CRITERIA)

# Profile settings that are not about one criterion (ADR 0008).
DEFAULT_TOP_PATHS = 5
DEFAULT_SENSITIVITY: dict[str, Any] = {
    "draws": 500,
    "spread": 0.2,
    "seed": 20260601,
    "robust_share": 0.8,
    "min_coverage": 0.5,
    # A recommendation resting on no measured demand (no diagnostic) is fragile.
    "required_pillars": ["demand"],
    "weak_sources": ["bmo", "chomage_ze", "defm", "catalogue", "indicator", "lycees", "partners"],
}


def default_profile() -> dict[str, Any]:
    """The default scoring profile (a fresh plain mapping), built from CRITERIA."""
    return {
        "criteria": {c.code: c.default_entry() for c in CRITERIA},
        "top_paths": DEFAULT_TOP_PATHS,
        "sensitivity": _plain(DEFAULT_SENSITIVITY),
    }
