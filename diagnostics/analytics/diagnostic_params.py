"""The parameters of a diagnostic run, as the engine reads them (recorded with the run; the
service checks the values a user sends: `services.diagnostic_params`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from .bmo import (
    TENSION_MIN_PROJECTS,
    TENSION_MIN_YEARS,
    TENSION_THRESHOLD,
)
from .bridges import BRIDGE_MIN_TENSION
from .peers import SIZE_BAND_EDGES
from .projections import PROJECTION_HORIZON, PROJECTION_MIN_POINTS
from .saturation import (
    SATURATION_MAX_TENSION,
    SATURATION_MIN_JOB_SEEKERS,
    SATURATION_MIN_RATIO,
)
from .structure import LQ_THRESHOLD


@dataclass(frozen=True)
class DiagnosticParams:
    """Parameters of a run (recorded with it)."""

    tension_threshold: float = TENSION_THRESHOLD
    tension_min_projects: int = TENSION_MIN_PROJECTS
    tension_min_years: int = TENSION_MIN_YEARS
    top_n: int = 10
    lq_threshold: float = LQ_THRESHOLD
    # BMO cells under 5 projects are published as `*`: no derived figure below it is shown.
    bmo_threshold: int = 5
    job_seekers_threshold: int = 5
    job_seekers_category: str = "ABC"
    size_band_edges: tuple[int, ...] = SIZE_BAND_EDGES
    # Prospective (issue 17): saturated métiers, bridges, projections.
    saturation_min_ratio: float = SATURATION_MIN_RATIO
    saturation_max_tension: int = SATURATION_MAX_TENSION
    saturation_min_job_seekers: int = SATURATION_MIN_JOB_SEEKERS
    bridge_min_tension: int = BRIDGE_MIN_TENSION
    projection_horizon: int = PROJECTION_HORIZON
    projection_min_points: int = PROJECTION_MIN_POINTS
    # Bassins BMO holding less of the basin's population are named, not read (tensions).
    prospective_min_bassin_share: float = 0.1

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["size_band_edges"] = list(self.size_band_edges)
        return data

    @classmethod
    def from_stored(cls, parameters: Mapping[str, Any]) -> DiagnosticParams:
        """The parameters recorded with a run (`as_dict`, maybe of an older engine: unknown keys
        are left out, missing ones take their default)."""
        values = dict(parameters)
        values["size_band_edges"] = tuple(values.get("size_band_edges") or ())
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
