"""The run parameters of the prospective section (issue 17): defaults, French labels, bounds
(checked by `services.diagnostic_params`), and how the section's parts read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from diagnostics.analytics import bridges as br
from diagnostics.analytics import projections as pj
from diagnostics.analytics import saturation as sat

# Run parameters of the section (name → default), with their French labels.
PROSPECTIVE_DEFAULTS: dict[str, Any] = {
    "saturation_min_ratio": sat.SATURATION_MIN_RATIO,
    "saturation_max_tension": sat.SATURATION_MAX_TENSION,
    "saturation_min_job_seekers": sat.SATURATION_MIN_JOB_SEEKERS,
    "bridge_min_tension": br.BRIDGE_MIN_TENSION,
    "projection_horizon": pj.PROJECTION_HORIZON,
    "projection_min_points": pj.PROJECTION_MIN_POINTS,
    "prospective_min_bassin_share": 0.1,
}
PROSPECTIVE_LABELS = {
    "saturation_min_ratio": "nombre minimal de demandeurs par offre d'un métier saturé",
    "saturation_max_tension": "tension publiée maximale d'un métier saturé (1 à 5)",
    "saturation_min_job_seekers": "nombre minimal de demandeurs d'un métier saturé",
    "bridge_min_tension": "tension publiée minimale d'un métier en tension (passerelles, 1 à 5)",
    "projection_horizon": "nombre de périodes projetées",
    "projection_min_points": "nombre minimal de points d'une série projetée",
    "prospective_min_bassin_share": (
        "part minimale de la population du bassin dans un bassin BMO pour en lire les tensions"
    ),
}
# Bounds checked by the parameters' cleaning: (minimum, maximum or None).
PROSPECTIVE_BOUNDS: dict[str, tuple[float, float | None]] = {
    "saturation_min_ratio": (0.0, None),
    "saturation_max_tension": (1, 5),
    "saturation_min_job_seekers": (0, None),
    "bridge_min_tension": (1, 5),
    "projection_horizon": (1, 5),
    "projection_min_points": (pj.PROJECTION_MIN_TRAIN + pj.PROJECTION_MIN_BACKTESTS, None),
    "prospective_min_bassin_share": (0.0, 1.0),
}


def param(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    return PROSPECTIVE_DEFAULTS[name] if value is None else value


def rounded(value: Any, decimals: int = 2) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), decimals)
