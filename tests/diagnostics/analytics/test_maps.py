"""Basin map builder: pure, no database."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from diagnostics.analytics.lycees import LYCEE_COLUMNS
from diagnostics.analytics.maps import (
    MAP_COMMUNE_COLUMNS,
    MapPoint,
    basin_map_figure,
    format_population,
    rings_xy,
)


def _communes() -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [
            ("52121", "Chaumont", 20_827, 48.05, 2.05, box(2.0, 48.0, 2.1, 48.1)),
            ("52001", "Brottes", None, None, None, box(2.1, 48.0, 2.2, 48.1)),
        ],
        columns=MAP_COMMUNE_COLUMNS,
    )


def _trace(fig, name):  # type: ignore[no-untyped-def]
    return next(t for t in fig.data if t.name == name)


def test_format_population_french() -> None:
    assert format_population(20_827) == "20\u202f827"
    assert format_population(1_234_567) == "1\u202f234\u202f567"
    assert format_population(None) == "inconnue"
    assert format_population(float("nan")) == "inconnue"


def test_rings_xy_separates_rings_with_none() -> None:
    square_with_hole = Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)], [[(1, 1), (2, 1), (2, 2), (1, 1)]]
    )

    xs, ys = rings_xy(square_with_hole)
    outer_only, _ = rings_xy(square_with_hole, interiors=False)

    assert xs == [0.0, 4.0, 4.0, 0.0, 0.0, None, 1.0, 2.0, 2.0, 1.0]
    assert ys == [0.0, 0.0, 4.0, 4.0, 0.0, None, 1.0, 1.0, 2.0, 1.0]
    assert outer_only == [0.0, 4.0, 4.0, 0.0, 0.0]


def test_basin_map_figure_draws_outline_communes_and_main_town() -> None:
    fig = basin_map_figure(
        communes=_communes(),
        basin_geometry=box(2.0, 48.0, 2.2, 48.1),
        main_town=MapPoint(label="Chaumont", lon=2.05, lat=48.05, detail="Ville principale"),
    )

    assert [t.name for t in fig.data] == [
        "Bassin",
        "Communes",
        "Communes (survol)",
        "Ville principale",
    ]
    outline = _trace(fig, "Bassin")
    assert outline.fill == "toself"
    assert list(outline.x) == [2.2, 2.2, 2.0, 2.0, 2.2]  # shapely's box ring order
    assert list(outline.y) == [48.0, 48.1, 48.1, 48.0, 48.0]
    communes = _trace(fig, "Communes")
    assert list(communes.x).count(None) == 1  # two rings, one separator
    hover = _trace(fig, "Communes (survol)")
    # Brottes has no centre: its marker goes inside its polygon.
    assert hover.x[0] == pytest.approx(2.05)
    assert 2.1 < hover.x[1] < 2.2
    assert [list(c) for c in hover.customdata] == [
        ["Chaumont", "52121", "20\u202f827"],
        ["Brottes", "52001", "inconnue"],
    ]
    assert "Code INSEE" in hover.hovertemplate


def test_basin_map_figure_axes_hidden_with_cos_latitude_aspect() -> None:
    fig = basin_map_figure(communes=_communes(), basin_geometry=box(2.0, 48.0, 2.2, 48.1))

    layout = fig.layout
    assert layout.xaxis.visible is False and layout.yaxis.visible is False
    assert layout.yaxis.scaleanchor == "x"
    # Frame 2.0-2.2 × 48.0-48.1, padded by 6 % but at least 0.02° on each side
    # (6 % of 0.2° is 0.012°, of 0.1° is 0.006°: both below the minimum); centre 48.05.
    assert layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians(48.05)))
    assert layout.xaxis.range == pytest.approx((1.98, 2.22))
    assert layout.yaxis.range == pytest.approx((47.98, 48.12))


def test_basin_map_figure_large_frame_padded_six_percent() -> None:
    fig = basin_map_figure(communes=_communes(), basin_geometry=box(2.0, 48.0, 3.0, 49.0))

    assert fig.layout.xaxis.range == pytest.approx((1.94, 3.06))
    assert fig.layout.yaxis.range == pytest.approx((47.94, 49.06))


def test_basin_map_figure_site_drawn_only_within_frame() -> None:
    near = MapPoint(label="Cnam Chaumont", lon=2.15, lat=48.08)
    far = MapPoint(label="Cnam Paris", lon=2.35, lat=48.85)

    with_near = basin_map_figure(communes=_communes(), site=near)
    with_far = basin_map_figure(communes=_communes(), site=far)

    assert "Site Cnam le plus proche" in [t.name for t in with_near.data]
    assert with_near.layout.meta["site_in_frame"] is True
    assert "Site Cnam le plus proche" not in [t.name for t in with_far.data]
    assert with_far.layout.meta["site_in_frame"] is False


def test_basin_map_figure_accepts_geojson_and_no_geometry() -> None:
    frame = _communes().assign(geometry=pd.Series([None, None], dtype=object))
    geojson = {
        "type": "Polygon",
        "coordinates": [[[2.0, 48.0], [2.2, 48.0], [2.2, 48.1], [2.0, 48.0]]],
    }

    fig = basin_map_figure(communes=frame, basin_geometry=geojson)

    assert [t.name for t in fig.data] == ["Bassin", "Communes (survol)"]
    assert len(fig.data[1].x) == 1  # only Chaumont has a centre


def test_basin_map_figure_nothing_to_draw() -> None:
    empty = pd.DataFrame.from_records([], columns=MAP_COMMUNE_COLUMNS)

    fig = basin_map_figure(communes=empty)

    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "Aucun contour ni centre de commune à afficher"


def test_basin_map_figure_missing_columns() -> None:
    with pytest.raises(ValueError, match="Colonnes manquantes pour la carte : geometry"):
        basin_map_figure(communes=_communes().drop(columns=["geometry"]))


def test_basin_map_figure_serialises_without_external_resources() -> None:
    fig = basin_map_figure(communes=_communes(), basin_geometry=box(2.0, 48.0, 2.2, 48.1))

    payload = fig.to_json()

    assert "mapbox" not in payload and "topojson" not in payload and "http" not in payload


def test_basin_map_figure_lycees_one_trace_per_track_with_hover() -> None:
    from tests.diagnostics.analytics.test_lycees import (
        OFFICIAL_GENERAL,
        OFFICIAL_PRO,
        OFFICIAL_TECHNO,
        REDUCED_GUESS,
        REDUCED_NO_GUESS,
        lycees_frame,
    )

    lycees = lycees_frame(
        OFFICIAL_PRO, OFFICIAL_TECHNO, OFFICIAL_GENERAL, REDUCED_GUESS, REDUCED_NO_GUESS
    )
    main = MapPoint(label="Chaumont", lon=2.05, lat=48.05)

    fig = basin_map_figure(communes=_communes(), main_town=main, lycees=lycees)

    names = [t.name for t in fig.data]
    assert names == [
        "Communes",
        "Communes (survol)",
        "Lycée (voie professionnelle)",
        "Lycée (voie technologique)",
        "Lycée (voie générale seule)",
        "Lycée (voie pro. non publiée)",
        "Ville principale",
    ]
    pro = _trace(fig, "Lycée (voie professionnelle)")
    unknown = _trace(fig, "Lycée (voie pro. non publiée)")
    assert (pro.marker.symbol, len(pro.x)) == ("diamond", 1)
    assert _trace(fig, "Lycée (voie technologique)").marker.symbol == "triangle-up"
    # Bouchardon has no coordinates: counted, not drawn.
    assert (unknown.marker.symbol, list(unknown.x), list(unknown.y)) == (
        "circle-open",
        [5.1],
        [48.1],
    )
    assert list(unknown.customdata[0]) == [
        "Lycée polyvalent Charles de Gaulle",
        "0520019Y",
        "Chaumont (52121)",
        " · public",
        "Voie générale : oui<br>Voies technologique et professionnelle non publiées<br>"
        "Voie professionnelle probable (déduit du nom)",
    ]
    assert "UAI : %{customdata[1]}" in pro.hovertemplate
    assert fig.layout.meta["lycees"] == {
        "professionnel": 1, "technologique": 1, "general": 1, "inconnu": 1,
    }  # fmt: skip
    assert fig.layout.meta["lycees_without_coordinates"] == 1
    assert all(t.showlegend is not False for t in fig.data if t.name.startswith("Lycée"))
    # Lycées far away (Rennes, -1.7°) never widen the frame of the basin (2.0 → 2.2°).
    assert fig.layout.xaxis.range[0] > 1.9


def test_basin_map_figure_without_lycees_adds_no_trace() -> None:
    empty = pd.DataFrame(columns=LYCEE_COLUMNS)

    fig = basin_map_figure(communes=_communes(), lycees=empty)

    assert not [t for t in fig.data if t.name.startswith("Lycée")]
    assert fig.layout.meta["lycees"] == {}
