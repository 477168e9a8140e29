"""The choice of the concept and its sensitivity: a seeded Monte Carlo on the weights and the
drop of each weak source (see `scoring`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .criteria import CONCEPTS, SOURCES
from .score_columns import CRITERION, MISSING, NORMALISED, RAW, SOURCE, weight_column
from .scores import concept_scores, score_criteria


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
            "scores": {k: rounded(v) for k, v in self.scores.items()},
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


def rounded(value: float | None, digits: int = 2) -> float | None:
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
