"""Parameters of the skills gap (weights, thresholds) and the French reasons a path gets no
rank or is flagged « la formation n'est pas le levier »."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .columns import (
    C_DIFFICULTY,
    C_JOB_SEEKERS,
    C_PROJECTS,
    C_TENSION,
    C_TREND,
    COMPONENTS,
)

DEFAULT_WEIGHTS: dict[str, float] = {
    C_PROJECTS: 0.35,
    C_DIFFICULTY: 0.25,
    C_TREND: 0.10,
    C_JOB_SEEKERS: 0.15,
    C_TENSION: 0.15,
}
NO_OCCUPATION = (
    "Aucun métier associé (ni code BMO ni code ROME) : le parcours ne peut pas être rapproché "
    "des besoins du bassin."
)
NO_BMO_CODE = (
    "Aucun métier BMO associé (seulement des codes ROME) : le besoin en recrutement ne peut pas "
    "être mesuré."
)
NO_BMO_DATA = "Le diagnostic ne contient pas de projets de recrutement BMO : besoin non mesurable."
NO_PROJECTS = (
    "Aucun projet de recrutement recensé par l'enquête BMO {year} pour ses métiers dans ce "
    "bassin : pas de besoin mesuré."
)
NOT_PUBLISHED = (
    "Projets de recrutement de ses métiers non publiés pour ce bassin en {year} (secret "
    "statistique ou estimation sous le seuil de diffusion) : besoin non mesurable."
)
NOT_THE_LEVER = "La formation n'est pas le levier"
STABLE_TREND = 0.02  # |trend| below 2 %: « stables »
BMO_CODES_PRESENT = "_bmo_codes_present"  # internal: the path lists BMO codes


@dataclass(frozen=True)
class GapParams:
    """Weights of the demand components and the thresholds of the « not the lever » flag."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    trend_cap: float = 0.5
    factor_threshold: float = 4.0
    seasonal_threshold: float = 0.7
    seasonal_min_projects: int = 20
    secrecy_threshold: int = 5

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(COMPONENTS))
        if unknown:
            raise ValueError(
                f"Composante(s) de pondération inconnue(s) : {', '.join(unknown)} "
                f"(possibles : {', '.join(COMPONENTS)})."
            )
        negative = sorted(
            k for k, v in self.weights.items() if not (math.isfinite(float(v)) and v >= 0)
        )
        if negative:
            raise ValueError(f"Poids négatif(s) ou invalide(s) : {', '.join(negative)}.")
        if sum(self.weights.values()) <= 0:
            raise ValueError("La somme des poids doit être strictement positive.")
        if not self.trend_cap > 0:
            raise ValueError("Le plafond de l'évolution doit être strictement positif.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "weights": {k: float(self.weights.get(k, 0.0)) for k in COMPONENTS},
            "trend_cap": self.trend_cap,
            "factor_threshold": self.factor_threshold,
            "seasonal_threshold": self.seasonal_threshold,
            "seasonal_min_projects": self.seasonal_min_projects,
            "secrecy_threshold": self.secrecy_threshold,
        }
