"""The published tension rows as JSON records and as stored in a run's document
(diagnostics.analytics.tension_records): the tiny frame of test_tensions_published.py."""

from __future__ import annotations

import json

from diagnostics.analytics.tension_records import (
    RECORD_COLUMNS,
    published_tension_records,
    published_tension_records_of,
    published_tension_rows,
)
from diagnostics.analytics.tensions_published import FACTOR_LABELS, published_tensions
from tests.diagnostics.analytics.test_tensions_published import LABELS, tension_frame


def test_records_carry_pinned_factor_keys_and_null_for_unknown():
    published = published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)

    records = published_tension_records(published)

    assert len(records) == 4
    assert records[0] == {
        "year": 2019,
        "bassin_bmo": "4418",
        "rome": "K1302",
        "label": "Assistance auprès d'adultes",
        "tension": 4,
        "factors": dict.fromkeys(FACTOR_LABELS),
        "offers": 178.0,
        "job_seekers_abc": 116.0,
    }
    assert records[1]["factors"] == {
        "hiring_intensity": 4,
        "labour_shortage": 1,
        "non_durable_employment": 3,
        "working_conditions": 4,
        "geographic_mismatch": 4,
        "training_job_link": 3,
    }
    assert records[3]["factors"]["training_job_link"] is None  # blank in the file
    assert records[3]["factors"]["geographic_mismatch"] == 1


def test_rows_store_the_records_once_and_give_them_back():
    published = published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)
    records = published_tension_records(published)

    stored = published_tension_rows(records)

    assert stored["columns"][:5] == ["year", "bassin_bmo", "rome", "label", "tension"]
    assert stored["rows"][0][:5] == [2019, "4418", "K1302", "Assistance auprès d'adultes", 4]
    assert stored["rows"][0][5:] == [None] * 6 + [178.0, 116.0]
    assert stored["rows"][1][5:11] == [4, 1, 3, 4, 4, 3]  # the six factors, FACTOR_KEYS order
    assert published_tension_records_of(stored) == records
    assert len(json.dumps(stored)) < len(json.dumps(records)) / 2


def test_records_of_a_run_stored_before_the_rows_are_read_as_they_are():
    published = published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)
    records = published_tension_records(published)

    assert published_tension_records_of(records) == records
    assert published_tension_records_of(None) == []
    assert published_tension_records_of({"columns": RECORD_COLUMNS, "rows": []}) == []
