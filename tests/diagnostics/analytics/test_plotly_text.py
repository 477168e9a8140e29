"""Security review, finding 4: names typed by users (a basin's name) or read from files (a
commune's, a lycée's, a site's) go into plotly's hover text, which plotly renders as
pseudo-HTML. Every chart builder escapes them with ONE helper, `common.plotly_text`: the name
is shown as typed, never parsed as a tag. Pure: no database."""

from __future__ import annotations

import json

import pandas as pd
from shapely.geometry import box, mapping

from diagnostics.analytics.charts import top_metiers_figure
from diagnostics.analytics.choropleth import choropleth_figure
from diagnostics.analytics.common import plotly_text
from diagnostics.analytics.maps import MAP_COMMUNE_COLUMNS, MapPoint, basin_map_figure
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_maps as pm
from implantations.analytics.columns import POINT_COLUMNS, SITE_COLUMNS
from implantations.analytics.maps import cnam_sites_figure

EVIL = "<b onmouseover=alert(1)>X</b>"
ESCAPED = "&lt;b onmouseover=alert(1)&gt;X&lt;/b&gt;"


def _assert_safe(figure) -> None:  # type: ignore[no-untyped-def]
    dumped = json.dumps(figure.to_plotly_json(), default=str)
    assert "onmouseover=alert(1)>" not in dumped
    assert ESCAPED in dumped


def test_plotly_text_escapes_tags_quotes_and_ampersands():
    assert plotly_text(EVIL) == ESCAPED
    assert plotly_text('Saint-Dié & "Vosges"') == "Saint-Dié &amp; &quot;Vosges&quot;"
    assert plotly_text(None) == ""
    assert plotly_text(52121) == "52121"


def test_region_choropleth_escapes_a_basins_name():
    frame = pd.DataFrame(
        {
            "code": ["7"],
            "name": [EVIL],
            "geometry": [mapping(box(5.0, 48.0, 5.2, 48.2))],
            "rate": [7.5],
        }
    )

    figure = choropleth_figure(frame, value="rate", value_title="Taux de chômage (%)")

    polygon = figure.data[0]
    assert polygon.text == f"<b>{ESCAPED}</b> (7)<br>Taux de chômage (%) : 7,5"
    assert polygon.name == ESCAPED
    _assert_safe(figure)


def test_top_metiers_escapes_labels_shown_in_the_hover():
    frame = pd.DataFrame({"metier_code": ["A0Z40"], "metier_label": [EVIL], "projects": [12.0]})

    figure = top_metiers_figure(frame)

    assert list(figure.data[0].y) == [ESCAPED]
    _assert_safe(figure)


def test_basin_map_escapes_communes_main_town_and_site():
    communes = pd.DataFrame.from_records(
        [("52121", EVIL, 20_827, 48.05, 2.05, box(2.0, 48.0, 2.1, 48.1))],
        columns=MAP_COMMUNE_COLUMNS,
    )

    figure = basin_map_figure(
        communes=communes,
        main_town=MapPoint(label=EVIL, lon=2.05, lat=48.05, detail="Ville principale"),
        site=MapPoint(label=EVIL, lon=2.06, lat=48.06, detail=EVIL),
    )

    hover = next(t for t in figure.data if t.name == "Communes (survol)")
    assert hover.customdata[0][0] == ESCAPED
    town = next(t for t in figure.data if t.name == "Ville principale")
    assert town.hovertemplate == f"<b>{ESCAPED}</b><br>Ville principale<extra></extra>"
    assert list(town.text) == [ESCAPED]
    site = next(t for t in figure.data if t.name == "Site Cnam le plus proche")
    assert site.hovertemplate == f"<b>{ESCAPED}</b><br>{ESCAPED}<extra></extra>"
    _assert_safe(figure)


def test_cnam_sites_map_escapes_basin_and_site_names():
    sites = pd.DataFrame(
        [(EVIL, "Centre régional", "Nancy", 48.69, 6.18, True)], columns=SITE_COLUMNS
    )
    basins = pd.DataFrame([(EVIL, "Ville principale : Toul", 48.68, 5.89)], columns=POINT_COLUMNS)

    figure = cnam_sites_figure(sites, basins)

    site_trace, basin_trace = figure.data
    assert site_trace.hovertext[0] == f"<b>{ESCAPED}</b><br>Centre régional<br>Nancy"
    assert basin_trace.hovertext[0] == f"<b>{ESCAPED}</b><br>Ville principale : Toul"
    _assert_safe(figure)


def test_region_plan_map_escapes_candidate_and_site_names():
    candidates = pd.DataFrame(
        [("A", EVIL, 80.0, True, 48.1, 5.1, True)],
        columns=[*pm.MAP_CANDIDATE_COLUMNS, pm.SELECTED],
    )
    sites = pd.DataFrame([(EVIL, 48.69, 6.18)], columns=pc.SITE_POINT_COLUMNS)

    figure = pm.region_plan_figure(
        candidates, geometries={"A": mapping(box(5.0, 48.0, 5.2, 48.2))}, sites=sites
    )

    polygon = figure.data[0]
    assert polygon.text.startswith(f"<b>{ESCAPED}</b><br>adéquation 80")
    chosen = next(t for t in figure.data if t.name == "Sites proposés")
    assert list(chosen.text) == [ESCAPED]
    assert chosen.hovertext[0] == f"<b>{ESCAPED}</b><br>site proposé"
    cnam = next(t for t in figure.data if t.name == "Sites Cnam existants")
    assert cnam.hovertext[0] == f"<b>{ESCAPED}</b><br>site Cnam"
    _assert_safe(figure)
