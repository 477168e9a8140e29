"""Family changes from the rows' Python values (issue 16, engine speed) equal the pandas
filters and reindexes they replaced, to the bit: the former formula is kept here as the
reference and both run on seeded random families (absent families, unknown projects, missing
label or masked-cells columns)."""

import numpy as np
import pandas as pd

from diagnostics.analytics.sectors import FAMILY_CHANGE_COLUMNS, family_changes


def _reference(by_family):
    years = sorted(int(y) for y in by_family["year"].dropna().unique())
    first, last = years[0], years[-1]
    frame = by_family.copy()
    if "family_label" not in frame.columns:
        frame["family_label"] = ""
    if "masked_cells" not in frame.columns:
        frame["masked_cells"] = 0
    labels = (
        frame.sort_values("year", kind="mergesort")
        .drop_duplicates("family_code", keep="last")
        .set_index("family_code")["family_label"]
    )

    def at(year, column):
        rows = frame[frame["year"] == year].set_index("family_code")[column]
        return pd.to_numeric(rows).astype("float64")

    codes = sorted(set(frame["family_code"].astype(str)))
    start = at(first, "projects").reindex(codes).fillna(0.0)
    end = at(last, "projects").reindex(codes).fillna(0.0)
    out = pd.DataFrame(
        {
            "family_code": codes,
            "family_label": [labels.get(c, "") for c in codes],
            "first_period": str(first),
            "last_period": str(last),
            "start_value": start.to_numpy(),
            "end_value": end.to_numpy(),
        }
    )
    out["change"] = out["end_value"] - out["start_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["percent_change"] = np.where(
            out["start_value"] > 0, out["change"] / out["start_value"] * 100, np.nan
        )
    for name, year in (("start_masked_cells", first), ("end_masked_cells", last)):
        out[name] = at(year, "masked_cells").reindex(codes).fillna(0).astype("int64").to_numpy()
    for column in ("start_value", "end_value", "change", "percent_change"):
        out[column] = out[column].astype("Float64")
    out = out.sort_values(["change", "family_code"], ascending=[False, True], kind="mergesort")
    return out[FAMILY_CHANGE_COLUMNS].reset_index(drop=True)


def test_family_changes_equal_the_pandas_formulas_to_the_bit():
    rng = np.random.default_rng(5)
    compared = 0
    for trial in range(80):
        rows = [
            (
                year,
                f"{k:02d}",
                f"Famille {k}" + (f" ({year})" if rng.random() < 0.3 else ""),
                None if rng.random() < 0.1 else float(rng.integers(0, 900)) * rng.random(),
                None if rng.random() < 0.1 else int(rng.integers(0, 5)),
            )
            for year in (2019, 2021, 2023, 2025)
            if rng.random() < 0.8
            for k in range(int(rng.integers(1, 9)))
            if rng.random() < 0.7
        ]
        by_family = pd.DataFrame(
            rows, columns=["year", "family_code", "family_label", "projects", "masked_cells"]
        ).astype({"year": "int64", "projects": "Float64", "masked_cells": "Int64"})
        if trial % 4 == 0:
            by_family = by_family.drop(columns=["masked_cells"])
        if trial % 7 == 0:
            by_family = by_family.drop(columns=["family_label"])
        if by_family["year"].nunique() < 2:
            continue

        table = family_changes(by_family)

        pd.testing.assert_frame_equal(table, _reference(by_family), check_exact=True)
        compared += 1
    assert compared > 40
