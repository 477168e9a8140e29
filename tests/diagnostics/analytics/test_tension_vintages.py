"""The published tension vintages side by side (diagnostics.analytics.tension_vintages): the
tiny frame of test_tensions_published.py."""

from __future__ import annotations

from diagnostics.analytics import columns as c
from diagnostics.analytics.tension_vintages import tension_vintages
from diagnostics.analytics.tensions_published import VINTAGES, factors_published, published_tensions
from tests.diagnostics.analytics.test_tensions_published import LABELS, tension_frame


def test_vintages_side_by_side_say_absent_not_published_and_blank():
    frame = tension_frame()
    published = published_tensions(frame, bassins=["4418"], labels=LABELS)

    out = tension_vintages(published, factors=factors_published(frame))

    # Sorted by 2021 tension, strongest first.
    assert out[c.ROME_CODE].tolist() == ["A1203", "K1302", "D1507"]
    assert out[VINTAGES].tolist() == ["2021 seulement", "2019 et 2021", "2021 seulement"]
    assert out["tension_2019"].tolist() == ["absent", 4, "absent"]
    assert out["hiring_intensity_2019"].tolist() == ["absent", "non publié", "absent"]
    assert out["tension_2021"].tolist() == [5, 3, 1]
    assert out["training_job_link_2021"].tolist() == [3, "non renseigné", 1]
    assert 0 not in out.drop(columns=[c.BASSIN_BMO_CODE, c.ROME_CODE]).to_numpy().ravel().tolist()
    assert len(out.columns) == 4 + 2 * 7


def test_vintages_rank_a_metier_absent_from_the_last_year_last():
    frame = tension_frame()
    published = published_tensions(frame, bassins=["4418", "9999"], labels=LABELS)

    out = tension_vintages(published, factors=factors_published(frame))

    # 9999/K1302 is only in 2019: after every 2021 row.
    assert out[[c.BASSIN_BMO_CODE, c.ROME_CODE]].to_numpy().tolist()[-1] == ["9999", "K1302"]
    assert out[VINTAGES].tolist()[-1] == "2019 seulement"
