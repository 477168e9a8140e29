"""The zones d'emploi behind the region outlines of the programme and sites maps
(`implantations.selectors.recommendation.zone_emploi_pieces`)."""

from __future__ import annotations

import pytest

from implantations.selectors.recommendation import zone_emploi_pieces
from tests.factories.basins import ZoneEmploiFactory, make_commune, make_region, square

pytestmark = pytest.mark.django_db


def test_zone_emploi_pieces_gives_each_zone_with_a_polygon_to_its_communes_region() -> None:
    grand_est = make_region("44", "Grand Est")
    normandie = make_region("28", "Normandie")
    chaumont = ZoneEmploiFactory.create(code="4404", name="Chaumont", geometry=square(5.0, 48.0))
    caen = ZoneEmploiFactory.create(code="2803", name="Caen", geometry=square(-0.4, 49.1))
    ZoneEmploiFactory.create(code="9999", name="Sans polygone")
    make_commune("52121", population=20_000, region=grand_est, zone_emploi=chaumont)
    make_commune("52001", population=5_000, region=grand_est, col=1, zone_emploi=chaumont)
    make_commune("14118", population=100_000, region=normandie, zone_emploi=caen)

    by_code = zone_emploi_pieces("region_id").sort_values("region").reset_index(drop=True)
    by_name = zone_emploi_pieces("region__name").sort_values("region").reset_index(drop=True)

    assert list(by_code.columns) == ["region", "geometry"]
    assert by_code["region"].tolist() == ["28", "44"]
    assert by_name["region"].tolist() == ["Grand Est", "Normandie"]
    assert by_code.loc[1, "geometry"] == square(5.0, 48.0)
