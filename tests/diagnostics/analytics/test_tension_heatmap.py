"""The heat-map of the published tensions and its text (diagnostics.analytics.tension_heatmap):
the tiny frame of test_tensions_published.py."""

from __future__ import annotations

from diagnostics.analytics.tension_heatmap import tension_heatmap_caption, tension_heatmap_figure
from diagnostics.analytics.tension_vintages import tension_vintages
from diagnostics.analytics.tensions_published import factors_published, published_tensions
from tests.diagnostics.analytics.test_tensions_published import LABELS, tension_frame


def test_heatmap_has_one_panel_per_vintage_and_greys_unknown_cells():
    frame = tension_frame()
    published = published_tensions(frame, bassins=["4418"], labels=LABELS)
    vintages = tension_vintages(published, factors=factors_published(frame))

    fig = tension_heatmap_figure(vintages)

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
    # Names under 42 characters are not cut: the whole names are the axis' own.
    assert list(h2021.meta["labels"]) == list(h2021.y)
    assert h2021.customdata[0][6] == "Aménagement d'espaces verts (A1203)"
    assert h2021.hovertemplate.startswith("%{customdata}<br>")
    assert fig.layout.title.text.startswith("Tension publiée par métier")
    assert fig.layout.xaxis.title.text == "Indicateur et facteurs publiés (1 à 5)"
    assert fig.layout.yaxis.title.text == "Métier (code ROME)"


def test_heatmap_cuts_long_names_on_its_axis_only():
    frame = tension_frame()
    published = published_tensions(frame, bassins=["4418"], labels=LABELS)
    vintages = tension_vintages(published, factors=factors_published(frame))
    long_name = "Conduite d'engins de terrassement et de carrière et de levage"  # 61
    vintages.loc[vintages.index[0], "rome_label"] = long_name

    trace = tension_heatmap_figure(vintages).data[0]

    # The axis: the first 41 characters and « … »; the hover and the data table: whole.
    code = vintages["rome_code"].iloc[0]
    assert trace.y[0] == f"Conduite d'engins de terrassement et de c… ({code})"
    assert trace.meta["labels"][0] == f"{long_name} ({code})"
    assert trace.customdata[0][0] == f"{long_name} ({code})"


def test_heatmap_caption_names_the_strongest_and_the_unpublished_factors():
    frame = tension_frame()
    published = published_tensions(frame, bassins=["4418"], labels=LABELS)
    vintages = tension_vintages(published, factors=factors_published(frame))

    text = tension_heatmap_caption(vintages)

    assert "pour 3 métier(s)" in text
    assert "En 2021, 1 métier(s) au niveau de tension le plus fort (5) : Aménagement" in text
    assert "Les facteurs ne sont pas publiés en 2019" in text
