"""The flags of a site (issue 18): « en retard » (enrolments under a share of the plan, or an
opening overdue) and « en dépassement » (actual costs over the planned ones by more than a share),
against `Thresholds`. Pure: pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .evaluation import ENROLLED, YEAR, Thresholds, format_share, number_or_none

FLAG_LATE = "en_retard"
FLAG_OVERRUN = "en_depassement"
FLAG_LABELS = {FLAG_LATE: "en retard", FLAG_OVERRUN: "en dépassement"}


@dataclass(frozen=True)
class Flag:
    code: str  # FLAG_LATE or FLAG_OVERRUN
    reason: str  # enrolments | opening | costs
    year: int | None  # project year (0-5), None for the opening
    detail: str  # French

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {
            "flag": self.code,
            "label": self.label,
            "reason": self.reason,
            "year": self.year,
            "detail": self.detail,
        }


FLAG_INPUT_COLUMNS = [
    YEAR,
    "calendar_year",
    "planned_learners",
    ENROLLED,
    "planned_costs",
    "actual_costs",
]


def planned_opening(start_year: int, planned_learners: Sequence[int]) -> dt.date | None:
    """The opening the plan implies: 1 January of the first project year with learners
    planned (None when none are)."""
    for year, planned in enumerate(planned_learners):
        if planned and planned > 0:
            return dt.date(start_year + year, 1, 1)
    return None


def _fmt_int(value: float) -> str:
    return f"{round(value):,}".replace(",", "\u202f")


def project_flags(
    years: pd.DataFrame,
    *,
    opening_planned_on: dt.date | None,
    opened_on: dt.date | None,
    today: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> list[Flag]:
    """The flags of a site (sorted: late first, then by year).

    `years` (FLAG_INPUT_COLUMNS): per project year, the planned learners, the enrolled (NA
    while not entered), the planned and actual total costs (NA while unknown).
    - « en retard » (enrolments): enrolled < late_enrolment_share × planned learners, for a
      year with learners planned and enrolments entered;
    - « en retard » (opening): not opened while `today` is past the planned opening plus
      opening_grace_days;
    - « en dépassement » (costs): actual costs > (1 + overrun_share) × planned costs."""
    missing = [c for c in FLAG_INPUT_COLUMNS if c not in years.columns]
    if missing:
        raise ValueError(f"Signalements : colonnes manquantes {', '.join(missing)}.")
    t = thresholds
    flags: list[Flag] = []
    if opened_on is None and opening_planned_on is not None:
        deadline = opening_planned_on + dt.timedelta(days=t.opening_grace_days)
        if today > deadline:
            flags.append(
                Flag(
                    FLAG_LATE,
                    "opening",
                    None,
                    f"Ouverture prévue le {opening_planned_on:%d/%m/%Y} et non réalisée "
                    f"{(today - opening_planned_on).days} jours après (délai admis : "
                    f"{t.opening_grace_days} jours).",
                )
            )
    ordered = years.sort_values(YEAR, kind="mergesort")
    # Plain lists, not to_dict: a site's flags are computed for every site of the programme.
    columns = {c: ordered[c].tolist() for c in FLAG_INPUT_COLUMNS}
    for i in range(len(ordered)):
        row = {c: columns[c][i] for c in FLAG_INPUT_COLUMNS}
        year, calendar = int(row[YEAR]), int(row["calendar_year"])
        planned, enrolled = number_or_none(row["planned_learners"]), number_or_none(row[ENROLLED])
        threshold = t.late_enrolment_share * (planned or 0)
        if planned and planned > 0 and enrolled is not None and enrolled < threshold - 1e-9:
            flags.append(
                Flag(
                    FLAG_LATE,
                    "enrolments",
                    year,
                    f"Année {year} ({calendar}) : {_fmt_int(enrolled)} inscrits pour "
                    f"{_fmt_int(planned)} prévus ({format_share(enrolled / planned)} du plan, "
                    f"seuil {format_share(t.late_enrolment_share)}).",
                )
            )
        p_costs, a_costs = number_or_none(row["planned_costs"]), number_or_none(row["actual_costs"])
        if (
            p_costs
            and p_costs > 0
            and a_costs is not None
            and a_costs > (1 + t.overrun_share) * p_costs + 1e-6
        ):
            flags.append(
                Flag(
                    FLAG_OVERRUN,
                    "costs",
                    year,
                    f"Année {year} ({calendar}) : coûts réels de {_fmt_int(a_costs)} € pour "
                    f"{_fmt_int(p_costs)} € prévus (+{format_share(a_costs / p_costs - 1)}, "
                    f"seuil +{format_share(t.overrun_share)}).",
                )
            )
    order = {FLAG_LATE: 0, FLAG_OVERRUN: 1}
    return sorted(flags, key=lambda f: (order[f.code], -1 if f.year is None else f.year))
