"""The programme fit of a region's candidates: scores of eligibility, need and access to a Cnam
site, weighted into one fit and a rank (`programme_fit`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from implantations.analytics.planning_columns import (
    ACCESS_SCORE,
    CANDIDATE_ID,
    DIFFICULTY_RATE,
    DIFFICULTY_SCORE,
    ELIGIBILITY_SCORE,
    ELIGIBLE,
    FIT,
    FIT_INPUT_COLUMNS,
    MAIN_TOWN_OK,
    MAIN_TOWN_POPULATION,
    MAIN_TOWN_SCORE,
    MISSING,
    NEAREST_SITE_KM,
    NEED_SCORE,
    POPULATION,
    POPULATION_OK,
    POPULATION_SCORE,
    PROJECTS_PER_1000,
    PROJECTS_SCORE,
    RANK,
    UNEMPLOYMENT_RATE,
    UNEMPLOYMENT_SCORE,
    float_or_none,
    require_columns,
)


# --- Fit ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FitBounds:
    """Programme bounds: the basin's population and its main town's (a « ville moyenne »), and
    the distance to a Cnam site from which a basin counts as fully uncovered."""

    population_min: int = 30_000
    population_max: int = 100_000
    main_town_min: int = 10_000
    main_town_max: int = 100_000
    far_km: float = 50.0


MAX_FIT_WEIGHT = 1000.0


@dataclass(frozen=True)
class FitWeights:
    """Weights of the three pillars of the fit, and of the need indicators inside « besoin »."""

    eligibility: float = 0.3
    need: float = 0.5
    access: float = 0.2
    unemployment: float = 1.0
    projects: float = 1.0
    difficulty: float = 1.0

    def check(self) -> None:
        values = {
            "éligibilité": self.eligibility,
            "besoin": self.need,
            "éloignement": self.access,
            "chômage": self.unemployment,
            "projets pour 1 000 habitants": self.projects,
            "taux de difficulté": self.difficulty,
        }
        non_finite = [name for name, value in values.items() if not math.isfinite(value)]
        if non_finite:
            raise ValueError(f"Poids non finis : {', '.join(non_finite)}.")
        too_big = [name for name, value in values.items() if value > MAX_FIT_WEIGHT]
        if too_big:
            raise ValueError(
                f"Poids trop grands (au plus {MAX_FIT_WEIGHT:.0f} ; seuls leurs rapports "
                f"comptent) : {', '.join(too_big)}."
            )
        negative = [name for name, value in values.items() if value < 0]
        if negative:
            raise ValueError(f"Poids négatifs : {', '.join(negative)}.")
        if self.eligibility + self.need + self.access <= 0:
            raise ValueError("Les poids des trois piliers sont tous nuls.")


def band_score(value: float | None, low: float, high: float) -> float | None:
    """1 inside [low, high]; value/low below; high/value above; None when unknown."""
    if value is None:
        return None
    if value < low:
        return max(value, 0.0) / low if low > 0 else 0.0
    if value > high:
        return high / value
    return 1.0


def min_max(values: pd.Series) -> pd.Series:
    """(x − min) / (max − min) over the known values; 0.5 for all when they are all equal."""
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    known = numbers.dropna()
    if known.empty:
        return numbers
    low, high = float(known.min()), float(known.max())
    if high - low <= 0:
        return numbers.where(numbers.isna(), 0.5)
    return (numbers - low) / (high - low)


def _weighted(parts: list[tuple[float | None, float]]) -> float | None:
    known = [(v, w) for v, w in parts if v is not None and w > 0]
    total = sum(w for _, w in known)
    if total <= 0:
        return None
    return sum(v * w for v, w in known) / total


def programme_fit(
    candidates: pd.DataFrame,
    *,
    bounds: FitBounds | None = None,
    weights: FitWeights | None = None,
) -> pd.DataFrame:
    """Programme fit of each candidate, 0–100, with its components (FIT_COLUMNS added):

    - éligibilité = mean of the population and main-town band scores (`band_score`: 1 within
      the bounds, value/min below, max/value above); `eligible` is True when both are within
      the bounds, False when one is outside, NA when a population is unknown;
    - besoin = weighted mean of the unemployment rate, the projects per 1,000 inhabitants and
      the BMO difficulty rate, each normalised min–max over the candidates (`min_max`);
    - éloignement = min(distance to the nearest Cnam site / far_km, 1).

    fit = 100 · Σ weight · pillar / Σ weight over the pillars that could be computed (the
    others are named in `missing`). rank = 1 for the best fit (ties: candidate_id). Input:
    FIT_INPUT_COLUMNS. Sorted by rank."""
    require_columns(candidates, FIT_INPUT_COLUMNS, "les candidats")
    bounds = bounds or FitBounds()
    weights = weights or FitWeights()
    weights.check()
    out = candidates.copy()
    out[UNEMPLOYMENT_SCORE] = min_max(out[UNEMPLOYMENT_RATE])
    out[PROJECTS_SCORE] = min_max(out[PROJECTS_PER_1000])
    out[DIFFICULTY_SCORE] = min_max(out[DIFFICULTY_RATE])

    rows: list[dict[str, object]] = []
    for _, row in out.iterrows():
        population = float_or_none(row[POPULATION])
        town = float_or_none(row[MAIN_TOWN_POPULATION])
        pop_score = band_score(population, bounds.population_min, bounds.population_max)
        town_score = band_score(town, bounds.main_town_min, bounds.main_town_max)
        pop_ok = None if pop_score is None else pop_score == 1.0
        town_ok = None if town_score is None else town_score == 1.0
        eligible: bool | None
        if pop_ok is False or town_ok is False:
            eligible = False
        elif pop_ok is None or town_ok is None:
            eligible = None
        else:
            eligible = True
        eligibility = _weighted([(pop_score, 1.0), (town_score, 1.0)])
        need = _weighted(
            [
                (float_or_none(row[UNEMPLOYMENT_SCORE]), weights.unemployment),
                (float_or_none(row[PROJECTS_SCORE]), weights.projects),
                (float_or_none(row[DIFFICULTY_SCORE]), weights.difficulty),
            ]
        )
        distance = float_or_none(row[NEAREST_SITE_KM])
        access = None if distance is None else min(distance / bounds.far_km, 1.0)
        missing = [
            label
            for label, value in (
                ("éligibilité", eligibility),
                ("besoin", need),
                ("éloignement", access),
            )
            if value is None
        ]
        fit = _weighted(
            [(eligibility, weights.eligibility), (need, weights.need), (access, weights.access)]
        )
        rows.append(
            {
                POPULATION_OK: pop_ok,
                MAIN_TOWN_OK: town_ok,
                ELIGIBLE: eligible,
                POPULATION_SCORE: pop_score,
                MAIN_TOWN_SCORE: town_score,
                ELIGIBILITY_SCORE: eligibility,
                NEED_SCORE: need,
                ACCESS_SCORE: access,
                FIT: None if fit is None else 100 * fit,
                MISSING: ", ".join(missing),
            }
        )
    scores = pd.DataFrame(rows, index=out.index)
    for column in (POPULATION_OK, MAIN_TOWN_OK, ELIGIBLE):
        out[column] = scores[column].astype("boolean")
    for column in (POPULATION_SCORE, MAIN_TOWN_SCORE, ELIGIBILITY_SCORE, NEED_SCORE):
        out[column] = scores[column].astype("Float64")
    out[ACCESS_SCORE] = scores[ACCESS_SCORE].astype("Float64")
    out[FIT] = scores[FIT].astype("Float64")
    out[MISSING] = scores[MISSING].astype(object)
    order = out.assign(_fit=out[FIT].fillna(-1.0)).sort_values(
        ["_fit", CANDIDATE_ID], ascending=[False, True], kind="mergesort"
    )
    out = order.drop(columns="_fit").reset_index(drop=True)
    out[RANK] = pd.Series(range(1, len(out) + 1), dtype="int64")
    return out
