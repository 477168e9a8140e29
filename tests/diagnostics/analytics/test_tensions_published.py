"""Published tension indicator and factors (diagnostics.analytics.tensions_published): tiny
hand-made frames, values read off the frames themselves."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.analytics import tensions_published as tp

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
    assert tp.factors_published(tension_frame()) == {
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
    out = tp.published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)

    assert list(out.columns) == tp.PUBLISHED_COLUMNS
    assert out[[c.YEAR, c.ROME_CODE]].to_numpy().tolist() == [
        [2019, "K1302"],
        [2021, "A1203"],
        [2021, "D1507"],
        [2021, "K1302"],
    ]
    assert out[c.PUBLISHED_TENSION].tolist() == [4, 5, 1, 3]
    assert out[tp.ROME_LABEL].tolist()[2] == ""  # no label in the referential: not guessed
    assert out[c.TRAINING_JOB_LINK].isna().tolist() == [True, False, False, True]
    assert str(out[c.HIRING_INTENSITY].dtype) == "Int64"


def test_records_carry_pinned_factor_keys_and_null_for_unknown():
    published = tp.published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)

    records = tp.published_tension_records(published)

    assert len(records) == 4
    assert records[0] == {
        "year": 2019,
        "bassin_bmo": "4418",
        "rome": "K1302",
        "label": "Assistance auprès d'adultes",
        "tension": 4,
        "factors": dict.fromkeys(tp.FACTOR_LABELS),
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
    published = tp.published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)
    records = tp.published_tension_records(published)

    stored = tp.published_tension_rows(records)

    assert stored["columns"][:5] == ["year", "bassin_bmo", "rome", "label", "tension"]
    assert stored["rows"][0][:5] == [2019, "4418", "K1302", "Assistance auprès d'adultes", 4]
    assert stored["rows"][0][5:] == [None] * 6 + [178.0, 116.0]
    assert stored["rows"][1][5:11] == [4, 1, 3, 4, 4, 3]  # the six factors, FACTOR_KEYS order
    assert tp.published_tension_records_of(stored) == records
    assert len(json.dumps(stored)) < len(json.dumps(records)) / 2


def test_records_of_a_run_stored_before_the_rows_are_read_as_they_are():
    published = tp.published_tensions(tension_frame(), bassins=["4418"], labels=LABELS)
    records = tp.published_tension_records(published)

    assert tp.published_tension_records_of(records) == records
    assert tp.published_tension_records_of(None) == []
    assert tp.published_tension_records_of({"columns": tp.RECORD_COLUMNS, "rows": []}) == []


def test_vintages_side_by_side_say_absent_not_published_and_blank():
    frame = tension_frame()
    published = tp.published_tensions(frame, bassins=["4418"], labels=LABELS)

    out = tp.tension_vintages(published, factors=tp.factors_published(frame))

    # Sorted by 2021 tension, strongest first.
    assert out[c.ROME_CODE].tolist() == ["A1203", "K1302", "D1507"]
    assert out[tp.VINTAGES].tolist() == ["2021 seulement", "2019 et 2021", "2021 seulement"]
    assert out["tension_2019"].tolist() == ["absent", 4, "absent"]
    assert out["hiring_intensity_2019"].tolist() == ["absent", "non publié", "absent"]
    assert out["tension_2021"].tolist() == [5, 3, 1]
    assert out["training_job_link_2021"].tolist() == [3, "non renseigné", 1]
    assert 0 not in out.drop(columns=[c.BASSIN_BMO_CODE, c.ROME_CODE]).to_numpy().ravel().tolist()
    assert len(out.columns) == 4 + 2 * 7


def test_vintages_rank_a_metier_absent_from_the_last_year_last():
    frame = tension_frame()
    published = tp.published_tensions(frame, bassins=["4418", "9999"], labels=LABELS)

    out = tp.tension_vintages(published, factors=tp.factors_published(frame))

    # 9999/K1302 is only in 2019: after every 2021 row.
    assert out[[c.BASSIN_BMO_CODE, c.ROME_CODE]].to_numpy().tolist()[-1] == ["9999", "K1302"]
    assert out[tp.VINTAGES].tolist()[-1] == "2019 seulement"


def test_heatmap_has_one_panel_per_vintage_and_greys_unknown_cells():
    frame = tension_frame()
    published = tp.published_tensions(frame, bassins=["4418"], labels=LABELS)
    vintages = tp.tension_vintages(published, factors=tp.factors_published(frame))

    fig = tp.tension_heatmap_figure(vintages)

    assert [t.name for t in fig.data] == ["2019", "2021"]
    h2019, h2021 = fig.data
    assert list(h2021.x) == [
        "Indicateur de tension",
        "Intensité des embauches",
        "Manque de main-d'œuvre disponible",
        "Non-durabilité de l'emploi",
        "Conditions de travail contraignantes",
        "Inadéquation géographique",
        "Lien formation-emploi",
    ]
    assert list(h2021.z[0]) == [5.0, 4.0, 1.0, 3.0, 4.0, 4.0, 3.0]
    assert h2019.z[1][0] == 4.0 and h2019.z[1][1] is None
    assert h2019.text[1][1] == "non publié" and h2019.text[0][0] == "absent"
    assert h2021.text[1][6] == "non renseigné" and h2021.z[1][6] is None
    assert h2021.y[0] == "Aménagement d'espaces verts (A1203)"
    assert fig.layout.title.text.startswith("Tension publiée par métier")
    assert fig.layout.xaxis.title.text == "Indicateur et facteurs publiés (1 à 5)"
    assert fig.layout.yaxis.title.text == "Métier (code ROME)"


def test_heatmap_caption_names_the_strongest_and_the_unpublished_factors():
    frame = tension_frame()
    published = tp.published_tensions(frame, bassins=["4418"], labels=LABELS)
    vintages = tp.tension_vintages(published, factors=tp.factors_published(frame))

    text = tp.tension_heatmap_caption(vintages)

    assert "pour 3 métier(s)" in text
    assert "En 2021, 1 métier(s) au niveau de tension le plus fort (5) : Aménagement" in text
    assert "Les facteurs ne sont pas publiés en 2019" in text


def test_published_tensions_refuses_a_frame_without_the_indicator():
    with pytest.raises(ValueError, match="published_tension"):
        tp.published_tensions(
            tension_frame().drop(columns=[c.PUBLISHED_TENSION]), bassins=["4418"], labels={}
        )
