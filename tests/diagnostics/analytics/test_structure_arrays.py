"""Location quotients and shift-share on plain arrays (issue 16, engine speed) give the figures
of the nullable-Float64 pandas formulas they replaced, to the bit: those formulas are kept
here as the reference and both are run on seeded random frames (absent keys, unknown values,
zero totals, empty frames)."""

import math

import numpy as np
import pandas as pd
import pytest

from diagnostics.analytics.structure import location_quotients, shift_share


def _reference_location_quotients(local, reference, *, key, value, threshold=1.2):
    merged = (
        local[[key, value]]
        .rename(columns={value: "local_value"})
        .merge(
            reference[[key, value]].rename(columns={value: "reference_value"}), on=key, how="outer"
        )
        .sort_values(key, kind="mergesort")
        .reset_index(drop=True)
    )
    e = merged["local_value"].astype("Float64").mask(~merged[key].isin(local[key]), 0.0)
    big_e = merged["reference_value"].astype("Float64").mask(~merged[key].isin(reference[key]), 0.0)
    e_total, big_total = e.sum(), big_e.sum()
    local_share = e / e_total if e_total > 0 else e * pd.NA
    reference_share = big_e / big_total if big_total > 0 else big_e * pd.NA
    lq = (local_share / reference_share.where(reference_share > 0)).astype("Float64")
    out = merged.copy()
    out["local_value"] = e
    out["local_share"] = local_share.astype("Float64")
    out["reference_value"] = big_e
    out["reference_share"] = reference_share.astype("Float64")
    out["location_quotient"] = lq
    out["concentrated"] = (lq > threshold).astype("boolean")
    return out[
        [key, "local_value", "local_share", "reference_value", "reference_share"]
        + ["location_quotient", "concentrated"]
    ]


def _reference_shift_share(local, reference, *, key, value, start, end, time="year"):
    def wide(frame):
        columns = {}
        for year in (start, end):
            rows = frame[frame[time] == year]
            columns[year] = pd.Series(
                rows[value].astype("Float64").to_numpy(), index=rows[key].to_numpy()
            )
        out = pd.DataFrame(columns)
        for year in (start, end):
            present = out.index.isin(columns[year].index)
            out[year] = out[year].astype("Float64").mask(~present, 0.0)
        return out

    loc, ref = wide(local), wide(reference)
    keys = sorted(set(loc.index) | set(ref.index))
    loc, ref = loc.reindex(keys).fillna(0.0), ref.reindex(keys).fillna(0.0)
    e_start, e_end = loc[start].astype("Float64"), loc[end].astype("Float64")
    n_start, n_end = ref[start].astype("Float64"), ref[end].astype("Float64")
    total_start, total_end = n_start.sum(), n_end.sum()
    g_n = total_end / total_start - 1 if total_start > 0 else math.nan
    g_in = (n_end / n_start.where(n_start > 0) - 1).astype("Float64")
    g_ir = (e_end / e_start.where(e_start > 0) - 1).astype("Float64")
    change = e_end - e_start
    national = e_start * g_n if not math.isnan(g_n) else e_start * pd.NA
    mix = (e_start * (g_in - g_n)).astype("Float64").mask(e_start == 0, 0.0)
    regional = change - national - mix
    out = pd.DataFrame(
        {
            key: keys,
            "start_value": e_start.to_numpy(),
            "end_value": e_end.to_numpy(),
            "change": change.to_numpy(),
            "local_growth": g_ir.to_numpy(),
            "reference_growth": g_in.to_numpy(),
            "national_share": national.astype("Float64").to_numpy(),
            "industry_mix": mix.to_numpy(),
            "regional_shift": regional.astype("Float64").to_numpy(),
        }
    )
    for column in out.columns[1:]:
        out[column] = out[column].astype("Float64")
    return out


def _value(rng):
    if rng.random() < 0.12:
        return None
    if rng.random() < 0.15:
        return 0.0
    return float(rng.integers(0, 500)) * (rng.random() if rng.random() < 0.5 else 1.0)


def _families(rng, keys, dtype):
    chosen = [k for k in keys if rng.random() < 0.7]
    values = [_value(rng) for _ in chosen]
    frame = pd.DataFrame({"family": pd.array(chosen, dtype="str")})
    frame["projects"] = pd.array(values, dtype="Float64")
    if dtype == "float64":
        frame["projects"] = frame["projects"].astype("float64")
    return frame


@pytest.mark.parametrize("seed", range(2))
def test_location_quotients_equal_the_pandas_formulas_to_the_bit(seed):
    rng = np.random.default_rng(seed)
    for trial in range(60):
        keys = [f"F{i}" for i in range(int(rng.integers(0, 12)))]
        dtype = "float64" if trial % 3 == 0 else "Float64"
        local, reference = _families(rng, keys, dtype), _families(rng, keys, dtype)
        if trial % 7 == 0:
            local = local.assign(projects=0.0)

        table = location_quotients(local, reference, key="family", value="projects")

        expected = _reference_location_quotients(local, reference, key="family", value="projects")
        pd.testing.assert_frame_equal(table, expected, check_exact=True)


@pytest.mark.parametrize("seed", range(2))
def test_shift_share_equals_the_pandas_formulas_to_the_bit(seed):
    rng = np.random.default_rng(seed)
    for trial in range(60):
        keys = [f"F{i}" for i in range(int(rng.integers(0, 10)))]

        def frame(keys=keys):
            rows = [
                (y, k, _value(rng)) for y in (2020, 2022, 2024) for k in keys if rng.random() < 0.7
            ]
            return pd.DataFrame(
                {
                    "year": pd.array([r[0] for r in rows], dtype="int64"),
                    "family": pd.array([r[1] for r in rows], dtype="str"),
                    "projects": pd.array([r[2] for r in rows], dtype="Float64"),
                }
            )

        local, reference = frame(), frame()
        if trial % 5 == 0:
            reference = reference.assign(projects=0.0)  # no reference growth: g_N unknown

        table = shift_share(local, reference, key="family", value="projects", start=2020, end=2024)

        expected = _reference_shift_share(
            local, reference, key="family", value="projects", start=2020, end=2024
        )
        pd.testing.assert_frame_equal(table, expected, check_exact=True)


def test_location_quotients_refuse_a_missing_key():
    local = pd.DataFrame({"family": ["I", None], "projects": [60, 40]})
    with pytest.raises(ValueError, match="Clés manquantes"):
        location_quotients(local, local, key="family", value="projects")
