import math

import pandas as pd
import pytest

from implantations.analytics.columns import (
    GEOMETRY,
    LATITUDE,
    LONGITUDE,
    OUTLINE_SOURCE_COLUMNS,
    POINT_COLUMNS,
    REGION,
    SITE_COLUMNS,
)
from implantations.analytics.maps import (
    axis_ranges,
    cnam_sites_figure,
    lat_scale_ratio,
    region_outlines,
)


def _sites(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=SITE_COLUMNS)


def test_lat_scale_ratio_is_inverse_cosine_of_mean_latitude() -> None:
    assert lat_scale_ratio(pd.Series([60.0])) == pytest.approx(2.0)
    assert lat_scale_ratio(pd.Series([44.0, 46.0, None])) == pytest.approx(math.sqrt(2))
    assert lat_scale_ratio(pd.Series([], dtype=float)) == 1.0


def test_axis_ranges_pad_by_share_or_minimum() -> None:
    # lon extent 2 → 8 % = 0.16 < 0.3 minimum; lat extent 10 → 0.8.
    ranges = axis_ranges(pd.Series([2.0, 4.0]), pd.Series([40.0, 50.0]))

    assert ranges is not None
    (lon_min, lon_max), (lat_min, lat_max) = ranges
    assert (lon_min, lon_max) == pytest.approx((1.7, 4.3))
    assert (lat_min, lat_max) == pytest.approx((39.2, 50.8))
    assert axis_ranges(pd.Series([], dtype=float), pd.Series([], dtype=float)) is None


def test_cnam_sites_figure_traces_and_equal_scale() -> None:
    sites = _sites(
        [
            ("Cnam Bretagne", "Centre régional", "Rennes", 48.11, -1.68, True),
            ("Cnam Vitré", "Site « Au cœur des territoires »", "Vitré", 48.12, -1.21, True),
            ("Ancien centre", "Centre d'enseignement", "", 47.0, -1.5, False),
            ("Sans coordonnées", "Centre d'enseignement", "", None, None, True),
        ]
    )
    basins = pd.DataFrame.from_records(
        [("Bassin de Fougères", "ville principale : Fougères", 48.35, -1.2)], columns=POINT_COLUMNS
    )

    figure = cnam_sites_figure(sites, basins)

    assert [trace.name for trace in figure.data] == [
        "Sites Cnam en activité",
        "Sites Cnam fermés",
        "Bassins (ville principale)",
    ]
    active = figure.data[0]
    assert list(active.x) == [-1.68, -1.21]  # sorted by name, the row without coordinates dropped
    assert "<b>Cnam Vitré</b><br>Site « Au cœur des territoires »<br>Vitré" in active.hovertext
    assert figure.layout.yaxis.scaleanchor == "x"
    mean_lat = (48.11 + 48.12 + 47.0 + 48.35) / 4
    assert figure.layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians(mean_lat)))
    # lat extent 47.0 → 48.35: padded by the 0.3° minimum.
    assert tuple(figure.layout.yaxis.range) == pytest.approx((46.7, 48.65))


def test_cnam_sites_figure_without_closed_sites_or_basins_has_one_trace() -> None:
    sites = _sites([("Cnam Bretagne", "Centre régional", "Rennes", 48.11, -1.68, True)])

    figure = cnam_sites_figure(sites)

    assert [trace.name for trace in figure.data] == ["Sites Cnam en activité"]


def test_cnam_sites_figure_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match=r"sites Cnam : colonnes manquantes \['active'\]"):
        cnam_sites_figure(pd.DataFrame(columns=SITE_COLUMNS[:-1]))


def _square(x: float, y: float, size: float = 1.0) -> dict[str, object]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_region_outlines_union_of_pieces_by_region() -> None:
    pieces = pd.DataFrame.from_records(
        [
            ("Bretagne", _square(-4.0, 47.0)),
            ("Bretagne", _square(-3.0, 47.0)),  # shares an edge: one 2 × 1 polygon
            ("Normandie", _square(0.0, 49.0)),
            (None, _square(5.0, 45.0)),  # no region: left out
            ("Normandie", None),  # no geometry: left out
        ],
        columns=OUTLINE_SOURCE_COLUMNS,
    )

    outlines = region_outlines(pieces)

    assert list(outlines[REGION]) == ["Bretagne", "Normandie"]
    bretagne = outlines.iloc[0]
    assert bretagne[GEOMETRY].geom_type == "Polygon"
    assert bretagne[GEOMETRY].area == pytest.approx(2.0)
    assert bretagne[GEOMETRY].bounds == pytest.approx((-4.0, 47.0, -2.0, 48.0))
    # The name is written inside the outline.
    assert -4.0 < bretagne[LONGITUDE] < -2.0 and 47.0 < bretagne[LATITUDE] < 48.0


def test_cnam_sites_figure_on_region_outlines_hides_degree_axes() -> None:
    sites = _sites([("Cnam Bretagne", "Centre régional", "Rennes", 48.11, -1.68, True)])
    regions = region_outlines(
        pd.DataFrame.from_records(
            [("Bretagne", _square(-5.0, 47.0, 4.0))], columns=OUTLINE_SOURCE_COLUMNS
        )
    )

    figure = cnam_sites_figure(sites, regions=regions)

    assert [t.name for t in figure.data] == [
        "Limites des régions",
        "Régions",
        "Sites Cnam en activité",
    ]
    outline = figure.data[0]
    assert outline.hoverinfo == "skip"
    assert sorted(set(outline.x)) == [-5.0, -1.0]  # the square's ring, closed
    assert len(outline.x) == 5
    assert list(figure.data[1].text) == ["Bretagne"]
    assert figure.layout.xaxis.visible is False and figure.layout.yaxis.visible is False
    assert figure.layout.separators == ", "
    # The frame takes in the region (lon -5 → -1, extent 4 → 8 % = 0.32 > 0.3 minimum).
    assert tuple(figure.layout.xaxis.range) == pytest.approx((-5.32, -0.68))
