"""Honesty rules for every figure and score shown (pages, charts, CSV, API). Pure: no Django.

The rules (docs/honesty.md):

1. A score resting on less than `MIN_KNOWN_WEIGHT_SHARE` of its weights on known data is not
   a number: it is « données insuffisantes », with the missing criteria and how to get them.
   Recommendation: per concept, share = Σ weights of the known criteria / Σ weights (the
   document's `coverage`). Planning: share = Σ pillar weight × known part of the pillar / Σ
   pillar weights (the need pillar is known in proportion to its three indicators' weights).
2. A concept is recommended only when every concept passing its conditions has a conclusive
   score: one cannot say A beats B when B's score is not known well enough.
3. An ineligible candidate is never ranked: it is listed apart, with why; a candidate with
   insufficient data is listed apart too, unranked, with what is missing.
4. ONE rounding rule: `round_figure` (half-up, on the decimal text of the value) and
   `format_figure` (French: narrow no-break space between thousands, decimal comma), used by
   the templates (filter `figure`), the charts and the CSV exports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd

from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_fit as pfit

MIN_KNOWN_WEIGHT_SHARE = 0.6
FIGURE_DECIMALS = 1
INSUFFICIENT = "données insuffisantes"
NNBSP = "\u202f"  # thousands separator (narrow no-break space)
CONCEPTS = ("turnkey", "fab_id", "progressive")

# How to obtain the data of each source of the recommendation's criteria (keys of
# criteria.SOURCES), for the « données insuffisantes » messages.
HOW_TO_GET: dict[str, str] = {
    "bmo": "importer l'enquête Besoins en main-d'œuvre (Données → Imports), puis relancer le "
    "diagnostic du bassin",
    "chomage_ze": "importer les taux de chômage localisés de l'Insee (Données → Imports), puis "
    "relancer le diagnostic",
    "defm": "importer les demandeurs d'emploi A, B, C de France Travail (Données → Imports), "
    "puis relancer le diagnostic",
    "catalogue": "relancer le diagnostic du bassin une fois le catalogue publié (écart "
    "besoins-formations)",
    "indicator": "importer l'indicateur par le CSV générique (Données → Imports)",
    "lycees": "importer l'annuaire de l'éducation ou déclarer les lycées dans les atouts du bassin",
    "hosts": "terminer l'inventaire des structures d'accueil dans les atouts du bassin",
    "partners": "renseigner les partenariats dans les atouts du bassin",
    "referential": "charger le référentiel territorial (populations légales, sites Cnam)",
}


# --- One rounding rule ------------------------------------------------------------------------
def _finite(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def round_figure(value: Any, decimals: int = FIGURE_DECIMALS) -> float | None:
    """`value` rounded half-up to `decimals` on its shortest decimal text (56.05 → 56.1, where
    binary floats give 56.0); None for a missing value."""
    number = _finite(value)
    if number is None:
        return None
    try:
        quantum = Decimal(1).scaleb(-decimals)
        return float(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))
    except InvalidOperation:  # pragma: no cover - a finite float always quantizes
        return number


def format_figure(value: Any, decimals: int = FIGURE_DECIMALS, *, empty: str = "—") -> str:
    """French text of `round_figure(value)`: « 1 234,5 », « −3,0 »; `empty` when missing."""
    rounded = round_figure(value, decimals)
    if rounded is None:
        return empty
    if rounded == 0:
        rounded = 0.0  # no « -0,0 »
    text = f"{abs(rounded):,.{max(decimals, 0)}f}".replace(",", NNBSP).replace(".", ",")
    return ("−" if rounded < 0 else "") + text


# --- Recommendation scores --------------------------------------------------------------------
def _missing_criteria(document: Mapping[str, Any], concept: str | None) -> list[dict[str, Any]]:
    """The missing criteria weighing on `concept` (any concept when None), heaviest first."""
    out = []
    for item in document.get("criteria") or []:
        if not item.get("missing"):
            continue
        weights = item.get("weights") or {}
        if concept is None:
            weight = max((float(weights.get(k) or 0.0) for k in CONCEPTS), default=0.0)
        else:
            weight = float(weights.get(concept) or 0.0)
        if weight <= 0:
            continue
        source = item.get("source") or ""
        out.append(
            {
                "code": item.get("code"),
                "label": item.get("label"),
                "source": source,
                "source_label": item.get("source_label") or source,
                "weight": weight,
                "how": HOW_TO_GET.get(source, "compléter la donnée à sa source"),
            }
        )
    return sorted(out, key=lambda m: (-m["weight"], str(m["code"])))


def score_verdicts(
    document: Mapping[str, Any], *, min_share: float = MIN_KNOWN_WEIGHT_SHARE
) -> dict[str, dict[str, Any]]:
    """Per concept: {score (rounded, None when not conclusive), conclusive, known_share,
    missing (criteria weighing on it), reason (French, why « données insuffisantes »)}."""
    scores = document.get("scores") or {}
    coverage = document.get("coverage") or {}
    out: dict[str, dict[str, Any]] = {}
    for k in CONCEPTS:
        score = _finite(scores.get(k))
        share = _finite(coverage.get(k)) or 0.0
        conclusive = score is not None and share >= min_share - 1e-9
        missing = _missing_criteria(document, k)
        reason = None
        if not conclusive:
            reason = (
                f"{format_figure(share * 100, 0)} % des poids reposent sur des données connues "
                f"(minimum : {format_figure(min_share * 100, 0)} %)"
            )
        out[k] = {
            "score": round_figure(score) if conclusive else None,
            "conclusive": conclusive,
            "known_share": share,
            "missing": missing,
            "reason": reason,
        }
    return out


def honest_document(
    document: Mapping[str, Any], *, min_share: float = MIN_KNOWN_WEIGHT_SHARE
) -> dict[str, Any]:
    """A copy of a recommendation document with the honesty rules applied: `scores` None when
    not conclusive (rounded otherwise), `verdicts` per concept, `conclusive` (every concept's
    score is), `missing` (the missing criteria, heaviest first, with how to get them),
    `min_known_share`; and no `concept` when a concept passing its conditions has no
    conclusive score (the reason is put first in `reasons`)."""
    verdicts = score_verdicts(document, min_share=min_share)
    out = dict(document)
    out["scores"] = {k: v["score"] for k, v in verdicts.items()}
    out["verdicts"] = verdicts
    out["conclusive"] = all(v["conclusive"] for v in verdicts.values())
    out["missing"] = _missing_criteria(document, None)
    out["min_known_share"] = min_share
    eligible = document.get("eligible") or {}
    unsure = [k for k in CONCEPTS if eligible.get(k) and not verdicts[k]["conclusive"]]
    reasons = list(document.get("reasons") or [])
    if document.get("concept") and unsure:
        out["concept"] = None
        out["concept_label"] = None
        out["withheld_concept"] = document.get("concept")
        reasons = [
            "Aucune recommandation ferme : "
            + INSUFFICIENT
            + " pour comparer les concepts qui remplissent leur condition ("
            + ", ".join(
                f"{k} : {format_figure(verdicts[k]['known_share'] * 100, 0)} % des poids connus"
                for k in unsure
            )
            + f" ; minimum : {format_figure(min_share * 100, 0)} %)."
        ]
    elif out.get("concept") and reasons and " : score " in reasons[0]:
        reasons[0] = _choice_reason(out, verdicts)
    out["reasons"] = reasons
    return out


def _choice_reason(document: Mapping[str, Any], verdicts: Mapping[str, Any]) -> str:
    """« Clef en main : score 56,1 sur 100, devant … » with the figures as shown (one rounding
    rule), instead of the engine's text from the unrounded scores."""
    from implantations.analytics.criteria import CONCEPT_LABELS

    concept = str(document["concept"])
    eligible = document.get("eligible") or {}
    text = f"{CONCEPT_LABELS[concept]} : score {format_figure(verdicts[concept]['score'])} sur 100"
    others = sorted(
        (
            k
            for k in CONCEPTS
            if k != concept and eligible.get(k) and verdicts[k]["score"] is not None
        ),
        key=lambda k: -float(verdicts[k]["score"]),
    )
    if others:
        text += ", devant " + ", ".join(
            f"{CONCEPT_LABELS[k]} ({format_figure(verdicts[k]['score'])})" for k in others
        )
    excluded = [k for k in CONCEPTS if not eligible.get(k)]
    if excluded:
        text += " ; condition non remplie : " + ", ".join(CONCEPT_LABELS[k] for k in excluded)
    return text + "."


# --- Planning: fit, eligibility and rank ------------------------------------------------------
KNOWN_SHARE = "known_share"
CONCLUSIVE = "conclusive"
STANDING = "standing"
STANDING_REASON = "standing_reason"
FIT_COMPUTED = "fit_computed"
RANKED = "classé"
UNRANKED_INSUFFICIENT = INSUFFICIENT
UNRANKED_INELIGIBLE = "inéligible"
STANDING_COLUMNS = [KNOWN_SHARE, CONCLUSIVE, STANDING, STANDING_REASON, FIT_COMPUTED]
_STANDING_ORDER = {RANKED: 0, UNRANKED_INSUFFICIENT: 1, UNRANKED_INELIGIBLE: 2}


def _known(value: Any) -> bool:
    return _finite(value) is not None


def _outside(value: Any, low: float, high: float, what: str) -> str | None:
    number = _finite(value)
    if number is None or low <= number <= high:
        return None
    return (
        f"{what} {format_figure(number, 0)} hab. hors des bornes "
        f"({format_figure(low, 0)} à {format_figure(high, 0)})"
    )


def planning_standing(
    fit: pd.DataFrame,
    *,
    weights: pfit.FitWeights | None = None,
    bounds: pfit.FitBounds | None = None,
    min_share: float = MIN_KNOWN_WEIGHT_SHARE,
) -> pd.DataFrame:
    """The ranking of `planning_fit.programme_fit` made honest (STANDING_COLUMNS added):

    - known_share = Σ pillar weight × known part / Σ pillar weights (eligibility: half per
      known population score; need: the weights of its known indicators; access: 0 or 1);
    - standing = « inéligible » when `eligible` is False (standing_reason says which bound),
      else « données insuffisantes » when known_share < min_share (standing_reason says what
      is missing), else « classé »;
    - fit_computed keeps the computed fit; `fit` is emptied for « données insuffisantes » (so
      neither shown nor used for the selection; an ineligible candidate keeps its fit, shown
      apart and never selected); `rank` = 1..n over the « classé » only (NA for the others).

    Sorted: ranked by rank, then insufficient, then ineligible (each by computed fit)."""
    weights = weights or pfit.FitWeights()
    bounds = bounds or pfit.FitBounds()
    out = fit.copy()
    pillar_total = weights.eligibility + weights.need + weights.access
    need_parts = [
        (pc.UNEMPLOYMENT_SCORE, weights.unemployment, "taux de chômage"),
        (pc.PROJECTS_SCORE, weights.projects, "projets de recrutement"),
        (pc.DIFFICULTY_SCORE, weights.difficulty, "difficultés de recrutement"),
    ]
    need_total = sum(w for _, w, _ in need_parts)
    shares: list[float] = []
    standings: list[str] = []
    reasons: list[str | None] = []
    for row in out.to_dict("records"):
        eligibility_known = (
            int(_known(row.get(pc.POPULATION_SCORE))) + int(_known(row.get(pc.MAIN_TOWN_SCORE)))
        ) / 2
        need_known = (
            sum(w for column, w, _ in need_parts if _known(row.get(column))) / need_total
            if need_total > 0
            else 0.0
        )
        access_known = 1.0 if _known(row.get(pc.ACCESS_SCORE)) else 0.0
        share = (
            weights.eligibility * eligibility_known
            + weights.need * need_known
            + weights.access * access_known
        ) / pillar_total
        shares.append(share)
        eligible = row.get(pc.ELIGIBLE)
        if eligible is False or (eligible is not pd.NA and eligible is not None and not eligible):
            why = [
                text
                for text in (
                    _outside(
                        row.get(pc.POPULATION),
                        bounds.population_min,
                        bounds.population_max,
                        "population du bassin",
                    ),
                    _outside(
                        row.get(pc.MAIN_TOWN_POPULATION),
                        bounds.main_town_min,
                        bounds.main_town_max,
                        "ville principale",
                    ),
                )
                if text
            ]
            standings.append(UNRANKED_INELIGIBLE)
            reasons.append("hors des critères d'éligibilité : " + " ; ".join(why or ["bornes"]))
        elif share < min_share - 1e-9 or not _known(row.get(pc.FIT)):
            lacking = []
            if eligibility_known < 1:
                lacking.append("population du bassin ou de sa ville principale")
            lacking += [
                label for column, w, label in need_parts if w > 0 and not _known(row.get(column))
            ]
            if not access_known and weights.access > 0:
                lacking.append("distance au site Cnam le plus proche")
            standings.append(UNRANKED_INSUFFICIENT)
            reasons.append(
                f"{INSUFFICIENT} : {format_figure(share * 100, 0)} % des poids reposent sur "
                f"des données connues (minimum : {format_figure(min_share * 100, 0)} %)"
                + (f" ; manquent : {', '.join(lacking)}" if lacking else "")
                + " — importer l'enquête BMO et les taux de chômage (Données → Imports) ou "
                "calculer le diagnostic du bassin"
            )
        else:
            standings.append(RANKED)
            reasons.append(None)
    out[KNOWN_SHARE] = pd.Series(shares, index=out.index, dtype="float64")
    out[STANDING] = pd.Series(standings, index=out.index, dtype=object)
    out[STANDING_REASON] = pd.Series(reasons, index=out.index, dtype=object)
    out[CONCLUSIVE] = out[KNOWN_SHARE] >= min_share - 1e-9
    out[FIT_COMPUTED] = pd.to_numeric(out[pc.FIT], errors="coerce").astype("Float64")
    out[pc.FIT] = out[FIT_COMPUTED].where(out[STANDING] != UNRANKED_INSUFFICIENT).astype("Float64")
    order = out.assign(
        _standing=out[STANDING].map(_STANDING_ORDER),
        _fit=out[FIT_COMPUTED].fillna(-1.0),
    ).sort_values(["_standing", "_fit", pc.CANDIDATE_ID], ascending=[True, False, True])
    out = order.drop(columns=["_standing", "_fit"]).reset_index(drop=True)
    ranked = out[STANDING] == RANKED
    out[pc.RANK] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.loc[ranked, pc.RANK] = range(1, int(ranked.sum()) + 1)
    return out
