"""Recommendation of an implantation concept for a basin: a transparent score per concept, hard
constraints shown apart from it, and a sensitivity analysis. Pure: numpy and pandas only.

The three concepts (`CONCEPTS`) are those of the Cnam call for expressions of interest:
`turnkey` (« clef en main », backed by a vocational or technological lycée), `fab_id` (« Fab ID »,
a tiers-lieu shared with the employment actors, for people far from employment) and
`progressive` (services first, distance learning for employed adults from years 2-3).

How a recommendation is computed (every number below comes from the scoring profile, a plain
mapping validated by `profile_errors`; `DEFAULT_PROFILE` is the one seeded by migration and
justified in docs/adr/0008-recommendation-scoring.md):

Each criterion is declared once, in `criteria.CRITERIA` (label, source, reader, default
normalisation and weights); this module is the engine's entry point (`recommend`, the
explanation texts) on its parts (`criteria`, `criterion_readers`, `raw_values`, `profile`,
`normalisation`, `scores`, `constraints`, `sensitivity`), each name imported from the module
where it lives.

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number

from .constraints import (
    NBSP,
    Constraint,
    HostSummary,
    constraints_check,
)
from .criteria import (
    CONCEPT_LABELS,
    CONCEPTS,
    CRITERIA_BY_CODE,
    PILLARS,
    SOURCES,
)
from .score_columns import (
    CRITERION,
    ESTIMATED,
    LABEL,
    MISSING,
    NORMALISATION,
    NORMALISED,
    NOTE,
    PILLAR,
    PILLAR_LABEL,
    RAW,
    SOURCE,
    UNIT,
    VARIANT,
    VINTAGE,
    contribution_column,
    share_column,
    weight_column,
)
from .scores import (
    concept_coverage,
    concept_scores,
    pillar_scores,
    score_criteria,
)
from .sensitivity import (
    Sensitivity,
    choose,
    rounded,
    sensitivity,
)

ENGINE_VERSION = "1.0"

ROBUST = "robuste"
FRAGILE = "fragile"


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
            "scores": {k: rounded(v) for k, v in self.scores.items()},
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
