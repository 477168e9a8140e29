"""Published tensions of many bassins in one pass (diagnostics.analytics.tensions_pool): a
basin's share of the pool is, frame for frame and record for record, what
`tensions_published` gives for its bassins alone (frame of test_tensions_published.py)."""

from __future__ import annotations

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.tension_records import published_tension_records
from diagnostics.analytics.tension_vintages import tension_vintages, vintage_years
from diagnostics.analytics.tensions_pool import published_pool
from diagnostics.analytics.tensions_published import VINTAGES, factors_published, published_tensions
from tests.diagnostics.analytics.test_tensions_published import LABELS, tension_frame


def _with_a_2021_only_bassin() -> pd.DataFrame:
    frame = tension_frame()
    extra = frame[(frame[c.BASSIN_BMO_CODE] == "9999") & (frame[c.YEAR] == 2021)].assign(
        **{c.BASSIN_BMO_CODE: "7777"}
    )
    return pd.concat([frame, extra], ignore_index=True)


def _alone(tension: pd.DataFrame, bassins: list[str]):
    factors = factors_published(tension)
    published = published_tensions(tension, bassins=bassins, labels=LABELS)
    return (
        published,
        published_tension_records(published),
        tension_vintages(published, factors=factors),
    )


def test_a_bassins_share_of_the_pool_equals_its_published_tensions_alone():
    tension = _with_a_2021_only_bassin()
    pool = published_pool(tension, labels=LABELS, factors=factors_published(tension))
    assert pool.years == [2019, 2021]

    for bassins in (["4418"], ["4418", "9999"], ["7777"], ["7777", "4418"]):
        mine = pool.for_bassins(bassins)
        published, records, vintages = _alone(tension, bassins)
        pd.testing.assert_frame_equal(mine.published, published)
        assert mine.records == records
        assert mine.vintages is not None
        pd.testing.assert_frame_equal(mine.vintages, vintages)

    # 7777 publishes only in 2021: its table has the 2021 columns only, « 2021 seulement »
    # (computed from its own rows, not cut from the pool's 2019 + 2021 table).
    alone = pool.for_bassins(["7777"]).vintages
    assert alone is not None
    assert vintage_years(alone) == [2021]
    assert set(alone[VINTAGES]) == {"2021"}


def test_records_handed_out_are_the_basins_own_copies():
    tension = tension_frame()
    pool = published_pool(tension, labels=LABELS, factors=factors_published(tension))
    first = pool.for_bassins(["4418"]).records
    first[0]["factors"]["hiring_intensity"] = 99
    first[0]["tension"] = 0
    again = pool.for_bassins(["4418"]).records
    assert again[0]["tension"] == 4 and again[0]["factors"]["hiring_intensity"] is None


def test_a_bassin_without_published_rows_gets_no_table():
    tension = tension_frame()
    mine = published_pool(tension, labels=LABELS, factors={}).for_bassins(["0000"])
    assert mine.published.empty and mine.records == [] and mine.vintages is None
