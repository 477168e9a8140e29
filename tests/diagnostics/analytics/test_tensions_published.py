"""Published tension indicator and factors (diagnostics.analytics.tensions_published): tiny
hand-made frames, values read off the frames themselves."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.analytics.tensions_published import (
    PUBLISHED_COLUMNS,
    ROME_LABEL,
    factors_published,
    published_tensions,
)

NA = pd.NA
FACTORS = [
    c.HIRING_INTENSITY,
    c.LACK_OF_LABOUR,
    c.NON_DURABLE_EMPLOYMENT,
    c.WORKING_CONDITIONS,
    c.GEOGRAPHIC_MISMATCH,
    c.TRAINING_JOB_LINK,
]
LABELS = {"K1302": "Assistance auprès d'adultes", "A1203": "Aménagement d'espaces verts"}


def tension_frame() -> pd.DataFrame:
    # year, bassin, rome, offers, seekers, tension, then factors in FACTORS order.
    rows = [
        (2019, "4418", "K1302", 178.0, 116.0, 4, *[NA] * 6),
        (2019, "9999", "K1302", 1.0, 1.0, 1, *[NA] * 6),
        (2021, "4418", "A1203", 42.78, 95.75, 5, 4, 1, 3, 4, 4, 3),
        (2021, "4418", "K1302", 10.0, 20.0, 3, 2, 2, 4, 3, 1, NA),
        (2021, "4418", "D1507", 37.2, 151.75, 1, 5, 1, 4, 5, 2, 1),
        (2021, "9999", "A1203", 3.0, 3.0, 2, 1, 1, 1, 1, 1, 1),
    ]
    columns = [c.YEAR, c.BASSIN_BMO_CODE, c.ROME_CODE, c.OFFERS, c.JOB_SEEKERS_ABC]
    columns += [c.PUBLISHED_TENSION, *FACTORS]
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns[3:]:
        frame[column] = frame[column].astype("Float64")
    return frame


def test_factors_published_per_year_none_in_2019():
    assert factors_published(tension_frame()) == {
        2019: [],
        2021: [
            "hiring_intensity",
            "labour_shortage",
            "non_durable_employment",
            "working_conditions",
            "geographic_mismatch",
            "training_job_link",
        ],
    }


def test_published_tensions_keeps_the_bassins_rows_as_published():
    out = published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)

    assert list(out.columns) == PUBLISHED_COLUMNS
    assert out[[c.YEAR, c.ROME_CODE]].to_numpy().tolist() == [
        [2019, "K1302"],
        [2021, "A1203"],
        [2021, "D1507"],
        [2021, "K1302"],
    ]
    assert out[c.PUBLISHED_TENSION].tolist() == [4, 5, 1, 3]
    assert out[ROME_LABEL].tolist()[2] == ""  # no label in the referential: not guessed
    assert out[c.TRAINING_JOB_LINK].isna().tolist() == [True, False, False, True]
    assert str(out[c.HIRING_INTENSITY].dtype) == "Int64"


def test_published_tensions_refuses_a_frame_without_the_indicator():
    with pytest.raises(ValueError, match="published_tension"):
        published_tensions(
            tension_frame().drop(columns=[c.PUBLISHED_TENSION]), bassins=["4418"], labels={}
        )
