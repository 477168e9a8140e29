"""Saturated métiers and bridges of many bassins in one pass (diagnostics.analytics.saturation_pool):
a basin's share of the pool is, frame for frame, what `saturation` and `bridges` give for its
bassins alone (the frames of tests/diagnostics/analytics/test_saturation_bridges.py)."""

from __future__ import annotations

import pandas as pd

from diagnostics.analytics import bridges as br
from diagnostics.analytics import columns as c
from diagnostics.analytics import saturation as sat
from diagnostics.analytics.saturation_pool import saturation_pool
from tests.diagnostics.analytics.test_saturation_bridges import referential, tension_frame


def _more_bassins() -> pd.DataFrame:
    """The test frame plus bassin 5555, whose K1303 (surplus 150) ranks between 4418's
    K1303 (238) and D1507 (115) in a pool of every bassin, and its K1302 in tension."""
    extra = pd.DataFrame(
        {
            c.YEAR: [2021, 2021],
            c.BASSIN_BMO_CODE: ["5555", "5555"],
            c.ROME_CODE: ["K1303", "K1302"],
            c.OFFERS: [50.0, 90.0],
            c.JOB_SEEKERS_ABC: [200.0, 10.0],
            c.PUBLISHED_TENSION: [2.0, 4.0],
        }
    )
    frame = pd.concat([tension_frame(), extra], ignore_index=True)
    for column in (c.OFFERS, c.JOB_SEEKERS_ABC, c.PUBLISHED_TENSION):
        frame[column] = frame[column].astype("Float64")
    return frame


def _alone(tension: pd.DataFrame, bassins: list[str], year: int) -> dict[str, pd.DataFrame]:
    named = sat.with_referential(sat.saturated_metiers(tension, bassins=bassins), referential())
    targets = br.tension_targets(tension, bassins=bassins, year=year, min_tension=4)
    pairs = br.bridges(named, targets, referential=referential())
    per_target = br.bridge_targets(targets, pairs, referential=referential())
    return {"named": named, "pairs": pairs, "per_target": per_target}


def test_a_bassins_share_of_the_pool_equals_its_figures_alone():
    pool = saturation_pool(_more_bassins(), year=2021, referential=referential())
    # The pool holds every bassin of 2021 (9999's K1303: 900 seekers for 1 offer, first).
    assert pool.named[c.ROME_CODE].tolist()[:3] == ["K1303", "K1303", "K1303"]
    assert pool.named[c.BASSIN_BMO_CODE].tolist()[:3] == ["9999", "4418", "5555"]

    for bassins in (["4418"], ["5555"], ["4418", "5555"]):
        mine = pool.for_bassins(bassins)
        alone = _alone(_more_bassins(), bassins, 2021)
        for name, frame in alone.items():
            pd.testing.assert_frame_equal(mine[name], frame, check_index_type=True)

    both = pool.for_bassins(["5555", "4418"])
    # Ranked across the two bassins by surplus: 238 (4418), 150 (5555), 115, 30.
    assert both["named"][c.SURPLUS].tolist() == [238.0, 150.0, 115.0, 30.0]
    # K1303 of 5555 bridges to 5555's K1302; 4418's bridges are those of the test alone.
    assert both["pairs"][
        [c.BASSIN_BMO_CODE, c.ROME_CODE, c.TARGET_ROME_CODE]
    ].to_numpy().tolist() == [
        ["4418", "K1303", "K1302"],
        ["4418", "D1507", "D1502"],
        ["4418", "K1303", "K1304"],
        ["5555", "K1303", "K1302"],
    ]


def test_a_bassin_absent_from_the_pool_gets_empty_frames():
    pool = saturation_pool(tension_frame(), year=2021, referential=referential())
    mine = pool.for_bassins(["0000"])
    assert all(frame.empty for frame in mine.values())
    assert list(mine["pairs"].columns) == br.BRIDGE_COLUMNS
