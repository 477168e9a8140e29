"""The communes map table of a run (diagnostics.services.diagnostic_map_tables), hand-built."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.selectors.memo import chunk_memo
from diagnostics.services import diagnostic_map_tables as maps


@pytest.fixture(autouse=True)
def names(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        maps.selectors,
        "commune_names",
        lambda codes: {"52001": "Alpha", "52002": "Bêta", "52003": "Gamma", "52004": "Delta"},
    )


def crosswalk() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.COMMUNE_CODE: ["52001", "52002", "52003", "52004", "35001"],
            c.POPULATION: pd.array([8_000, 20_000, None, 8_000, 50_000], dtype="Int64"),
            c.DEPARTEMENT_CODE: ["52", "52", "52", "52", "35"],
        }
    )


def seekers() -> pd.DataFrame:
    rows = [
        ("commune", "52002", "2024-11", 900),
        ("commune", "52002", "2024-12", 1000),
        ("commune", "52001", "2024-11", 400),  # not published in December: no value shown
        ("commune", "52004", "2024-12", None),  # masked
        ("commune", "35001", "2025-01", 5000),  # another basin's later month
        ("departement", "52", "2024-12", 9000),
    ]
    return pd.DataFrame(
        {
            c.LEVEL: [r[0] for r in rows],
            c.GEO_CODE: [r[1] for r in rows],
            c.PERIOD: [r[2] for r in rows],
            c.VALUE: pd.array([r[3] for r in rows], dtype="Int64"),
        }
    )


def test_communes_by_population_with_the_basins_last_published_month():
    codes = ["52001", "52002", "52003", "52004"]
    out = maps.communes_map_table(codes, crosswalk=crosswalk(), job_seekers=seekers())
    # Population largest first, ties by code, unknown last.
    assert out[c.COMMUNE_CODE].tolist() == ["52002", "52001", "52004", "52003"]
    assert out[c.NAME].tolist() == ["Bêta", "Alpha", "Delta", "Gamma"]
    # The basin's last month with a published commune is 2024-12 (35001's 2025-01 is another
    # basin's): 52002 has 1,000 then; 52001 nothing that month; 52004 masked.
    assert out["job_seekers"].tolist() == [1000, pd.NA, pd.NA, pd.NA]
    assert out["job_seekers_period"].tolist() == ["2024-12", pd.NA, pd.NA, pd.NA]
    assert out["job_seekers_per_1000"].iloc[0] == 50.0  # 1,000 × 1,000 / 20,000
    assert out["job_seekers_per_1000"].isna().tolist() == [False, True, True, True]
    assert str(out[c.POPULATION].dtype) == "Int64"
    # The same inside a chunk of a national batch (the published rows located once).
    with chunk_memo():
        pd.testing.assert_frame_equal(
            maps.communes_map_table(codes, crosswalk=crosswalk(), job_seekers=seekers()), out
        )


def test_communes_without_job_seekers():
    out = maps.communes_map_table(["52001", "52002"], crosswalk=crosswalk(), job_seekers=None)
    assert out[c.COMMUNE_CODE].tolist() == ["52002", "52001"]
    assert out["job_seekers"].isna().all() and out["job_seekers_per_1000"].isna().all()
