"""The programme as a whole (issue 18): its pipeline from diagnosed basin to open site, its
sites against its targets per year, by concept and by region. Pure pandas.

Input frames (built by `implantations.selectors.programme`):
- basins: PIPELINE_BASIN_COLUMNS — basin_id, region_code, diagnosed (a finished diagnostic),
  recommended (a recommendation), has_project (bool each);
- projects: PROJECT_COLUMNS — project_id, name, basin_id, basin_name, region_code,
  region_name, concept, status, study_started_on, opened_on (dates, NaT when not reached),
  latitude, longitude (the basin's main town, NaN unknown);
- targets: TARGET_COLUMNS — year, region_code ("" = the whole programme), concept ("" = all),
  sites_planned, sites_open (cumulative at the end of the year).

A project counts as launched from the year its study started, as open from the year it opened
while its status is « ouverture » or « auto-portage » (a project sent back to an earlier stage
no longer counts as open, in any year: the history is not replayed).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

# --- Columns -----------------------------------------------------------------------------------
BASIN_ID = "basin_id"
REGION_CODE = "region_code"
DIAGNOSED = "diagnosed"
RECOMMENDED = "recommended"
HAS_PROJECT = "has_project"
PIPELINE_BASIN_COLUMNS = [BASIN_ID, REGION_CODE, DIAGNOSED, RECOMMENDED, HAS_PROJECT]

PROJECT_ID = "project_id"
NAME = "name"
BASIN_NAME = "basin_name"
REGION_NAME = "region_name"
CONCEPT = "concept"
STATUS = "status"
STUDY_STARTED_ON = "study_started_on"
OPENED_ON = "opened_on"
LATITUDE = "latitude"
LONGITUDE = "longitude"
PROJECT_COLUMNS = [
    PROJECT_ID, NAME, BASIN_ID, BASIN_NAME, REGION_CODE, REGION_NAME, CONCEPT, STATUS,
    STUDY_STARTED_ON, OPENED_ON, LATITUDE, LONGITUDE,
]  # fmt: skip

YEAR = "year"
SITES_PLANNED = "sites_planned"
SITES_OPEN = "sites_open"
TARGET_COLUMNS = [YEAR, REGION_CODE, CONCEPT, SITES_PLANNED, SITES_OPEN]

STAGE = "stage"
LABEL = "label"
AT_STAGE = "at_stage"
REACHED = "reached"
KIND = "kind"
PIPELINE_COLUMNS = [STAGE, LABEL, KIND, AT_STAGE, REACHED]

PLANNED_ACTUAL = "planned_actual"
OPEN_ACTUAL = "open_actual"
PLANNED_TARGET = "planned_target"
OPEN_TARGET = "open_target"
OPEN_SHARE = "open_share"
TIMELINE_COLUMNS = [YEAR, PLANNED_ACTUAL, OPEN_ACTUAL, PLANNED_TARGET, OPEN_TARGET, OPEN_SHARE]
KEY = "key"
BREAKDOWN_COLUMNS = [KEY, PLANNED_ACTUAL, OPEN_ACTUAL, PLANNED_TARGET, OPEN_TARGET, OPEN_SHARE]

# --- Stages --------------------------------------------------------------------------------------
STAGE_DIAGNOSED = "diagnostique"
STAGE_RECOMMENDED = "recommande"
STATUS_STUDY = "etude"
STATUS_CONVENTION = "convention"
STATUS_OPENING = "ouverture"
STATUS_SELF_FINANCED = "auto_portage"
PROJECT_STATUSES = (STATUS_STUDY, STATUS_CONVENTION, STATUS_OPENING, STATUS_SELF_FINANCED)
OPEN_STATUSES = frozenset({STATUS_OPENING, STATUS_SELF_FINANCED})
STAGES: tuple[tuple[str, str, str], ...] = (
    (STAGE_DIAGNOSED, "Bassins diagnostiqués", "basin"),
    (STAGE_RECOMMENDED, "Bassins avec recommandation", "basin"),
    (STATUS_STUDY, "Projets à l'étude", "project"),
    (STATUS_CONVENTION, "Convention signée", "project"),
    (STATUS_OPENING, "Sites ouverts", "project"),
    (STATUS_SELF_FINANCED, "Sites auto-portés", "project"),
)
STAGE_CODES = tuple(code for code, _, _ in STAGES)


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} : colonnes manquantes {missing}")


def basin_stage(diagnosed: bool, recommended: bool, has_project: bool) -> str | None:
    """The furthest basin stage of a basin without project (None: not diagnosed, or the basin
    is counted through its projects)."""
    if has_project:
        return None
    if recommended:
        return STAGE_RECOMMENDED
    if diagnosed:
        return STAGE_DIAGNOSED
    return None


def pipeline_counts(basins: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """PIPELINE_COLUMNS, one row per stage in STAGES order.

    `at_stage`: items whose furthest stage is this one — a basin without project at
    « diagnostiqué » or « recommandé » (a recommendation counts even without a finished
    diagnostic), each project at its current status. `reached`: items at this stage or a later
    one (so « bassins diagnostiqués » reached = every basin or project past it): the funnel."""
    _require(basins, PIPELINE_BASIN_COLUMNS, "le pipeline (bassins)")
    _require(projects, [STATUS], "le pipeline (projets)")
    stages = [
        basin_stage(bool(d), bool(r), bool(h))
        for d, r, h in zip(basins[DIAGNOSED], basins[RECOMMENDED], basins[HAS_PROJECT], strict=True)
    ]
    counts = dict.fromkeys(STAGE_CODES, 0)
    for stage in stages:
        if stage is not None:
            counts[stage] += 1
    for status in projects[STATUS]:
        if status not in counts:
            raise ValueError(f"Statut de projet inconnu : {status!r}")
        counts[str(status)] += 1
    rows = []
    running = 0
    for code, label, kind in reversed(STAGES):
        running += counts[code]
        rows.append((code, label, kind, counts[code], running))
    rows.reverse()
    return pd.DataFrame.from_records(rows, columns=PIPELINE_COLUMNS)


def _year_of(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values, errors="coerce")
    return dates.dt.year.astype("Int64")


def _actual_by_year(projects: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    started = _year_of(projects[STUDY_STARTED_ON])
    opened = _year_of(projects[OPENED_ON]).where(projects[STATUS].isin(OPEN_STATUSES))
    rows = []
    for year in years:
        rows.append(
            (
                year,
                int((started <= year).fillna(False).sum()),
                int((opened <= year).fillna(False).sum()),
            )
        )
    return pd.DataFrame.from_records(rows, columns=[YEAR, PLANNED_ACTUAL, OPEN_ACTUAL])


def target_for(
    targets: pd.DataFrame, *, year: int, region: str = "", concept: str = ""
) -> tuple[int, int] | None:
    """(sites_planned, sites_open) targeted at the end of `year` for a scope ("" = all).

    The scope's own row when there is one; otherwise the sum of its finer rows (the regions'
    rows of the same concept for the whole programme; the concepts' rows of the same region);
    None when nothing is set."""
    _require(targets, TARGET_COLUMNS, "les objectifs")
    rows = targets[targets[YEAR] == year]
    exact = rows[(rows[REGION_CODE] == region) & (rows[CONCEPT] == concept)]
    if len(exact):
        return int(exact[SITES_PLANNED].iloc[0]), int(exact[SITES_OPEN].iloc[0])
    finer = None
    if region == "":
        finer = rows[(rows[REGION_CODE] != "") & (rows[CONCEPT] == concept)]
    if (finer is None or finer.empty) and concept == "":
        finer = rows[(rows[REGION_CODE] == region) & (rows[CONCEPT] != "")]
    if finer is None or finer.empty:
        return None
    return int(finer[SITES_PLANNED].sum()), int(finer[SITES_OPEN].sum())


def _share(actual: int, target: int | None) -> float | None:
    if target is None or target == 0:
        return None
    return actual / target


def programme_timeline(
    projects: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    years: list[int],
    region: str = "",
    concept: str = "",
) -> pd.DataFrame:
    """TIMELINE_COLUMNS per year of `years` (sorted): cumulative projects launched and sites
    open at the end of the year (of the `projects` given: filter them to the scope first), the
    scope's targets (`target_for`, NA when none) and open / target (NA without a target)."""
    _require(projects, [STATUS, STUDY_STARTED_ON, OPENED_ON], "la chronologie (projets)")
    years = sorted(set(years))
    actual = _actual_by_year(projects, years)
    planned_target: list[int | None] = []
    open_target: list[int | None] = []
    shares: list[float | None] = []
    for year, opened in zip(actual[YEAR], actual[OPEN_ACTUAL], strict=True):
        found = target_for(targets, year=int(year), region=region, concept=concept)
        planned_target.append(found[0] if found else None)
        open_target.append(found[1] if found else None)
        shares.append(_share(int(opened), found[1] if found else None))
    return actual.assign(
        **{
            PLANNED_TARGET: pd.array(planned_target, dtype="Int64"),
            OPEN_TARGET: pd.array(open_target, dtype="Int64"),
            OPEN_SHARE: pd.array(shares, dtype="Float64"),
        }
    )[TIMELINE_COLUMNS]


def programme_breakdown(
    projects: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    by: str,
    keys: list[str],
    year: int,
    region: str = "",
) -> pd.DataFrame:
    """BREAKDOWN_COLUMNS, one row per key of `keys` (in that order): projects launched and sites
    open at the end of `year` with the targets of that year, by concept (`by=CONCEPT`, within
    `region`) or by region (`by=REGION_CODE`, all concepts)."""
    if by not in (CONCEPT, REGION_CODE):
        raise ValueError(f"Ventilation inconnue : {by!r}")
    _require(projects, [by, STATUS, STUDY_STARTED_ON, OPENED_ON], "la ventilation")
    rows = []
    for key in keys:
        part = projects[projects[by] == key]
        actual = _actual_by_year(part, [year]).iloc[0]
        found = (
            target_for(targets, year=year, region=region, concept=key)
            if by == CONCEPT
            else target_for(targets, year=year, region=key)
        )
        rows.append(
            (
                key,
                int(actual[PLANNED_ACTUAL]),
                int(actual[OPEN_ACTUAL]),
                found[0] if found else None,
                found[1] if found else None,
                _share(int(actual[OPEN_ACTUAL]), found[1] if found else None),
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=BREAKDOWN_COLUMNS)
    return frame.astype({PLANNED_TARGET: "Int64", OPEN_TARGET: "Int64", OPEN_SHARE: "Float64"})
