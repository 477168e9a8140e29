"""Chart builders: plain traces only (offline), breaks shown, colours from the scale."""

import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from diagnostics.analytics.charts import (
    job_seekers_figure,
    line_chart,
    projects_figure,
    top_metiers_figure,
    unemployment_figure,
)
from diagnostics.analytics.choropleth import (
    NA_COLOUR,
    SEQUENTIAL_SCALE,
    choropleth_figure,
    colour_for,
)
from diagnostics.analytics.columns import (
    DIFFICULT,
    ESTIMATED,
    JOB_SEEKERS_ABC,
    METIER_CODE,
    METIER_LABEL,
    OFFERS,
    PERIOD,
    PROJECTS,
    RATE,
    ROME_CODE,
    ROME_LABEL,
    SEASONAL,
    VALUE,
    YEAR,
)
from diagnostics.analytics.prospective_charts import saturated_figure

OFFLINE_TRACE_TYPES = {"scatter", "bar"}


def test_line_chart_leaves_a_gap_for_a_missing_quarter():
    series = pd.DataFrame(
        {
            PERIOD: ["2023-T1", "2022-T3", "2023-T2"],
            RATE: [6.0, 7.0, 6.2],
            ESTIMATED: [False, False, True],
        }
    )

    fig = line_chart(series, series={RATE: "Bassin"}, y_title="%")

    trace = fig.data[0]
    # 2022-T4 is absent: a None in the line (not joined) and an annotation naming it.
    assert list(trace.x) == ["2022-T3", "2022-T4", "2023-T1", "2023-T2"]
    assert list(trace.y) == [7.0, None, 6.0, 6.2]
    assert trace.connectgaps is False
    assert fig.layout.meta["gaps"] == ["2022-T4"]
    assert "2022-T4 manque" in fig.layout.annotations[0].text
    # The estimated point is hollow and says so on hover.
    assert list(trace.marker.color) == ["#000091", "#000091", "#000091", "white"]
    assert trace.text[3] == "6,2 (estimé)"


def test_unemployment_figure_draws_the_basin_region_and_france():
    table = pd.DataFrame(
        {
            PERIOD: ["2023-T2", "2023-T3"],
            RATE: [5.7, 5.9],
            ESTIMATED: [False, False],
            "region_rate": [7.2, 7.5],
            "france_rate": [7.3, 7.4],
        }
    )

    fig = unemployment_figure(table)

    assert [t.name for t in fig.data] == ["Bassin", "Région", "France"]
    assert list(fig.data[2].y) == [7.3, 7.4]
    assert fig.data[0].text[1] == "5,9\u202f%"
    assert fig.layout.separators == ", "
    assert {t.type for t in fig.data} <= OFFLINE_TRACE_TYPES


def test_job_seekers_figure_formats_thousands_the_french_way():
    table = pd.DataFrame({PERIOD: ["2024-01"], VALUE: [12345.0], ESTIMATED: [True]})

    fig = job_seekers_figure(table)

    assert fig.data[0].text[0] == "12\u202f345 (estimé)"


def test_projects_figure_keeps_an_empty_slot_for_a_missing_survey_year():
    years = pd.DataFrame(
        {
            YEAR: [2023, 2025],
            PROJECTS: [50, 52],
            DIFFICULT: [39, 42],
            SEASONAL: [6, None],
            ESTIMATED: [False, False],
        }
    )

    fig = projects_figure(years)

    assert [t.name for t in fig.data] == [
        "Projets de recrutement",
        "dont jugés difficiles",
        "dont saisonniers",
    ]
    assert list(fig.data[0].x) == ["2023", "2024", "2025"]
    assert list(fig.data[0].y) == [50, None, 52]
    assert list(fig.data[2].y) == [6, None, None]
    assert fig.layout.meta["gaps"] == ["2024"]
    assert {t.type for t in fig.data} == {"bar"}


def test_top_metiers_figure_puts_the_largest_on_top():
    metiers = pd.DataFrame(
        {
            METIER_CODE: ["M1", "M2", "M3", "M4"],
            METIER_LABEL: ["Cuisiniers", "Serveurs", "Soudeurs", "Secret"],
            PROJECTS: [30, 50, 10, None],
        }
    )

    fig = top_metiers_figure(metiers)

    # Plotly draws horizontal bars bottom-up: ascending order puts 50 at the top; the
    # unknown one is left out.
    assert list(fig.data[0].y) == ["Soudeurs", "Cuisiniers", "Serveurs"]
    assert list(fig.data[0].x) == [10, 30, 50]
    assert fig.data[0].orientation == "h"


def test_top_metiers_figure_shortens_the_axis_only():
    long_name = "Conducteurs d'engins de terrassement, de carrière et de travaux publics"  # 71
    metiers = pd.DataFrame({METIER_CODE: ["F1302"], METIER_LABEL: [long_name], PROJECTS: [12]})

    trace = top_metiers_figure(metiers).data[0]

    # The axis: its first 47 characters and « … »; the hover and the chart's caption and
    # data table (`meta.labels`, cnam/charts.js): the whole name.
    assert list(trace.y) == ["Conducteurs d&#x27;engins de terrassement, de carriè…"]
    assert trace.meta["labels"] == [
        "Conducteurs d&#x27;engins de terrassement, de carrière et de travaux publics"
    ]
    assert trace.customdata[0][2] == trace.meta["labels"][0]
    assert trace.hovertemplate.startswith("%{customdata[2]} (%{customdata[0]})")


def test_saturated_figure_gives_whole_names_beside_the_shortened_axis():
    long_label = "Conduite d'engins de terrassement et de carrière et de levage"  # 61
    saturated = pd.DataFrame(
        {
            ROME_CODE: ["F1302"],
            ROME_LABEL: [long_label],
            OFFERS: [4.0],
            JOB_SEEKERS_ABC: [30.0],
        }
    )

    figure = saturated_figure(saturated)

    whole = "Conduite d&#x27;engins de terrassement et de carrière et de levage (F1302)"
    for trace in figure.data:  # job seekers and offers, the same categories
        assert list(trace.y) == ["Conduite d&#x27;engins de terrassement et de carri… (F1302)"]
        assert trace.meta["labels"] == [whole]
        assert list(trace.customdata) == [whole]
        assert trace.hovertemplate.startswith("%{customdata}<br>")


def test_colour_for_spans_the_scale():
    assert colour_for(0, low=0, high=10, scale=SEQUENTIAL_SCALE) == "rgb(245, 245, 254)"
    assert colour_for(10, low=0, high=10, scale=SEQUENTIAL_SCALE) == "rgb(0, 0, 145)"
    # Values outside the range are clamped.
    assert colour_for(99, low=0, high=10, scale=SEQUENTIAL_SCALE) == "rgb(0, 0, 145)"


def test_choropleth_figure_fills_polygons_from_the_scale_with_a_colour_bar():
    frame = pd.DataFrame(
        {
            "code": ["52121", "52448", "52332", "52999"],
            "name": ["Chaumont", "Saint-Dizier", "Langres", "Sans contour"],
            "geometry": [
                box(5.0, 48.0, 5.2, 48.2),
                box(4.9, 48.6, 5.1, 48.7).__geo_interface__,  # GeoJSON dicts work too
                Polygon([(5.3, 47.8), (5.4, 47.8), (5.35, 47.9)]),
                None,
            ],
            "value": pd.array([10.0, 30.0, None, 20.0], dtype="Float64"),
        }
    )

    fig = choropleth_figure(frame, value="value", value_title="Demandeurs pour 1 000 hab.")

    polygons, scale = fig.data[:-1], fig.data[-1]
    assert len(polygons) == 3  # the row without geometry is skipped and counted
    assert fig.layout.meta["without_geometry"] == 1
    assert all(t.type == "scatter" and t.fill == "toself" for t in polygons)
    # Lowest known value → the light end of the scale, highest → bleu France, unknown → grey.
    assert polygons[0].fillcolor == "rgb(245, 245, 254)"
    assert polygons[1].fillcolor == "rgb(0, 0, 145)"
    assert polygons[2].fillcolor == NA_COLOUR
    assert polygons[2].name == "Donnée non disponible"
    assert polygons[2].showlegend is True
    assert "<b>Langres</b> (52332)" in polygons[2].text
    assert "non disponible" in polygons[2].text
    assert "10,0" in polygons[0].text
    # The colour bar rides on an invisible marker trace.
    assert scale.mode == "markers"
    assert scale.marker.showscale is True
    assert scale.marker.opacity == 0
    assert (scale.marker.cmin, scale.marker.cmax) == (10.0, 30.0)
    assert scale.marker.colorbar.title.text == "Demandeurs pour 1 000 hab."
    assert {t.type for t in fig.data} <= OFFLINE_TRACE_TYPES
    assert fig.layout.xaxis.visible is False


def test_choropleth_figure_without_any_polygon_says_so():
    frame = pd.DataFrame({"code": ["1"], "name": ["x"], "geometry": [None], "value": [1.0]})

    fig = choropleth_figure(frame, value="value", value_title="x")

    assert len(fig.data) == 0
    assert "Aucun contour" in fig.layout.annotations[0].text


def test_choropleth_figure_names_missing_columns():
    with pytest.raises(ValueError, match="Colonnes manquantes dans la carte : value"):
        choropleth_figure(
            pd.DataFrame({"code": [], "name": [], "geometry": []}), value="value", value_title="x"
        )
