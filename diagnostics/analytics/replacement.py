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
from dataclasses import dataclass
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
KINDS: dict[str, Any] = {YEAR: "int64", AREA: object, ESTIMATED: bool}
FLOAT_COLUMNS = (WORKING_AGE, SENIORS, SENIOR_SHARE, YOUNG, RENEWAL_RATIO)
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


@dataclass(frozen=True)
class DepartementBands:
    """Per département and year, the three age groups of POPULATION_AGE's « ensemble » rows:
    `working` (20–64), `seniors` (55–64), `young` (20–29), arrays [département, year] summed
    over the 5-year bands; NaN where a band of 20–64 is unknown that year (never a partial
    sum), 0 where the département has no row that year (`present` False). An area's figures
    are the weighted sums of its départements' (`area_bands`): a basin, its region and France
    computed from the same sums, once per set of batches in a national batch."""

    years: np.ndarray
    codes: dict[str, int]
    present: np.ndarray
    working: np.ndarray
    seniors: np.ndarray
    young: np.ndarray


def departement_bands(frame: pd.DataFrame) -> DepartementBands:
    """`DepartementBands` of POPULATION_AGE rows (every sex given is read: pass the
    « ensemble » rows)."""
    departement = frame[DEPARTEMENT_CODE].astype(str).to_numpy()
    year = frame[YEAR].to_numpy(dtype="int64")
    age = frame[AGE_MIN].to_numpy(dtype="int64")
    value = pd.to_numeric(frame[POPULATION], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    codes_sorted, dep_index = np.unique(departement, return_inverse=True)
    years, year_index = np.unique(year, return_inverse=True)
    shape = (len(codes_sorted), len(years))
    cell = dep_index * len(years) + year_index
    size = shape[0] * shape[1]

    def summed(mask: np.ndarray) -> np.ndarray:
        # Each cell's values added in the rows' order (bincount adds sequentially).
        return np.bincount(cell[mask], weights=np.nan_to_num(value[mask]), minlength=size)

    working_age = (age >= 20) & (age < 65)
    unknown = np.bincount(cell[working_age & np.isnan(value)], minlength=size) > 0
    present = np.bincount(cell, minlength=size) > 0
    out = {}
    for name, mask in (
        ("working", working_age),
        ("seniors", (age >= 55) & (age < 65)),
        ("young", (age >= 20) & (age < 30)),
    ):
        sums = summed(mask)
        sums[unknown] = np.nan
        out[name] = sums.reshape(shape)
    return DepartementBands(
        years=years,
        codes={str(code): i for i, code in enumerate(codes_sorted)},
        present=present.reshape(shape),
        **out,
    )


def area_bands(bands: DepartementBands, weights: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Per year (column YEAR, as arrays): the weighted sums of the three age groups over the
    départements in `weights` (in the order of their codes), for the years where one of them
    has rows; NaN for a year where one of them misses a band."""
    used = sorted(code for code in weights if code in bands.codes)
    rows = np.array([bands.codes[code] for code in used], dtype=np.intp)
    weight = [float(weights[code]) for code in used]
    present = bands.present[rows].any(axis=0) if len(rows) else np.zeros(len(bands.years), bool)
    out = {YEAR: bands.years[present]}
    for column, values in (
        (WORKING_AGE, bands.working),
        (SENIORS, bands.seniors),
        (YOUNG, bands.young),
    ):
        # Row by row in the codes' order: the same additions for a département set whatever
        # else the arrays hold.
        total = np.zeros(len(bands.years), dtype="float64")
        for i in range(len(rows)):
            total = total + values[rows[i]] * weight[i]
        out[column] = total[present]
    return out


def replacement_frame(
    population_age: pd.DataFrame | None,
    *,
    shares: Mapping[str, float],
    region_departements: Sequence[str],
    references: pd.DataFrame | None = None,
    bands: DepartementBands | None = None,
) -> pd.DataFrame:
    """The replacement indicators of the basin (estimated), its region and France, per year.

    Input: POPULATION_AGE (year, departement_code, sex, age_min, population; only the
    « ensemble » rows are read); `shares` (`departement_shares`); `region_departements`: the
    codes of the region's départements. Output: REPLACEMENT_COLUMNS, one row per year and
    area (basin, region, france), sorted by year then area in that order; shares and ratios
    NA where the population is unknown or zero.

    `references` (optional): the region's and France's rows already computed (the output of
    this function with `shares={}`, shared by the basins of a region in a national batch);
    then only the basin's rows are computed here and France is not recomputed. `bands`
    (optional): `departement_bands` of those rows already computed (then `population_age`
    is not read): a basin's figures are the same either way."""
    if bands is None:
        if population_age is None:
            raise ValueError("Estimations de population par âge absentes.")
        require_columns(
            population_age,
            [YEAR, DEPARTEMENT_CODE, SEX, AGE_MIN, POPULATION],
            what="les estimations de population par âge",
        )
        bands = departement_bands(population_age[population_age[SEX].astype(str) == ALL_SEXES])
    weights: dict[str, dict[str, float]] = {
        "basin": dict(shares),
        "region": {str(d): 1.0 for d in region_departements},
        "france": {},
    }
    if references is None:
        weights["france"] = dict.fromkeys(bands.codes, 1.0)
    # Column by column as arrays: the areas' rows, then the references', sorted by year then
    # area (stably, as a merge sort of the two columns) and made a frame once.
    columns: dict[str, list[np.ndarray]] = {name: [] for name in REPLACEMENT_COLUMNS}
    for area in AREAS:
        if not weights[area]:
            continue
        part = area_bands(bands, weights[area])
        n = len(part[YEAR])
        columns[YEAR].append(part[YEAR])
        columns[AREA].append(np.full(n, area, dtype=object))
        columns[ESTIMATED].append(np.full(n, area == "basin"))
        working, seniors, young = part[WORKING_AGE], part[SENIORS], part[YOUNG]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(working > 0, seniors / working, np.nan)
            renewal = np.where(seniors > 0, young / seniors, np.nan)
        for column, values in (
            (WORKING_AGE, working),
            (SENIORS, seniors),
            (YOUNG, young),
            (SENIOR_SHARE, share),
            (RENEWAL_RATIO, renewal),
        ):
            columns[column].append(values)
    if not columns[YEAR]:
        if references is not None:
            return references
        return pd.DataFrame({column: [] for column in REPLACEMENT_COLUMNS})
    if references is not None and len(references):
        for column in REPLACEMENT_COLUMNS:
            series = references[column]
            columns[column].append(
                series.to_numpy(dtype="float64", na_value=np.nan)
                if column in FLOAT_COLUMNS
                else series.to_numpy()
            )
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    rank = {a: i for i, a in enumerate(AREAS)}
    order = np.array([rank[a] for a in joined[AREA]], dtype="float64")
    positions = np.lexsort((order, joined[YEAR].astype("float64")))
    return pd.DataFrame(
        {
            name: (
                pd.array(values[positions], dtype="Float64")
                if name in FLOAT_COLUMNS
                else values[positions].astype(KINDS[name])
            )
            for name, values in joined.items()
        }
    )


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
