"""Follow-up of an implantation project: planned against actual learners per year, with the gap
and a flag (to enter, on track, ahead, behind)."""

from __future__ import annotations

import pandas as pd

from implantations.analytics.planning_columns import YEAR, require_columns

# --- Follow-up of a project: planned against actual learners -------------------------------------
PLANNED = "planned"
ACTUAL = "actual"
CALENDAR_YEAR = "calendar_year"
GAP = "gap"
GAP_SHARE = "gap_share"
FLAG = "flag"
FOLLOWUP_INPUT_COLUMNS = [YEAR, CALENDAR_YEAR, PLANNED, ACTUAL]
FOLLOWUP_COLUMNS = [*FOLLOWUP_INPUT_COLUMNS, GAP, GAP_SHARE, FLAG]

FLAG_PENDING = "a_saisir"
FLAG_ON_TRACK = "conforme"
FLAG_AHEAD = "en_avance"
FLAG_BEHIND = "en_retard"
FLAG_LABELS = {
    FLAG_PENDING: "à saisir",
    FLAG_ON_TRACK: "conforme",
    FLAG_AHEAD: "au-dessus du plan",
    FLAG_BEHIND: "en dessous du plan",
}


def learners_followup(frame: pd.DataFrame, *, tolerance: float = 0.1) -> pd.DataFrame:
    """Planned against actual learners per year (FOLLOWUP_INPUT_COLUMNS; actual NA while
    unknown). Adds gap = actual − planned, gap_share = gap / planned (NA when nothing was
    planned) and a flag: « a_saisir » (actual unknown), « conforme » (|gap_share| ≤ tolerance,
    or nothing planned and none enrolled), « en_avance », « en_retard ». Sorted by year."""
    require_columns(frame, FOLLOWUP_INPUT_COLUMNS, "le suivi des apprenants")
    if tolerance < 0:
        raise ValueError(f"La tolérance doit être positive ou nulle (reçu : {tolerance}).")
    out = frame.sort_values(YEAR, kind="mergesort").reset_index(drop=True).copy()
    planned = pd.to_numeric(out[PLANNED], errors="coerce").astype("Float64")
    actual = pd.to_numeric(out[ACTUAL], errors="coerce").astype("Float64")
    out[PLANNED] = planned.astype("Int64")
    out[ACTUAL] = actual.astype("Int64")
    out[GAP] = (actual - planned).astype("Int64")
    out[GAP_SHARE] = ((actual - planned) / planned.where(planned > 0)).astype("Float64")
    flags: list[str] = []
    for a_value, share in zip(actual, out[GAP_SHARE], strict=True):
        if a_value is pd.NA:
            flags.append(FLAG_PENDING)
        elif share is pd.NA:
            flags.append(FLAG_ON_TRACK if a_value == 0 else FLAG_AHEAD)
        elif abs(share) <= tolerance + 1e-12:
            flags.append(FLAG_ON_TRACK)
        else:
            flags.append(FLAG_AHEAD if share > 0 else FLAG_BEHIND)
    out[FLAG] = pd.Series(flags, index=out.index, dtype=object)
    return out[FOLLOWUP_COLUMNS]


def followup_totals(followup: pd.DataFrame) -> dict[str, float | int | None]:
    """Totals over the years whose actual is known: planned, actual, gap and gap share."""
    require_columns(followup, FOLLOWUP_COLUMNS, "le suivi des apprenants")
    known = followup[followup[ACTUAL].notna()]
    planned = int(known[PLANNED].fillna(0).sum())
    actual = int(known[ACTUAL].sum())
    return {
        "years_known": len(known),
        "planned": planned,
        "actual": actual,
        "gap": actual - planned,
        "gap_share": (actual - planned) / planned if planned > 0 else None,
        "planned_total": int(followup[PLANNED].fillna(0).sum()),
    }
