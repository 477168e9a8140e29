"""The parameters of a diagnostic run, as the engine reads them (recorded with the run; the
service checks the values a user sends: `services.diagnostic_params`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .bmo import (
    TENSION_MIN_PROJECTS,
    TENSION_MIN_YEARS,
    TENSION_THRESHOLD,
)
from .structure import (
    LQ_THRESHOLD,
    SIZE_BAND_EDGES,
)


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

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["size_band_edges"] = list(self.size_band_edges)
        return data
