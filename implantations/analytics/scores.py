"""Scoring: the raw values frame, the normalised and weighted criteria, the concept scores,
coverage and points per pillar (see `scoring` for the formulas)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .criteria import CONCEPTS, CRITERIA, CRITERION_CODES, PILLARS
from .normalisation import describe_rule, normalise, rule_for
from .profile import profile_check
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
    RAW_COLUMNS,
    SCORED_COLUMNS,
    SOURCE,
    UNIT,
    VARIANT,
    VINTAGE,
    contribution_column,
    share_column,
    weight_column,
)


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
        rule = rule_for(entry, variant)
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
