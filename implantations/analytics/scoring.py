"""Recommendation of an implantation concept for a basin: a transparent score per concept, hard
constraints shown apart from it, and a sensitivity analysis. Pure: numpy and pandas only.

The three concepts (`CONCEPTS`) are those of the Cnam call for expressions of interest:
`turnkey` (« clef en main », backed by a vocational or technological lycée), `fab_id` (« Fab ID »,
a tiers-lieu shared with the employment actors, for people far from employment) and
`progressive` (services first, distance learning for employed adults from years 2-3).

How a recommendation is computed (every number below comes from the scoring profile, a plain
mapping validated by `profile_errors`; `DEFAULT_PROFILE` is the one seeded by migration and
justified in docs/adr/0008-recommendation-scoring.md):

1. Criteria (`CRITERIA`), grouped in six pillars (`PILLARS`), each with a raw value in its own
   unit (RAW_COLUMNS: criterion, raw, source, vintage, note, estimated, variant). A raw value
   that is unknown is NaN: the criterion is *missing*, shown as such and never counted as 0.
2. Normalised score in [0, 1] (`normalise`): « minmax » between two documented bounds (clipped,
   optionally reversed: nearer is better) or « steps » (the score of the highest threshold
   reached).
3. Each concept weights the criteria (points, 100 in total per concept in the default profile).
   The weights of the missing criteria are left out and the others renormalised:
       contribution(c, k) = 100 · w(c, k) · s(c) / Σ_{c' known} w(c', k)
       score(k) = Σ_c contribution(c, k)            (0 to 100)
       coverage(k) = Σ_{c known} w(c, k) / Σ_c w(c, k)
4. Hard constraints (`constraints_check`), never hidden in a score: turnkey needs a confirmed
   vocational or technological lycée partner; Fab ID a confirmed shared place (Mission Locale,
   France Services, tiers-lieu, Maison de l'emploi) or premises lent by the town; progressive a
   confirmed host of the economic ecosystem (campus, business hub, chamber) whose premises are
   not declared unable to grow in years 2-3. A concept failing one is not recommendable; its
   score is still shown.
5. Recommended concept: the highest score among the concepts passing their constraints (ties:
   the order of `CONCEPTS`); None, with the reasons, when none passes or none has data.
6. Sensitivity (`sensitivity`): a seeded Monte Carlo draws every weight w(c, k) × U(1 − spread,
   1 + spread) independently (N draws) and counts how often the recommendation holds
   (robustness, 0-1); then each weak source present is dropped in turn (its criteria made
   missing) to see whether it still holds. Label « robuste » when robustness ≥ the profile's
   threshold, the recommendation holds on every drop, the recommended concept's coverage
   reaches the profile's minimum and every required pillar (the demand: no diagnostic, no
   robust recommendation) has data; « fragile » otherwise, with the reasons.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number

ENGINE_VERSION = "1.0"
NBSP = "\u00a0"  # inside French quotation marks « … », never broken from their words

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

ROBUST = "robuste"
FRAGILE = "fragile"

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
    "catalogue": "Écart entre besoins et formations du catalogue",
    "indicator": "Indicateurs importés (CSV générique)",
    "lycees": "Annuaire de l'éducation (lycées)",
    "hosts": "Structures d'accueil déclarées par le délégué",
    "partners": "Partenariats déclarés par le délégué",
    "referential": "Référentiel (populations légales, sites Cnam)",
}


@dataclass(frozen=True)
class Criterion:
    """A criterion of the score: its pillar, French label and unit, and the source of its raw
    value (a key of SOURCES)."""

    code: str
    pillar: str
    label: str
    unit: str
    source: str
    decimals: int = 1
    help: str = ""
    short: str = ""  # for the charts

    @property
    def short_label(self) -> str:
        return self.short or self.label


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "bmo_projects_per_1000", "demand", "Projets de recrutement pour 1 000 habitants",
        "pour 1 000 hab.", "bmo", 1, "Dernière année de l'enquête BMO.",
        short="Projets / 1 000 hab.",
    ),
    Criterion(
        "bmo_difficulty_rate", "demand", "Part des projets de recrutement jugés difficiles",
        "%", "bmo", 1, "Σ projets difficiles / Σ projets, dernière année BMO.",
        short="Projets difficiles",
    ),
    Criterion(
        "bmo_trend", "demand", "Évolution annuelle des projets de recrutement", "% par an",
        "bmo", 1, "Taux annuel moyen entre la première et la dernière année BMO.",
        short="Évolution des projets",
    ),
    Criterion(
        "catalogue_gap", "demand", "Écart besoins-formations des premiers parcours du catalogue",
        "score sur 100", "catalogue", 1,
        "Score d'écart moyen des premiers parcours classés (hors « la formation n'est pas le "
        "levier »).",
        short="Écart du catalogue",
    ),
    Criterion(
        "unemployment_rate", "public", "Taux de chômage", "%", "chomage_ze", 1,
        "Dernier trimestre publié.",
        short="Chômage",
    ),
    Criterion(
        "unemployment_trend", "public", "Évolution du taux de chômage sur un an", "points",
        "chomage_ze", 1, "Dernier trimestre comparé au même trimestre un an plus tôt.",
        short="Évolution du chômage",
    ),
    Criterion(
        "job_seekers_per_1000", "public", "Demandeurs d'emploi (A, B, C) pour 1 000 habitants",
        "pour 1 000 hab.", "defm", 1, "Dernier mois publié.",
        short="Demandeurs / 1 000 hab.",
    ),
    Criterion(
        "young_job_seekers_share", "public", "Part des moins de 26 ans parmi les demandeurs",
        "%", "indicator", 1, "Indicateur importé, s'il existe.",
        short="Jeunes demandeurs",
    ),
    Criterion(
        "neet_share", "public", "Part des jeunes ni en emploi, ni en études, ni en formation",
        "%", "indicator", 1, "Indicateur importé (NEET), s'il existe.",
        short="NEET",
    ),
    Criterion(
        "dropout_share", "public", "Part des jeunes décrocheurs scolaires", "%", "indicator", 1,
        "Indicateur importé, s'il existe.",
        short="Décrocheurs",
    ),
    Criterion(
        "employed_adults", "adults", "Actifs en emploi de 25 à 54 ans", "%", "indicator", 1,
        "Indicateur importé (taux d'emploi ou part des 25-54 ans) ; sans lui, manquant.",
        short="Actifs 25-54 ans",
    ),
    Criterion(
        "vocational_lycees", "hosts", "Lycées professionnels ou technologiques du bassin",
        "lycées", "lycees", 0,
        "Indicateurs officiels de l'annuaire, ou voies déclarées sur un lycée confirmé.",
        short="Lycées pro. ou techno.",
    ),
    Criterion(
        "lycee_distance_km", "hosts",
        "Distance de la ville principale au lycée professionnel ou technologique le plus proche",
        "km", "lycees", 1, "À vol d'oiseau ; le lycée partenaire confirmé s'il y en a un.",
        short="Distance au lycée",
    ),
    Criterion(
        "shared_places", "hosts",
        "Lieux partagés (Mission locale, France Services, tiers-lieu, Maison de l'emploi)",
        "lieux", "hosts", 0, "Structures confirmées par le délégué.",
        short="Lieux partagés",
    ),
    Criterion(
        "economic_hosts", "hosts", "Campus, pôles d'entreprises et chambres consulaires",
        "structures", "hosts", 0, "Structures confirmées par le délégué.",
        short="Écosystème économique",
    ),
    Criterion(
        "cnam_distance_km", "access", "Distance au site Cnam le plus proche", "km",
        "referential", 1, "À vol d'oiseau depuis la ville principale.",
        short="Distance au Cnam",
    ),
    Criterion(
        "population", "access", "Population du bassin", "habitants", "referential", 0,
        "Somme des populations légales des communes.",
        short="Population",
    ),
    Criterion(
        "epci_commitment", "partners", "Engagement de l'EPCI", "niveau (0 à 3)", "partners", 0,
        "0 aucun, 1 intéressé, 2 engagé par délibération, 3 convention signée.",
        short="Engagement de l'EPCI",
    ),
    Criterion(
        "employer_letters", "partners", "Lettres d'intention d'employeurs", "lettres",
        "partners", 0, "",
        short="Lettres d'employeurs",
    ),
    Criterion(
        "premises_lent", "partners", "Locaux prêtés par la commune", "oui (1) / non (0)",
        "partners", 0, "",
        short="Locaux prêtés",
    ),
)  # fmt: skip
CRITERIA_BY_CODE: dict[str, Criterion] = {c.code: c for c in CRITERIA}
CRITERION_CODES: tuple[str, ...] = tuple(c.code for c in CRITERIA)

EPCI_LEVELS = {"aucun": 0, "interesse": 1, "engage": 2, "convention": 3}

# Raw values (one row per criterion) and the scored frame.
CRITERION = "criterion"
RAW = "raw"
SOURCE = "source"
VINTAGE = "vintage"
NOTE = "note"
ESTIMATED = "estimated"
VARIANT = "variant"  # the imported indicator actually used, for the indicator criteria
RAW_COLUMNS = [CRITERION, RAW, SOURCE, VINTAGE, NOTE, ESTIMATED, VARIANT]
PILLAR = "pillar"
PILLAR_LABEL = "pillar_label"
LABEL = "label"
UNIT = "unit"
NORMALISED = "normalised"
MISSING = "missing"
NORMALISATION = "normalisation"  # the rule in French


def weight_column(concept: str) -> str:
    return f"weight_{concept}"


def share_column(concept: str) -> str:
    return f"share_{concept}"


def contribution_column(concept: str) -> str:
    return f"contribution_{concept}"


SCORED_COLUMNS = [
    CRITERION, PILLAR, PILLAR_LABEL, LABEL, UNIT, RAW, NORMALISED, MISSING, NORMALISATION,
    SOURCE, VINTAGE, NOTE, ESTIMATED, VARIANT,
    *(weight_column(k) for k in CONCEPTS),
    *(share_column(k) for k in CONCEPTS),
    *(contribution_column(k) for k in CONCEPTS),
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# The default profile


def _minmax(low: float, high: float, *, reverse: bool = False) -> dict[str, Any]:
    return {"method": "minmax", "low": low, "high": high, "reverse": reverse}


def _w(turnkey: float, fab_id: float, progressive: float) -> dict[str, float]:
    return {TURNKEY: turnkey, FAB_ID: fab_id, PROGRESSIVE: progressive}


DEFAULT_PROFILE: dict[str, Any] = {
    "criteria": {
        "bmo_projects_per_1000": {"weights": _w(14, 3, 3), "normalisation": _minmax(15, 60)},
        "bmo_difficulty_rate": {"weights": _w(10, 3, 2), "normalisation": _minmax(30, 70)},
        "bmo_trend": {"weights": _w(4, 0, 5), "normalisation": _minmax(-10, 10)},
        # The gap score is relative to the best path of the catalogue (its first paths reach
        # 30 almost everywhere): 30 → 90 separates basins.
        "catalogue_gap": {"weights": _w(10, 4, 5), "normalisation": _minmax(30, 90)},
        "unemployment_rate": {"weights": _w(3, 12, 0), "normalisation": _minmax(5, 11)},
        "unemployment_trend": {"weights": _w(0, 4, 0), "normalisation": _minmax(-1, 1)},
        "job_seekers_per_1000": {"weights": _w(3, 10, 0), "normalisation": _minmax(50, 110)},
        "young_job_seekers_share": {
            "weights": _w(0, 6, 0),
            "normalisation": _minmax(10, 25),
            "indicators": ["part_demandeurs_moins_26_ans", "part_de_moins_26_ans"],
        },
        "neet_share": {
            "weights": _w(0, 7, 0),
            "normalisation": _minmax(8, 25),
            "indicators": ["part_neet", "taux_neet", "neet"],
        },
        "dropout_share": {
            "weights": _w(0, 6, 0),
            "normalisation": _minmax(5, 15),
            "indicators": ["part_decrocheurs", "taux_decrochage", "decrocheurs"],
        },
        "employed_adults": {
            "weights": _w(5, 0, 25),
            "normalisation": _minmax(70, 88),
            "indicators": ["taux_emploi_25_54", "part_actifs_occupes_25_54", "part_25_54_ans"],
            # Each indicator has its own scale: a share of the population is not a rate.
            "indicator_normalisation": {
                "part_actifs_occupes_25_54": _minmax(25, 40),
                "part_25_54_ans": _minmax(32, 40),
            },
        },
        "vocational_lycees": {"weights": _w(15, 0, 0), "normalisation": _minmax(0, 3)},
        "lycee_distance_km": {
            "weights": _w(8, 0, 0),
            "normalisation": _minmax(0, 30, reverse=True),
        },
        "shared_places": {"weights": _w(0, 18, 0), "normalisation": _minmax(0, 3)},
        "economic_hosts": {"weights": _w(2, 0, 20), "normalisation": _minmax(0, 3)},
        "cnam_distance_km": {"weights": _w(6, 5, 15), "normalisation": _minmax(10, 80)},
        "population": {"weights": _w(4, 2, 10), "normalisation": _minmax(30_000, 100_000)},
        "epci_commitment": {
            "weights": _w(6, 6, 7),
            "normalisation": {
                "method": "steps",
                "steps": [[0, 0.0], [1, 0.4], [2, 0.75], [3, 1.0]],
            },
        },
        "employer_letters": {"weights": _w(8, 2, 6), "normalisation": _minmax(0, 5)},
        "premises_lent": {
            "weights": _w(2, 12, 2),
            "normalisation": {"method": "steps", "steps": [[0, 0.0], [1, 1.0]]},
        },
    },
    "top_paths": 5,
    "sensitivity": {
        "draws": 500,
        "spread": 0.2,
        "seed": 20260601,
        "robust_share": 0.8,
        "min_coverage": 0.5,
        # A recommendation resting on no measured demand (no diagnostic) is fragile.
        "required_pillars": ["demand"],
        "weak_sources": [
            "bmo",
            "chomage_ze",
            "defm",
            "catalogue",
            "indicator",
            "lycees",
            "partners",
        ],
    },
}


# --------------------------------------------------------------------------------------------
# Profile validation


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _normalisation_errors(rule: Any, where: str) -> list[str]:
    if not isinstance(rule, Mapping):
        return [f"{where} : la normalisation doit être un objet"]
    method = rule.get("method")
    if method == "minmax":
        low, high = rule.get("low"), rule.get("high")
        if not (_number(low) and _number(high)):
            return [f"{where} : bornes « low » et « high » numériques attendues"]
        if not high > low:
            return [f"{where} : « high » ({high}) doit être supérieur à « low » ({low})"]
        if not isinstance(rule.get("reverse", False), bool):
            return [f"{where} : « reverse » doit valoir true ou false"]
        return []
    if method == "steps":
        steps = rule.get("steps")
        if not isinstance(steps, list) or not steps:
            return [f"{where} : liste « steps » de paires [seuil, score] attendue"]
        problems = []
        thresholds = []
        for i, step in enumerate(steps):
            if (
                not isinstance(step, (list, tuple))
                or len(step) != 2
                or not all(_number(v) for v in step)
            ):
                problems.append(f"{where} : palier n° {i + 1} invalide (attendu [seuil, score])")
                continue
            if not 0 <= step[1] <= 1:
                problems.append(f"{where} : palier n° {i + 1}, score {step[1]} hors de [0, 1]")
            thresholds.append(step[0])
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            problems.append(f"{where} : les seuils doivent être strictement croissants")
        return problems
    return [f"{where} : méthode « {method} » inconnue (minmax ou steps)"]


def profile_errors(profile: Any) -> list[str]:
    """Every problem of a scoring profile, in French (empty when valid)."""
    if not isinstance(profile, Mapping):
        return ["Le profil doit être un objet JSON."]
    problems: list[str] = []
    criteria = profile.get("criteria")
    if not isinstance(criteria, Mapping):
        return ["Le profil doit contenir « criteria »."]
    unknown = sorted(set(criteria) - set(CRITERION_CODES))
    if unknown:
        problems.append(
            f"Critère(s) inconnu(s) : {', '.join(unknown)} (possibles : "
            f"{', '.join(CRITERION_CODES)})"
        )
    missing = [code for code in CRITERION_CODES if code not in criteria]
    if missing:
        problems.append(f"Critère(s) absent(s) du profil : {', '.join(missing)}")
    totals = dict.fromkeys(CONCEPTS, 0.0)
    for code in CRITERION_CODES:
        entry = criteria.get(code)
        if entry is None:
            continue
        where = f"critère « {code} »"
        if not isinstance(entry, Mapping):
            problems.append(f"{where} : objet attendu")
            continue
        weights = entry.get("weights")
        if not isinstance(weights, Mapping):
            problems.append(f"{where} : « weights » attendu")
        else:
            for concept in CONCEPTS:
                value = weights.get(concept)
                if not _number(value) or value < 0:
                    problems.append(
                        f"{where} : poids « {concept} » positif ou nul attendu (lu : {value!r})"
                    )
                else:
                    totals[concept] += float(value)
            extra = sorted(set(weights) - set(CONCEPTS))
            if extra:
                problems.append(f"{where} : concept(s) inconnu(s) {', '.join(extra)}")
        problems.extend(_normalisation_errors(entry.get("normalisation"), where))
        indicators = entry.get("indicators")
        if CRITERIA_BY_CODE[code].source == "indicator" and (
            not isinstance(indicators, list)
            or not all(isinstance(i, str) and i for i in indicators)
        ):
            problems.append(f"{where} : liste « indicators » de codes d'indicateur attendue")
        for name, rule in (entry.get("indicator_normalisation") or {}).items():
            problems.extend(_normalisation_errors(rule, f"{where}, indicateur « {name} »"))
    for concept, total in totals.items():
        if total <= 0:
            problems.append(f"Le concept « {concept} » n'a aucun poids strictement positif.")
    top_paths = profile.get("top_paths", 5)
    if not isinstance(top_paths, int) or isinstance(top_paths, bool) or top_paths < 1:
        problems.append("« top_paths » : entier ≥ 1 attendu")
    sens = profile.get("sensitivity")
    if not isinstance(sens, Mapping):
        problems.append("Le profil doit contenir « sensitivity ».")
        return problems
    draws = sens.get("draws")
    if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= 100_000:
        problems.append("sensibilité : « draws » entier entre 1 et 100 000 attendu")
    spread = sens.get("spread")
    if not _number(spread) or not 0 <= spread < 1:
        problems.append("sensibilité : « spread » dans [0, 1[ attendu (0,2 = ±20 %)")
    if not isinstance(sens.get("seed"), int) or isinstance(sens.get("seed"), bool):
        problems.append("sensibilité : « seed » entier attendu")
    for name in ("robust_share", "min_coverage"):
        value = sens.get(name)
        if not _number(value) or not 0 <= value <= 1:
            problems.append(f"sensibilité : « {name} » dans [0, 1] attendu")
    required = sens.get("required_pillars", [])
    if not isinstance(required, list) or not set(required) <= set(PILLARS):
        problems.append(
            f"sensibilité : « required_pillars » : liste de piliers parmi {', '.join(PILLARS)}"
        )
    weak = sens.get("weak_sources")
    if not isinstance(weak, list) or not all(isinstance(s, str) for s in weak):
        problems.append("sensibilité : liste « weak_sources » attendue")
    else:
        unknown_sources = sorted(set(weak) - set(SOURCES))
        if unknown_sources:
            problems.append(
                f"sensibilité : source(s) inconnue(s) {', '.join(unknown_sources)} "
                f"(possibles : {', '.join(SOURCES)})"
            )
    return problems


def profile_check(profile: Mapping[str, Any]) -> None:
    """Raise ValueError listing the problems of `profile`."""
    problems = profile_errors(profile)
    if problems:
        raise ValueError("Profil de notation invalide : " + " ; ".join(problems) + ".")


def profile_weights(profile: Mapping[str, Any]) -> pd.DataFrame:
    """Weights (points) per criterion (index, CRITERIA order) and concept (columns)."""
    criteria = profile["criteria"]
    return pd.DataFrame(
        [[float(criteria[c]["weights"][k]) for k in CONCEPTS] for c in CRITERION_CODES],
        index=pd.Index(CRITERION_CODES, name=CRITERION),
        columns=list(CONCEPTS),
    )


def profile_with_weights(
    profile: Mapping[str, Any], changes: Mapping[tuple[str, str], float]
) -> dict[str, Any]:
    """A copy of `profile` with some weights changed: {(criterion, concept): weight}."""
    out = _deep_copy(profile)
    for (criterion, concept), weight in changes.items():
        out["criteria"][criterion]["weights"][concept] = weight
    return out


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# Normalisation


def normalise(value: float | None, rule: Mapping[str, Any]) -> float | None:
    """Score in [0, 1] of a raw value under a rule (None stays None: missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if rule["method"] == "minmax":
        low, high = float(rule["low"]), float(rule["high"])
        share = min(max((float(value) - low) / (high - low), 0.0), 1.0)
        return 1.0 - share if rule.get("reverse") else share
    score = 0.0
    for threshold, step_score in rule["steps"]:
        if float(value) >= float(threshold):
            score = float(step_score)
    return score


def describe_rule(rule: Mapping[str, Any], *, unit: str = "") -> str:
    """The normalisation rule in French, e.g. « 0 si ≤ 15 ; 1 si ≥ 60 ; linéaire entre
    (pour 1 000 hab.) »."""

    def fmt(v: float) -> str:
        text = format_number(abs(float(v)), decimals=0 if float(v).is_integer() else 2)
        return ("−" if float(v) < 0 else "") + text

    suffix = f" ({unit})" if unit and not unit.startswith("score") else ""
    if rule["method"] == "minmax":
        low, high = fmt(rule["low"]), fmt(rule["high"])
        if rule.get("reverse"):
            return f"1 si ≤ {low} ; 0 si ≥ {high} ; linéaire entre{suffix}"
        return f"0 si ≤ {low} ; 1 si ≥ {high} ; linéaire entre{suffix}"
    steps = " ; ".join(
        f"≥ {fmt(t)} → {format_number(float(s), decimals=2)}" for t, s in rule["steps"]
    )
    return f"paliers : {steps}{suffix}"


def _rule_for(entry: Mapping[str, Any], variant: str | None) -> Mapping[str, Any]:
    if variant:
        special = (entry.get("indicator_normalisation") or {}).get(variant)
        if special:
            return special
    return entry["normalisation"]


# --------------------------------------------------------------------------------------------
# Scoring


def raw_frame(values: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """RAW_COLUMNS, one row per criterion of CRITERIA (in that order), from
    {criterion: {"raw", "source", "vintage", "note", "estimated", "variant"}}; a criterion
    absent from `values` is missing (raw NaN) with the note « donnée absente »."""
    unknown = sorted(set(values) - set(CRITERION_CODES))
    if unknown:
        raise ValueError(f"Critère(s) inconnu(s) : {', '.join(unknown)}")
    rows = []
    for criterion in CRITERIA:
        item = values.get(criterion.code) or {}
        raw = item.get("raw")
        rows.append(
            {
                CRITERION: criterion.code,
                RAW: float(raw) if raw is not None and not pd.isna(raw) else math.nan,
                SOURCE: item.get("source") or criterion.source,
                VINTAGE: item.get("vintage") or "",
                NOTE: item.get("note") or ("" if raw is not None else "donnée absente"),
                ESTIMATED: bool(item.get("estimated", False)),
                VARIANT: item.get("variant") or "",
            }
        )
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def score_criteria(raw: pd.DataFrame, profile: Mapping[str, Any]) -> pd.DataFrame:
    """The scored criteria (SCORED_COLUMNS, CRITERIA order): normalised score, weights, share of
    each weight among the known criteria of the concept and contribution in points.

    Input: RAW_COLUMNS (one row per criterion; others missing). Missing criteria have
    normalised NaN, share 0 and contribution 0 (and `missing` True)."""
    missing_columns = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing_columns:
        raise ValueError(f"Colonnes manquantes dans les valeurs brutes : {missing_columns}")
    profile_check(profile)
    # One pass over the rows (the last one wins for a criterion given twice).
    by_code: dict[Any, dict[Any, Any]] = {row[CRITERION]: row for row in raw.to_dict("records")}
    unknown = sorted(set(by_code) - set(CRITERION_CODES))
    if unknown:
        raise ValueError(f"Critère(s) inconnu(s) : {', '.join(unknown)}")
    criteria = profile["criteria"]
    rows = []
    for criterion in CRITERIA:
        entry = criteria[criterion.code]
        value: float
        source: str
        vintage: str
        note: str
        if criterion.code in by_code:
            item = by_code[criterion.code]
            value = float(item[RAW]) if not pd.isna(item[RAW]) else math.nan
            source, vintage, note = str(item[SOURCE]), str(item[VINTAGE]), str(item[NOTE])
            estimated, variant = bool(item[ESTIMATED]), str(item[VARIANT] or "")
        else:
            value, source, vintage, note = math.nan, criterion.source, "", "donnée absente"
            estimated, variant = False, ""
        rule = _rule_for(entry, variant)
        score = normalise(None if math.isnan(value) else value, rule)
        rows.append(
            {
                CRITERION: criterion.code,
                PILLAR: criterion.pillar,
                PILLAR_LABEL: PILLARS[criterion.pillar],
                LABEL: criterion.label,
                UNIT: criterion.unit,
                RAW: value,
                NORMALISED: math.nan if score is None else score,
                MISSING: score is None,
                NORMALISATION: describe_rule(rule, unit=criterion.unit),
                SOURCE: source,
                VINTAGE: vintage,
                NOTE: note,
                ESTIMATED: estimated,
                VARIANT: variant,
                **{weight_column(k): float(entry["weights"][k]) for k in CONCEPTS},
            }
        )
    frame = pd.DataFrame(rows)
    known = ~frame[MISSING]
    for k in CONCEPTS:
        weights = frame[weight_column(k)]
        total = float(weights[known].sum())
        share = weights.where(known, 0.0) / total if total > 0 else weights * 0.0
        frame[share_column(k)] = share.astype(float)
        frame[contribution_column(k)] = (100.0 * share * frame[NORMALISED].fillna(0.0)).astype(
            float
        )
    return frame[SCORED_COLUMNS]


def concept_scores(scored: pd.DataFrame) -> dict[str, float | None]:
    """Score (0-100) of each concept: Σ contributions; None when no criterion of the concept
    (positive weight) is known."""
    known = ~scored[MISSING]
    out: dict[str, float | None] = {}
    for k in CONCEPTS:
        weights = scored[weight_column(k)]
        if float(weights[known].sum()) <= 0:
            out[k] = None
        else:
            out[k] = float(scored[contribution_column(k)].sum())
    return out


def concept_coverage(scored: pd.DataFrame) -> dict[str, float]:
    """Share of each concept's weights on known criteria (0-1)."""
    known = ~scored[MISSING]
    out = {}
    for k in CONCEPTS:
        weights = scored[weight_column(k)]
        total = float(weights.sum())
        out[k] = float(weights[known].sum()) / total if total > 0 else 0.0
    return out


def pillar_scores(scored: pd.DataFrame) -> pd.DataFrame:
    """Points per pillar (rows, PILLARS order) and concept (columns): the sum of the
    contributions of its criteria, shown beside the total."""
    grouped = scored.groupby(PILLAR, sort=False)[[contribution_column(k) for k in CONCEPTS]].sum()
    grouped.columns = list(CONCEPTS)
    return grouped.reindex(list(PILLARS)).fillna(0.0)


# --------------------------------------------------------------------------------------------
# Constraints


@dataclass(frozen=True)
class HostSummary:
    """What the hard constraints read: the confirmed hosts of the basin.

    `lycee_partners`: names of the confirmed lycées with a vocational or technological path;
    `shared_places`: names of the confirmed shared places; `economic_hosts`: (name, premises can
    grow: True / False / None unknown) of the confirmed campus, business hubs and chambers;
    `town_lends_premises`: True / False / None (not recorded)."""

    lycee_partners: tuple[str, ...] = ()
    shared_places: tuple[str, ...] = ()
    economic_hosts: tuple[tuple[str, bool | None], ...] = ()
    town_lends_premises: bool | None = None


@dataclass(frozen=True)
class Constraint:
    concept: str
    code: str
    label: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "code": self.code,
            "label": self.label,
            "passed": self.passed,
            "reason": self.reason,
        }


def _names(names: Sequence[str]) -> str:
    quoted = [f"«{NBSP}{n}{NBSP}»" for n in names[:3]]
    more = f" et {len(names) - 3} autre{'s' if len(names) > 4 else ''}" if len(names) > 3 else ""
    return ", ".join(quoted) + more


def constraints_check(hosts: HostSummary) -> list[Constraint]:
    """The hard constraint of each concept (CONCEPTS order), passed or failed with its reason."""
    out: list[Constraint] = []
    if hosts.lycee_partners:
        reason = f"Lycée partenaire confirmé : {_names(hosts.lycee_partners)}."
    else:
        reason = (
            "Aucun lycée professionnel ou technologique confirmé comme partenaire dans les atouts "
            "du bassin : le concept clef en main s'adosse à un lycée (enseignants, plateaux "
            "techniques)."
        )
    out.append(
        Constraint(
            TURNKEY,
            "lycee_partner",
            "Adossement à un lycée professionnel ou technologique",
            bool(hosts.lycee_partners),
            reason,
        )
    )
    if hosts.shared_places:
        reason = f"Lieu partagé confirmé : {_names(hosts.shared_places)}."
        if hosts.town_lends_premises:
            reason += " La commune prête aussi des locaux."
        passed = True
    elif hosts.town_lends_premises:
        reason = "Aucun lieu partagé confirmé, mais la commune prête des locaux."
        passed = True
    else:
        reason = (
            "Ni lieu partagé confirmé (Mission locale, France Services, tiers-lieu, Maison de "
            "l'emploi), ni locaux prêtés par la commune"
            + (" (non renseigné)" if hosts.town_lends_premises is None else "")
            + "."
        )
        passed = False
    out.append(
        Constraint(
            FAB_ID,
            "shared_place",
            "Lieu partagé avec les acteurs de l'emploi ou locaux prêtés par la commune",
            passed,
            reason,
        )
    )
    growing = [name for name, grow in hosts.economic_hosts if grow is True]
    unknown = [name for name, grow in hosts.economic_hosts if grow is None]
    fixed = [name for name, grow in hosts.economic_hosts if grow is False]
    if growing:
        reason = f"Structure de l'écosystème économique aux locaux extensibles : {_names(growing)}."
        passed = True
    elif unknown:
        reason = (
            f"Structure de l'écosystème économique confirmée : {_names(unknown)} ; extension des "
            "locaux en années 2 et 3 à vérifier."
        )
        passed = True
    elif fixed:
        reason = (
            f"Les structures confirmées ({_names(fixed)}) ne peuvent pas agrandir les locaux en "
            "années 2 et 3 : la montée en charge progressive n'y tient pas."
        )
        passed = False
    else:
        reason = (
            "Aucun campus, pôle d'entreprises ou chambre consulaire confirmé comme structure "
            "d'accueil."
        )
        passed = False
    out.append(
        Constraint(
            PROGRESSIVE,
            "growth_host",
            "Structure de l'écosystème économique aux locaux extensibles",
            passed,
            reason,
        )
    )
    return out


# --------------------------------------------------------------------------------------------
# Choice and sensitivity


def choose(scores: Mapping[str, float | None], eligible: Mapping[str, bool]) -> str | None:
    """The eligible concept with the highest known score (ties: CONCEPTS order); None."""
    best: str | None = None
    best_score = -math.inf
    for k in CONCEPTS:
        score = scores.get(k)
        if not eligible.get(k) or score is None:
            continue
        if score > best_score + 1e-9:
            best, best_score = k, score
    return best


def _winners(scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Index of the winning concept per row of `scores` (draws × concepts, NaN unknown), -1 when
    none is eligible with a known score. Ties go to the first concept (argmax)."""
    masked = np.where(eligible[None, :] & ~np.isnan(scores), scores, -np.inf)
    # Round so that float noise does not break a tie differently from `choose`.
    masked = np.where(np.isfinite(masked), np.round(masked, 9), masked)
    winners = np.argmax(masked, axis=1)
    none = ~np.isfinite(masked).any(axis=1)
    return np.where(none, -1, winners)


@dataclass
class SourceDrop:
    source: str
    criteria: list[str]
    concept: str | None
    holds: bool
    scores: dict[str, float | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "label": SOURCES.get(self.source, self.source),
            "criteria": self.criteria,
            "concept": self.concept,
            "holds": self.holds,
            "scores": {k: _round(v) for k, v in self.scores.items()},
        }


@dataclass
class Sensitivity:
    """Monte Carlo on the weights and « drop each weak source »."""

    draws: int
    spread: float
    seed: int
    robustness: float  # share of draws where the recommendation holds
    winner_shares: dict[str, float]  # concept (or "none") → share of draws
    drops: list[SourceDrop] = field(default_factory=list)

    @property
    def holds_on_every_drop(self) -> bool:
        return all(d.holds for d in self.drops)

    def as_dict(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "spread": self.spread,
            "seed": self.seed,
            "robustness": round(self.robustness, 4),
            "winner_shares": {k: round(v, 4) for k, v in self.winner_shares.items()},
            "drops": [d.as_dict() for d in self.drops],
            "holds_on_every_drop": self.holds_on_every_drop,
        }


def monte_carlo(
    scored: pd.DataFrame,
    eligible: Mapping[str, bool],
    *,
    draws: int,
    spread: float,
    seed: int,
) -> dict[str, float]:
    """Share of draws won by each concept (and "none") when every weight w(c, k) is multiplied
    by an independent U(1 − spread, 1 + spread); missing criteria stay excluded and the weights
    renormalised in each draw. Deterministic for a given seed."""
    weights = scored[[weight_column(k) for k in CONCEPTS]].to_numpy(dtype=float)
    values = scored[NORMALISED].to_numpy(dtype=float)
    known = ~np.isnan(values)
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, *weights.shape))
    drawn = factors * weights[None, :, :]
    numerator = np.einsum("nck,c->nk", drawn, np.where(known, values, 0.0))
    denominator = np.einsum("nck,c->nk", drawn, known.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(denominator > 0, 100.0 * numerator / denominator, np.nan)
    flags = np.array([bool(eligible.get(k)) for k in CONCEPTS])
    winners = _winners(scores, flags)
    shares = {k: float(np.mean(winners == i)) for i, k in enumerate(CONCEPTS)}
    shares["none"] = float(np.mean(winners == -1))
    return shares


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def sensitivity(
    raw: pd.DataFrame,
    scored: pd.DataFrame,
    eligible: Mapping[str, bool],
    concept: str | None,
    profile: Mapping[str, Any],
) -> Sensitivity:
    """Monte Carlo on the weights and the drop of each weak source present (see the module
    docstring). `scored` is `score_criteria(raw, profile)`."""
    sens = profile["sensitivity"]
    shares = monte_carlo(
        scored,
        eligible,
        draws=int(sens["draws"]),
        spread=float(sens["spread"]),
        seed=int(sens["seed"]),
    )
    robustness = shares["none" if concept is None else concept]
    drops: list[SourceDrop] = []
    present = scored[~scored[MISSING]]
    for source in sens["weak_sources"]:
        codes = present.loc[present[SOURCE] == source, CRITERION].tolist()
        if not codes:
            continue
        reduced = raw.copy()
        reduced.loc[reduced[CRITERION].isin(codes), RAW] = math.nan
        rescored = score_criteria(reduced, profile)
        scores = concept_scores(rescored)
        chosen = choose(scores, eligible)
        drops.append(SourceDrop(source, codes, chosen, chosen == concept, scores))
    return Sensitivity(
        draws=int(sens["draws"]),
        spread=float(sens["spread"]),
        seed=int(sens["seed"]),
        robustness=robustness,
        winner_shares=shares,
        drops=drops,
    )


# --------------------------------------------------------------------------------------------
# The recommendation


@dataclass
class RecommendationResult:
    """Everything the page, the command and the API show (`as_document()` is JSON-safe)."""

    concept: str | None
    scores: dict[str, float | None]
    coverage: dict[str, float]
    eligible: dict[str, bool]
    constraints: list[Constraint]
    criteria: pd.DataFrame  # SCORED_COLUMNS
    pillars: pd.DataFrame
    sensitivity: Sensitivity
    label: str
    reasons: list[str]  # why this concept, or why none; why fragile
    thresholds: dict[str, float] = field(default_factory=dict)  # robust_share, min_coverage

    @property
    def robustness(self) -> float:
        return self.sensitivity.robustness

    def as_document(self) -> dict[str, Any]:
        return {
            "engine_version": ENGINE_VERSION,
            "concept": self.concept,
            "concept_label": CONCEPT_LABELS.get(self.concept or ""),
            "scores": {k: _round(v) for k, v in self.scores.items()},
            "coverage": {k: round(v, 4) for k, v in self.coverage.items()},
            "eligible": dict(self.eligible),
            "constraints": [c.as_dict() for c in self.constraints],
            "criteria": criteria_records(self.criteria),
            "pillars": {
                pillar: {k: round(float(self.pillars.loc[pillar, k]), 2) for k in CONCEPTS}
                for pillar in self.pillars.index
            },
            "robustness": round(self.robustness, 4),
            "label": self.label,
            "thresholds": dict(self.thresholds),
            "reasons": list(self.reasons),
            "sensitivity": self.sensitivity.as_dict(),
        }


def _json(value: Any, digits: int = 4) -> Any:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) else round(float(value), digits)
    return value


def criteria_records(scored: pd.DataFrame) -> list[dict[str, Any]]:
    """The scored criteria as JSON-safe records (weights and contributions per concept)."""
    out = []
    for row in scored.to_dict("records"):
        out.append(
            {
                "code": row[CRITERION],
                "pillar": row[PILLAR],
                "pillar_label": row[PILLAR_LABEL],
                "label": row[LABEL],
                "unit": row[UNIT],
                "decimals": CRITERIA_BY_CODE[row[CRITERION]].decimals,
                "raw": _json(row[RAW]),
                "normalised": _json(row[NORMALISED]),
                "missing": bool(row[MISSING]),
                "normalisation": row[NORMALISATION],
                "source": row[SOURCE],
                "source_label": SOURCES.get(row[SOURCE], row[SOURCE]),
                "vintage": row[VINTAGE],
                "note": row[NOTE],
                "estimated": bool(row[ESTIMATED]),
                "variant": row[VARIANT] or None,
                "weights": {k: _json(row[weight_column(k)]) for k in CONCEPTS},
                "shares": {k: _json(row[share_column(k)]) for k in CONCEPTS},
                "contributions": {k: _json(row[contribution_column(k)]) for k in CONCEPTS},
            }
        )
    return out


def recommend(
    raw: pd.DataFrame, hosts: HostSummary, profile: Mapping[str, Any]
) -> RecommendationResult:
    """Score the three concepts, check their constraints, choose, and test the choice.

    Input: RAW_COLUMNS (see `raw_frame`), the confirmed hosts, a valid profile.
    Raises ValueError for an invalid profile or unknown criteria."""
    scored = score_criteria(raw, profile)
    scores = concept_scores(scored)
    coverage = concept_coverage(scored)
    constraints = constraints_check(hosts)
    eligible = {k: all(c.passed for c in constraints if c.concept == k) for k in CONCEPTS}
    concept = choose(scores, eligible)
    reasons: list[str] = []
    if concept is None:
        if not any(eligible.values()):
            reasons.append(
                "Aucun concept ne remplit sa condition d'implantation : "
                + " ".join(c.reason for c in constraints if not c.passed)
            )
        else:
            reasons.append(
                "Aucune donnée ne permet de noter les concepts dont la condition est remplie."
            )
    else:
        others = sorted(
            (k for k in CONCEPTS if k != concept and eligible[k] and scores[k] is not None),
            key=lambda k: -(scores[k] or 0.0),
        )
        text = (
            f"{CONCEPT_LABELS[concept]} : score {format_number(scores[concept] or 0, decimals=1)}"
            " sur 100"
        )
        if others:
            text += ", devant " + ", ".join(
                f"{CONCEPT_LABELS[k]} ({format_number(scores[k] or 0, decimals=1)})" for k in others
            )
        excluded = [k for k in CONCEPTS if not eligible[k]]
        if excluded:
            text += " ; condition non remplie : " + ", ".join(CONCEPT_LABELS[k] for k in excluded)
        reasons.append(text + ".")
    sens = sensitivity(raw, scored, eligible, concept, profile)
    settings = profile["sensitivity"]
    fragile: list[str] = []
    if sens.robustness < float(settings["robust_share"]):
        fragile.append(
            f"la recommandation ne tient que dans {format_number(sens.robustness * 100)} % des "
            f"tirages (seuil : {format_number(float(settings['robust_share']) * 100)} %)"
        )
    failed = [d for d in sens.drops if not d.holds]
    if failed:
        fragile.append(
            "elle change sans "
            + ", ".join(f"«{NBSP}{SOURCES.get(d.source, d.source)}{NBSP}»" for d in failed)
        )
    if concept is not None and coverage[concept] < float(settings["min_coverage"]):
        fragile.append(
            f"seuls {format_number(coverage[concept] * 100)} % de ses poids reposent sur des "
            f"données connues (minimum : {format_number(float(settings['min_coverage']) * 100)} %)"
        )
    if concept is not None:
        known = scored[~scored[MISSING] & (scored[weight_column(concept)] > 0)]
        for pillar in settings.get("required_pillars", []):
            if not (known[PILLAR] == pillar).any():
                fragile.append(
                    f"aucune donnée pour le pilier « {PILLARS[pillar]} » (diagnostic absent ou "
                    "incomplet)"
                )
    label = FRAGILE if fragile else ROBUST
    if fragile:
        reasons.append("Fragile : " + " ; ".join(fragile) + ".")
    return RecommendationResult(
        concept=concept,
        scores=scores,
        coverage=coverage,
        eligible=eligible,
        constraints=constraints,
        criteria=scored,
        pillars=pillar_scores(scored),
        sensitivity=sens,
        label=label,
        reasons=reasons,
        thresholds={
            "robust_share": float(settings["robust_share"]),
            "min_coverage": float(settings["min_coverage"]),
        },
    )


# --------------------------------------------------------------------------------------------
# Raw values from a diagnostic document and from the basin's assets


def _last_known(items: Iterable[Mapping[str, Any]], key: str) -> Mapping[str, Any] | None:
    last = None
    for item in items:
        if item.get(key) is not None:
            last = item
    return last


def diagnostic_raw_values(
    document: Mapping[str, Any] | None, *, population: int | None, vintages: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """Raw values of the demand and public criteria from a diagnostic run's document (the
    engine's `years`, `unemployment` and `job_seekers`). `vintages`: source key → text (« BMO
    2023, 2024, 2025 »). Criteria the document cannot give are absent (missing)."""
    out: dict[str, dict[str, Any]] = {}
    if not document:
        return out
    years = document.get("years") or {}
    bmo_years = sorted(
        int(y) for y, v in years.items() if (v or {}).get("bmo_projects") is not None
    )
    vintage_bmo = vintages.get("bmo", "")
    if bmo_years:
        last = years[str(bmo_years[-1])]
        estimated = bool(last.get("bmo_estimated"))
        per_1000 = last.get("bmo_projects_per_1000")
        if per_1000 is None and population:
            per_1000 = float(last["bmo_projects"]) * 1000 / population
        note = f"BMO {bmo_years[-1]}"
        if estimated:
            note += ", estimé : réparti depuis les bassins BMO au prorata de la population"
            coverage = last.get("bmo_coverage")
            if coverage is not None and float(coverage) < 0.995:
                note += f" (couverture {format_number(float(coverage) * 100)} %)"
        out["bmo_projects_per_1000"] = {
            "raw": per_1000,
            "source": "bmo",
            "vintage": vintage_bmo,
            "note": note,
            "estimated": estimated,
        }
        if last.get("bmo_difficulty_rate") is not None:
            out["bmo_difficulty_rate"] = {
                "raw": float(last["bmo_difficulty_rate"]) * 100,
                "source": "bmo",
                "vintage": vintage_bmo,
                "note": note,
                "estimated": estimated,
            }
        if len(bmo_years) >= 2:
            first_year, last_year = bmo_years[0], bmo_years[-1]
            first = float(years[str(first_year)]["bmo_projects"])
            final = float(last["bmo_projects"])
            if first > 0 and final > 0:
                rate = (final / first) ** (1 / (last_year - first_year)) - 1
                out["bmo_trend"] = {
                    "raw": rate * 100,
                    "source": "bmo",
                    "vintage": vintage_bmo,
                    "note": f"de {first_year} à {last_year}",
                    "estimated": estimated,
                }
    series = [u for u in document.get("unemployment") or [] if u.get("rate") is not None]
    if series:
        last_u = series[-1]
        vintage = vintages.get("chomage_ze", "")
        out["unemployment_rate"] = {
            "raw": float(last_u["rate"]),
            "source": "chomage_ze",
            "vintage": vintage,
            "note": str(last_u["period"]),
            "estimated": bool(last_u.get("estimated")),
        }
        year, _, quarter = str(last_u["period"]).partition("-")
        before = next(
            (u for u in series if year.isdigit() and u["period"] == f"{int(year) - 1}-{quarter}"),
            None,
        )
        if before is not None:
            out["unemployment_trend"] = {
                "raw": float(last_u["rate"]) - float(before["rate"]),
                "source": "chomage_ze",
                "vintage": vintage,
                "note": f"{before['period']} → {last_u['period']}",
                "estimated": bool(last_u.get("estimated")),
            }
    seekers = _last_known(document.get("job_seekers") or [], "value")
    if seekers is not None and population:
        note = str(seekers["period"])
        if seekers.get("estimated") and seekers.get("coverage") is not None:
            note += (
                f", estimé (communes publiées : {format_number(float(seekers['coverage']) * 100)}"
                " % de la population)"
            )
        out["job_seekers_per_1000"] = {
            "raw": float(seekers["value"]) * 1000 / population,
            "source": "defm",
            "vintage": vintages.get("defm", ""),
            "note": note,
            "estimated": bool(seekers.get("estimated")),
        }
    return out


def gap_raw_value(
    scores: Sequence[float], *, top: int, ranked: int, vintage: str = ""
) -> dict[str, dict[str, Any]]:
    """The catalogue criterion: mean gap score of the first `top` ranked paths that are not
    flagged « la formation n'est pas le levier » (`scores`, in rank order)."""
    first = [float(s) for s in scores[:top] if s is not None and not math.isnan(float(s))]
    if not first:
        return {}
    return {
        "catalogue_gap": {
            "raw": sum(first) / len(first),
            "source": "catalogue",
            "vintage": vintage,
            "note": f"moyenne des {len(first)} premiers parcours sur {ranked} classés",
        }
    }


def _count_or_missing(count: int, *, inventoried: bool) -> float | None:
    return float(count) if count or inventoried else None


def asset_raw_values(
    *,
    lycees_known: bool,
    vocational_lycees: int,
    lycees_unknown_flags: int,
    nearest_lycee_km: float | None,
    nearest_lycee_name: str = "",
    lycees_vintage: str = "",
    shared_places: int,
    economic_hosts: int,
    inventory_done: bool,
    epci_level: int | None,
    letters: int | None,
    premises_lent: bool | None,
    partners_updated: str = "",
) -> dict[str, dict[str, Any]]:
    """Raw values of the host and partner criteria.

    `lycees_known`: the lycées of the basin are known (an imported annuaire, or lycées declared
    by the delegate); `lycees_unknown_flags`: lycées whose vocational / technological path is
    not published. Counts of declared hosts are 0 only when the delegate marked the inventory
    done; otherwise, without any host, they are missing. `epci_level` None, `letters` None and
    `premises_lent` None are missing (not recorded)."""
    out: dict[str, dict[str, Any]] = {}
    if lycees_known and (vocational_lycees or not lycees_unknown_flags):
        out["vocational_lycees"] = {
            "raw": float(vocational_lycees),
            "source": "lycees",
            "vintage": lycees_vintage,
            "note": (
                f"dont {lycees_unknown_flags} lycée{'s' if lycees_unknown_flags > 1 else ''} "
                "sans voie publiée, non compté" + ("s" if lycees_unknown_flags > 1 else "")
                if lycees_unknown_flags
                else ""
            ),
        }
    elif lycees_known:
        out["vocational_lycees"] = {
            "raw": None,
            "source": "lycees",
            "vintage": lycees_vintage,
            "note": (
                f"{lycees_unknown_flags} lycée{'s' if lycees_unknown_flags > 1 else ''} sans "
                "indicateur officiel de voie professionnelle ou technologique : confirmez-les "
                "dans les atouts du bassin"
            ),
        }
    if not lycees_known:
        out["vocational_lycees"] = {
            "raw": None,
            "source": "lycees",
            "note": "annuaire des lycées non importé et aucun lycée déclaré",
        }
    out["lycee_distance_km"] = {
        "raw": nearest_lycee_km,
        "source": "lycees",
        "vintage": lycees_vintage,
        "note": (
            nearest_lycee_name
            if nearest_lycee_km is not None
            else "aucun lycée professionnel ou technologique connu et localisé"
        ),
    }
    inventory_note = "" if inventory_done else "inventaire des structures non terminé"
    for code, count in (("shared_places", shared_places), ("economic_hosts", economic_hosts)):
        value = _count_or_missing(count, inventoried=inventory_done)
        out[code] = {
            "raw": value,
            "source": "hosts",
            "vintage": partners_updated,
            "note": inventory_note if value is None else "",
        }
    out["epci_commitment"] = {
        "raw": epci_level,
        "source": "partners",
        "vintage": partners_updated,
        "note": "" if epci_level is not None else "non renseigné",
    }
    out["employer_letters"] = {
        "raw": letters,
        "source": "partners",
        "vintage": partners_updated,
        "note": "" if letters is not None else "non renseigné",
    }
    out["premises_lent"] = {
        "raw": None if premises_lent is None else float(premises_lent),
        "source": "partners",
        "vintage": partners_updated,
        "note": "" if premises_lent is not None else "non renseigné",
    }
    return out


def indicator_raw_value(
    criterion: str,
    *,
    variant: str,
    value: float | None,
    period: str,
    level: str,
    coverage: float | None = None,
    vintage: str = "",
) -> dict[str, dict[str, Any]]:
    """An indicator criterion from an imported indicator (`variant` is its code)."""
    note = f"{variant}, {period}, niveau {level}"
    if coverage is not None and coverage < 1:
        note += f", communes couvertes : {format_number(coverage * 100)} % de la population"
    return {
        criterion: {
            "raw": value,
            "source": "indicator",
            "vintage": vintage,
            "note": note,
            "estimated": level not in ("commune",) and level != "basin",
            "variant": variant,
        }
    }


# Imported indicators: levels from the finest to the coarsest, and the crosswalk column giving
# each commune's code at that level (diagnostics.analytics.columns).
INDICATOR_LEVELS: tuple[tuple[str, str], ...] = (
    ("commune", "commune_code"),
    ("epci", "epci_code"),
    ("zone_emploi", "zone_emploi_code"),
    ("bassin_bmo", "bassin_bmo_code"),
    ("departement", "departement_code"),
    ("region", "region_code"),
)
INDICATOR_FACT_COLUMNS = ["level", "code", "period", "indicator", "value", "vintage"]
MIN_INDICATOR_COVERAGE = 0.5


def _code_key(level: str, code: Any) -> str:
    text = str(code).strip()
    return text.lstrip("0") or "0" if level == "bassin_bmo" else text


def basin_indicator(
    facts: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    indicators: Sequence[str],
    min_coverage: float = MIN_INDICATOR_COVERAGE,
) -> dict[str, Any] | None:
    """The value for the basin of the first of `indicators` found, at the finest level where it
    covers at least `min_coverage` of the basin's population.

    Inputs: `facts` INDICATOR_FACT_COLUMNS (imported values; NA = secret); `communes`: the
    basin's communes with `commune_code`, `population` and their code at each level
    (`epci_code`, `zone_emploi_code`, ... as in the diagnostics crosswalk). Each commune takes
    the value of its territory (latest period of that indicator and level) and the basin's
    value is their population-weighted mean (a share or a rate: the population weights it).
    Output: {"variant", "value", "period", "level", "coverage", "vintage"} or None."""
    require = [c for c in INDICATOR_FACT_COLUMNS if c not in facts.columns]
    if require:
        raise ValueError(f"Colonnes manquantes dans les indicateurs : {require}")
    if facts.empty or communes.empty:
        return None
    weights = pd.to_numeric(communes["population"], errors="coerce").fillna(0.0).astype(float)
    total = float(weights.sum())
    if total <= 0:
        return None
    known = facts[facts["value"].notna()]
    for indicator in indicators:
        rows = known[known["indicator"] == indicator]
        if rows.empty:
            continue
        for level, column in INDICATOR_LEVELS:
            at_level = rows[rows["level"] == level]
            if at_level.empty or column not in communes.columns:
                continue
            period = str(at_level["period"].astype(str).max())
            latest = at_level[at_level["period"].astype(str) == period]
            values = {
                _code_key(level, c): float(v)
                for c, v in zip(latest["code"], latest["value"], strict=True)
            }
            keys = communes[column].map(
                lambda c, lv=level: None if pd.isna(c) else _code_key(lv, c)
            )
            commune_values = keys.map(values).astype(float)
            covered = commune_values.notna()
            coverage = float(weights[covered].sum()) / total
            if coverage < min_coverage or float(weights[covered].sum()) <= 0:
                continue
            value = float((commune_values[covered] * weights[covered]).sum()) / float(
                weights[covered].sum()
            )
            vintages = sorted({str(v) for v in latest["vintage"] if str(v)})
            return {
                "variant": indicator,
                "value": value,
                "period": period,
                "level": level,
                "coverage": coverage,
                "vintage": ", ".join(vintages),
            }
    return None
