"""BMO indicators (France Travail « Besoins en main-d'œuvre »): recruitment projects, difficulty
and seasonal rates, top métiers and métiers in tension.

A BMO cell is a bassin × métier (sometimes split by département). `met` counts recruitment
projects, `xmet` those judged difficult, `smet` the seasonal ones. Cells under the secrecy
threshold are NA (`*` in the file): they are never read as 0 and every total says how many
cells it lacks. Rates are ratios of sums (Σxmet / Σmet) computed over the cells where BOTH the
numerator and `met` are published, so a masked numerator cannot bias the rate downwards.

The functions take the BMO fact frame (columns.BMO_FACT_COLUMNS) or, for an estimated basin,
the output of `crosswalk_moves.apportion_counts` on it (Float64 counts instead of Int64).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .columns import (
    CELLS,
    DIFFICULT,
    DIFFICULTY_BASE,
    DIFFICULTY_MASKED_CELLS,
    DIFFICULTY_RATE,
    DURABLE,
    FAMILY_CODE,
    FAMILY_LABEL,
    IN_TENSION,
    MASKED_CELLS,
    MET,
    METIER_CODE,
    METIER_LABEL,
    PROJECTS,
    PROJECTS_PER_1000,
    PUBLISHED_CELLS,
    SEASONAL,
    SEASONAL_BASE,
    SEASONAL_MASKED_CELLS,
    SEASONAL_RATE,
    SMET,
    XMET,
    YEAR,
    YEARS_IN_TENSION,
    YEARS_OBSERVED,
)
from .common import group_index, group_sums, require_columns

BMO_MEASURES = [MET, XMET, SMET]
BMO_TOTAL_COLUMNS = [
    CELLS,
    PUBLISHED_CELLS,
    MASKED_CELLS,
    PROJECTS,
    DIFFICULT,
    DIFFICULTY_BASE,
    DIFFICULTY_MASKED_CELLS,
    DIFFICULTY_RATE,
    SEASONAL,
    SEASONAL_BASE,
    SEASONAL_MASKED_CELLS,
    SEASONAL_RATE,
]

# Default thresholds of « métier en tension » (see `tension_metiers`).
TENSION_THRESHOLD = 0.7
TENSION_MIN_PROJECTS = 20
TENSION_MIN_YEARS = 2


def _count_dtype(values: pd.Series) -> str:
    return "Int64" if pd.api.types.is_integer_dtype(values.dtype) else "Float64"


def bmo_totals(
    facts: pd.DataFrame, *, by: Sequence[str], labels: Sequence[str] = ()
) -> pd.DataFrame:
    """Totals of BMO cells per group `by` (e.g. [year], [year, family_code]).

    Input columns: `by`, met, xmet, smet (nullable; NA = secret cell).
    Output columns: `by`, then
    - cells (rows), published_cells (met published), masked_cells (met masked);
    - projects = Σ published met (NA when every cell of the group is masked);
    - difficult = Σ xmet and difficulty_base = Σ met over the cells where both are published;
      difficulty_masked_cells = cells left out (met or xmet masked);
      difficulty_rate = difficult / difficulty_base (NA when the base is 0 or empty);
    - seasonal, seasonal_base, seasonal_masked_cells, seasonal_rate likewise with smet.
    Counts are Int64 for integer input, Float64 for apportioned input. Sorted by `by`.
    `labels` (e.g. metier_label) are carried along: the value of the group's first row,
    placed right after `by`.
    """
    require_columns(facts, [*by, *BMO_MEASURES], what="les faits BMO")
    dtype = _count_dtype(facts[MET])
    met = facts[MET].to_numpy(dtype="float64", na_value=np.nan)
    xmet = facts[XMET].to_numpy(dtype="float64", na_value=np.nan)
    smet = facts[SMET].to_numpy(dtype="float64", na_value=np.nan)
    met_ok = ~np.isnan(met)
    x_ok = met_ok & ~np.isnan(xmet)
    s_ok = met_ok & ~np.isnan(smet)
    inverse, keys = group_index(facts, by)
    groups = len(keys)

    def total(values: np.ndarray) -> np.ndarray:
        return group_sums(inverse, groups, values)

    cells = total(np.ones(len(met)))
    published = total(met_ok.astype("float64"))
    with_x = total(x_ok.astype("float64"))
    with_s = total(s_ok.astype("float64"))

    def counts(values: np.ndarray, present: np.ndarray) -> pd.Series:
        out = pd.Series(values, dtype="Float64").where(pd.Series(present > 0))
        return out.round().astype("Int64") if dtype == "Int64" else out

    projects = counts(total(np.where(met_ok, met, 0.0)), published)
    difficult = counts(total(np.where(x_ok, xmet, 0.0)), with_x)
    difficulty_base = counts(total(np.where(x_ok, met, 0.0)), with_x)
    seasonal = counts(total(np.where(s_ok, smet, 0.0)), with_s)
    seasonal_base = counts(total(np.where(s_ok, met, 0.0)), with_s)

    def integers(values: np.ndarray) -> pd.Series:
        return pd.Series(values.round().astype("int64"), dtype="Int64")

    if labels:
        order = np.argsort(inverse, kind="stable")
        first_rows = order[np.searchsorted(inverse[order], np.arange(groups))]
        for label in labels:
            keys[label] = facts[label].take(first_rows).to_numpy()
    out = keys.assign(
        **{
            CELLS: integers(cells),
            PUBLISHED_CELLS: integers(published),
            MASKED_CELLS: integers(cells - published),
            PROJECTS: projects,
            DIFFICULT: difficult,
            DIFFICULTY_BASE: difficulty_base,
            DIFFICULTY_MASKED_CELLS: integers(cells - with_x),
            DIFFICULTY_RATE: _ratio(difficult, difficulty_base),
            SEASONAL: seasonal,
            SEASONAL_BASE: seasonal_base,
            SEASONAL_MASKED_CELLS: integers(cells - with_s),
            SEASONAL_RATE: _ratio(seasonal, seasonal_base),
        }
    )
    return out.reset_index(drop=True)


def bmo_rollup(totals: pd.DataFrame, *, by: Sequence[str]) -> pd.DataFrame:
    """Re-aggregate the output of `bmo_totals` to coarser groups `by` (e.g. per family → per
    year): counts add up, rates are recomputed as ratios of the sums. Same output columns as
    `bmo_totals`, sorted by `by`."""
    require_columns(totals, [*by, *BMO_TOTAL_COLUMNS], what="les totaux BMO")
    additive = [
        CELLS,
        PUBLISHED_CELLS,
        MASKED_CELLS,
        PROJECTS,
        DIFFICULT,
        DIFFICULTY_BASE,
        DIFFICULTY_MASKED_CELLS,
        SEASONAL,
        SEASONAL_BASE,
        SEASONAL_MASKED_CELLS,
    ]
    inverse, keys = group_index(totals, by)
    groups = len(keys)
    out = keys.copy()
    for column in additive:
        values = totals[column]
        known = values.notna().to_numpy()
        sums = group_sums(inverse, groups, values.to_numpy(dtype="float64", na_value=0.0))
        any_known = group_sums(inverse, groups, known.astype("float64")) > 0
        series = pd.Series(sums, dtype="Float64").where(pd.Series(any_known))
        if _count_dtype(values) == "Int64":
            series = series.round().astype("Int64")
        out[column] = series
    out[DIFFICULTY_RATE] = _ratio(out[DIFFICULT], out[DIFFICULTY_BASE])
    out[SEASONAL_RATE] = _ratio(out[SEASONAL], out[SEASONAL_BASE])
    return out[[*by, *BMO_TOTAL_COLUMNS]].reset_index(drop=True)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    base = denominator.astype("Float64")
    return (numerator.astype("Float64") / base.where(base > 0)).astype("Float64")


def bmo_by_year(facts: pd.DataFrame) -> pd.DataFrame:
    """`bmo_totals` per year. Output: year, then the total columns (see `bmo_totals`)."""
    return bmo_totals(facts, by=[YEAR])


def bmo_by_family(facts: pd.DataFrame) -> pd.DataFrame:
    """`bmo_totals` per year and métier family.

    Input: year, family_code, family_label (optional), met, xmet, smet.
    Output: year, family_code, family_label, then the total columns. Sorted by year, code.
    """
    require_columns(facts, [YEAR, FAMILY_CODE], what="les faits BMO")
    labels = [FAMILY_LABEL] if FAMILY_LABEL in facts.columns else []
    out = bmo_totals(facts, by=[YEAR, FAMILY_CODE], labels=labels)
    if FAMILY_LABEL not in out.columns:
        out[FAMILY_LABEL] = pd.NA
    return out[[YEAR, FAMILY_CODE, FAMILY_LABEL, *BMO_TOTAL_COLUMNS]]


def bmo_by_metier(facts: pd.DataFrame) -> pd.DataFrame:
    """`bmo_totals` per year and métier.

    Input: year, metier_code, metier_label, family_code, family_label (labels optional), met,
    xmet, smet.
    Output: year, metier_code, metier_label, family_code, family_label, then the total columns.
    Sorted by year, metier_code.
    """
    require_columns(facts, [YEAR, METIER_CODE], what="les faits BMO")
    labels = [c for c in (METIER_LABEL, FAMILY_CODE, FAMILY_LABEL) if c in facts.columns]
    out = bmo_totals(facts, by=[YEAR, METIER_CODE], labels=labels)
    for column in (METIER_LABEL, FAMILY_CODE, FAMILY_LABEL):
        if column not in out.columns:
            out[column] = pd.NA
    return out[[YEAR, METIER_CODE, METIER_LABEL, FAMILY_CODE, FAMILY_LABEL, *BMO_TOTAL_COLUMNS]]


def with_projects_per_1000(totals: pd.DataFrame, *, population: int | None) -> pd.DataFrame:
    """Add projects_per_1000 = projects / population × 1 000 (NA without a population)."""
    require_columns(totals, [PROJECTS], what="les totaux BMO")
    if not population:
        per_1000 = pd.array([pd.NA] * len(totals), dtype="Float64")
        return totals.assign(**{PROJECTS_PER_1000: per_1000})
    return totals.assign(
        **{PROJECTS_PER_1000: totals[PROJECTS].astype("Float64") * 1000 / population}
    )


def top_metiers(
    by_metier: pd.DataFrame,
    *,
    year: int,
    measure: Literal["projects", "difficult"] = "projects",
    n: int = 10,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """The `n` métiers with the most projects (or difficult projects) in `year`.

    Input: the output of `bmo_by_metier`. Output: its rows for `year` whose `measure` is
    known, sorted by `measure` descending then metier_code, at most `n`, index reset.
    `by` (e.g. basin_id): the top of each group of these columns, groups in ascending order
    (each group's rows are those the group alone would give).
    """
    keys = list(by)
    require_columns(by_metier, [*keys, YEAR, METIER_CODE, measure], what="les totaux par métier")
    rows = by_metier[(by_metier[YEAR] == year) & by_metier[measure].notna()]
    rows = rows.sort_values(
        [*keys, measure, METIER_CODE],
        ascending=[*([True] * len(keys)), False, True],
        kind="mergesort",
    )
    top = rows.groupby(keys, sort=False).head(n) if keys else rows.head(n)
    return top.reset_index(drop=True)


def tension_metiers(
    by_metier: pd.DataFrame,
    *,
    threshold: float = TENSION_THRESHOLD,
    min_projects: int = TENSION_MIN_PROJECTS,
    min_years: int = TENSION_MIN_YEARS,
    years: Iterable[int] | None = None,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Métiers in tension: difficulty rate at or above `threshold` with at least `min_projects`
    projects in the difficulty base (projects whose difficulty is published), per year; the
    tension is « durable » when it holds in every year available, and there are at least
    `min_years` of them.

    Why 0.7 by default: over the cells published, the national BMO difficulty rate was 64 % in
    2023, 62 % in 2024 and 55 % in 2025 (France Travail's headline figures, counting masked
    cells, are 61 %, 57 % and 50 %). At 0.6 the threshold would sit at the national average
    and flag about three métiers in four (the national median of métier rates is 66-71 %);
    0.7 stays above the national rate every year and keeps the métiers markedly harder to
    recruit for. 20 projects (four cells at the secrecy threshold of 5) keeps a rate from
    resting on one or two establishments.

    Input: the output of `bmo_by_metier` (year, metier_code, metier_label, family_code,
    family_label, projects, difficult, difficulty_base, difficulty_rate). `years` is the set of
    years the source covers (default: those of the frame): a métier absent one year is not
    durably in tension.
    Output, one row per métier in tension at least one year: metier_code, metier_label,
    family_code, family_label, year (the last year available), projects, difficult,
    difficulty_rate (that year; NA when absent), in_tension (that year), years_observed (years
    with a known rate), years_in_tension, durable. Sorted by in_tension, durable, projects (all
    descending), then metier_code.
    `by` (e.g. basin_id): the métiers of each group of these columns (leading output columns,
    groups in ascending order; each group's rows are those the group alone would give).
    """
    keys = list(by)
    require_columns(
        by_metier,
        [*keys, YEAR, METIER_CODE, PROJECTS, DIFFICULT, DIFFICULTY_BASE, DIFFICULTY_RATE],
        what="les totaux par métier",
    )
    all_years = sorted({int(y) for y in (years if years is not None else by_metier[YEAR])})
    columns = [
        *keys,
        METIER_CODE,
        METIER_LABEL,
        FAMILY_CODE,
        FAMILY_LABEL,
        YEAR,
        PROJECTS,
        DIFFICULT,
        DIFFICULTY_RATE,
        IN_TENSION,
        YEARS_OBSERVED,
        YEARS_IN_TENSION,
        DURABLE,
    ]
    if not all_years or by_metier.empty:
        return pd.DataFrame({c: [] for c in columns})
    frame = by_metier.copy()
    for column in (METIER_LABEL, FAMILY_CODE, FAMILY_LABEL):
        if column not in frame.columns:
            frame[column] = pd.NA
    rate = frame[DIFFICULTY_RATE].astype("Float64")
    base = frame[DIFFICULTY_BASE].astype("Float64")
    frame[IN_TENSION] = ((rate >= threshold) & (base >= min_projects)).fillna(False).astype(bool)
    frame["_observed"] = rate.notna().astype("int64")
    on = [*keys, METIER_CODE]
    per_metier = frame.groupby(on, sort=True).agg(
        **{
            YEARS_OBSERVED: ("_observed", "sum"),
            YEARS_IN_TENSION: (IN_TENSION, "sum"),
        }
    )
    per_metier = per_metier[per_metier[YEARS_IN_TENSION] > 0]
    enough_years = len(all_years) >= min_years
    per_metier[DURABLE] = enough_years & (per_metier[YEARS_IN_TENSION] == len(all_years))

    last_year = all_years[-1]
    latest = frame.sort_values([*on, YEAR], kind="mergesort").drop_duplicates(on, keep="last")[
        [*on, METIER_LABEL, FAMILY_CODE, FAMILY_LABEL]
    ]
    in_last = frame.loc[
        frame[YEAR] == last_year, [*on, PROJECTS, DIFFICULT, DIFFICULTY_RATE, IN_TENSION]
    ]
    out = (
        per_metier.reset_index().merge(latest, on=on, how="left").merge(in_last, on=on, how="left")
    )
    out[YEAR] = last_year
    out[IN_TENSION] = out[IN_TENSION].fillna(False).astype(bool)
    out[DURABLE] = out[DURABLE].astype(bool)
    out[YEARS_OBSERVED] = out[YEARS_OBSERVED].astype("Int64")
    out[YEARS_IN_TENSION] = out[YEARS_IN_TENSION].astype("Int64")
    out = out.sort_values(
        [*keys, IN_TENSION, DURABLE, PROJECTS, METIER_CODE],
        ascending=[*([True] * len(keys)), False, False, False, True],
        na_position="last",
        kind="mergesort",
    )
    return out[columns].reset_index(drop=True)
