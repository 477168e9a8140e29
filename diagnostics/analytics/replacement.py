"""Replacement needs: how much of the working-age population is close to retirement.

From INSEE's population estimates by département and 5-year age band (POPULATION_AGE, all
sexes together), per year and area:
- working_age = population aged 20–64, seniors = aged 55–64, senior_share = seniors /
  working_age (a ratio of sums, whatever the area);
- young = aged 20–29, renewal_ratio = young / seniors (how many people entering working life
  for one close to leaving it).
The basin's figures are **estimated**: each département's age structure is given to the
basin's communes in proportion to their legal population (share_d = population of the basin's
communes in d / population of d), so the basin's age structure is a population-weighted mix of
its départements'. It says nothing of a town that is younger or older than its département.
The region is the sum of its départements, France the sum of all départements in the file.

What it means: a high and rising senior share announces many departures to retirement in the
coming ten years, hence jobs to fill even without growth (openings = growth + replacements).
What it does not mean: it is not a count of vacancies (not every leaver is replaced, nor in the
same métier or place), and it is not broken down by métier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .columns import (
    AGE_MIN,
    AREA,
    COMMUNE_CODE,
    DEPARTEMENT_CODE,
    ESTIMATED,
    POPULATION,
    RENEWAL_RATIO,
    SENIOR_SHARE,
    SENIORS,
    SEX,
    WORKING_AGE,
    YEAR,
    YOUNG,
)
from .common import require_columns

ALL_SEXES = "ensemble"
AREAS = ("basin", "region", "france")
AREA_LABELS = {"basin": "Bassin (estimé)", "region": "Région", "france": "France"}
REPLACEMENT_COLUMNS = [
    YEAR,
    AREA,
    WORKING_AGE,
    SENIORS,
    SENIOR_SHARE,
    YOUNG,
    RENEWAL_RATIO,
    ESTIMATED,
]


def departement_shares(communes: pd.DataFrame, *, codes: Sequence[str]) -> dict[str, float]:
    """Département code → share of its legal population living in the basin's communes.

    Input: the commune crosswalk (commune_code, population, departement_code) of at least the
    basin's départements (all their communes)."""
    require_columns(
        communes, [COMMUNE_CODE, POPULATION, DEPARTEMENT_CODE], what="la table des communes"
    )
    rows = communes[communes[DEPARTEMENT_CODE].notna()]
    population = pd.to_numeric(rows[POPULATION], errors="coerce").fillna(0.0)
    dept = rows[DEPARTEMENT_CODE].astype(str)
    inside = rows[COMMUNE_CODE].astype(str).isin({str(c) for c in codes})
    totals = population.groupby(dept).sum()
    basin = population[inside].groupby(dept[inside]).sum()
    out = {}
    for code, value in basin.items():
        total = float(totals.get(code, 0.0))
        if total > 0 and value > 0:
            out[str(code)] = float(value) / total
    return dict(sorted(out.items()))


def _bands(frame: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Per year: weighted sums of the three age groups over the départements in `weights`."""
    rows = frame[frame[DEPARTEMENT_CODE].astype(str).isin(weights)]
    weight = rows[DEPARTEMENT_CODE].astype(str).map(weights).astype("float64")
    value = pd.to_numeric(rows[POPULATION], errors="coerce").astype("float64") * weight
    age = rows[AGE_MIN].astype("int64")
    parts = pd.DataFrame(
        {
            YEAR: rows[YEAR].astype("int64"),
            WORKING_AGE: value.where((age >= 20) & (age < 65), 0.0),
            SENIORS: value.where((age >= 55) & (age < 65), 0.0),
            YOUNG: value.where((age >= 20) & (age < 30), 0.0),
            "_unknown": (value.isna() & (age >= 20) & (age < 65)).astype("int64"),
        }
    )
    out = parts.groupby(YEAR, sort=True).sum(min_count=1).reset_index()
    # A year missing an age band of a département used is not computed (never a partial sum).
    complete = out["_unknown"] == 0
    for column in (WORKING_AGE, SENIORS, YOUNG):
        out[column] = out[column].where(complete)
    return out.drop(columns="_unknown")


def replacement_frame(
    population_age: pd.DataFrame,
    *,
    shares: Mapping[str, float],
    region_departements: Sequence[str],
    references: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The replacement indicators of the basin (estimated), its region and France, per year.

    Input: POPULATION_AGE (year, departement_code, sex, age_min, population; only the
    « ensemble » rows are read); `shares` (`departement_shares`); `region_departements`: the
    codes of the region's départements. Output: REPLACEMENT_COLUMNS, one row per year and
    area (basin, region, france), sorted by year then area in that order; shares and ratios
    NA where the population is unknown or zero.

    `references` (optional): the region's and France's rows already computed (the output of
    this function with `shares={}`, shared by the basins of a region in a national batch);
    then only the basin's rows are computed here and France is not recomputed."""
    require_columns(
        population_age,
        [YEAR, DEPARTEMENT_CODE, SEX, AGE_MIN, POPULATION],
        what="les estimations de population par âge",
    )
    frame = population_age[population_age[SEX].astype(str) == ALL_SEXES]
    weights: dict[str, dict[str, float]] = {
        "basin": dict(shares),
        "region": {str(d): 1.0 for d in region_departements},
        "france": {},
    }
    if references is None:
        all_departements = sorted(frame[DEPARTEMENT_CODE].astype(str).unique())
        weights["france"] = dict.fromkeys(all_departements, 1.0)
    pieces = []
    for area in AREAS:
        if not weights[area]:
            continue
        part = _bands(frame, weights[area])
        part[AREA] = area
        part[ESTIMATED] = area == "basin"
        pieces.append(part)
    if not pieces:
        if references is not None:
            return references
        return pd.DataFrame({column: [] for column in REPLACEMENT_COLUMNS})
    out = pd.concat(pieces, ignore_index=True)
    for column in (WORKING_AGE, SENIORS, YOUNG):
        out[column] = out[column].astype("Float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out[SENIOR_SHARE] = (out[SENIORS] / out[WORKING_AGE].where(out[WORKING_AGE] > 0)).astype(
            "Float64"
        )
        out[RENEWAL_RATIO] = (out[YOUNG] / out[SENIORS].where(out[SENIORS] > 0)).astype("Float64")
    if references is not None and len(references):
        out = pd.concat([out[REPLACEMENT_COLUMNS], references], ignore_index=True)
    # Sorted by year then area, stably (as a merge sort of the two columns), in one take.
    order = out[AREA].map({a: i for i, a in enumerate(AREAS)}).to_numpy(dtype="float64")
    positions = np.lexsort((order, out[YEAR].to_numpy(dtype="float64")))
    return out[REPLACEMENT_COLUMNS].take(positions).reset_index(drop=True)


def _values(column: pd.Series) -> list[Any]:
    """The column as Python values, missing ones as None."""
    converted: Any = column.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return list(converted)


def replacement_summary(frame: pd.DataFrame, *, span: int = 10) -> list[dict[str, object]]:
    """Per area: the last year's senior share and renewal ratio, and the change of the senior
    share in points over `span` years (or the longest span available, named). Input: the
    output of `replacement_frame`."""
    require_columns(frame, REPLACEMENT_COLUMNS, what="les indicateurs de remplacement")
    out: list[dict[str, object]] = []
    # Column by column as Python values (a row as a Series per area cost more than the rest).
    areas = frame[AREA].tolist()
    years = [int(y) for y in frame[YEAR].tolist()]
    share = _values(frame[SENIOR_SHARE].astype("Float64"))
    renewal = _values(frame[RENEWAL_RATIO].astype("Float64"))
    working = _values(frame[WORKING_AGE])
    seniors = _values(frame[SENIORS])
    estimated = frame[ESTIMATED].tolist()
    for area in AREAS:
        # The area's rows with a senior share, by year (one row per year and area).
        rows = sorted(
            (i for i, a in enumerate(areas) if a == area and share[i] is not None),
            key=lambda i: years[i],
        )
        if not rows:
            continue
        last = rows[-1]
        last_year = years[last]
        first = next(i for i in rows if years[i] >= last_year - span)
        out.append(
            {
                "area": area,
                "label": AREA_LABELS[area],
                "year": last_year,
                "senior_share": float(share[last]),
                "renewal_ratio": None if pd.isna(renewal[last]) else float(renewal[last]),
                "working_age": float(working[last]),
                "seniors": float(seniors[last]),
                "from_year": years[first],
                "change_points": (float(share[last]) - float(share[first])) * 100,
                "estimated": bool(estimated[last]),
            }
        )
    return out
