"""Territory search (autocompletion): by name (accent- and case-insensitive) or code."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import Role
from diagnostics.selectors.basins import search_key, territory_search
from tests.factories.basins import Territory, make_commune, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def t() -> Territory:
    territory = Territory()
    make_commune("88160", name="Épinal", population=31_000, region=territory.grand_est, col=4)
    make_commune("52448", name="Saint-Dizier", population=23_000, region=territory.grand_est, col=5)
    make_commune(
        "52450", name="Saint-Loup-sur-Aujon", population=100, region=territory.grand_est, col=6
    )
    return territory


def test_search_key_folds_accents_case_and_punctuation() -> None:
    assert search_key("Saint-Dié-des-Vosges") == "saint die des vosges"
    assert search_key("  L'Œuvre  ") == "l oeuvre"


def test_territory_search_by_name_accent_insensitive(t: Territory) -> None:
    assert territory_search(q="epinal", kind="commune") == [
        {"code": "88160", "label": "Épinal (88160)", "population": 31_000}
    ]
    assert [r["code"] for r in territory_search(q="CHAMARANDES", kind="commune")] == ["52002"]


def test_territory_search_prefix_first_then_population(t: Territory) -> None:
    # Both start with « saint »: the more populated first.
    assert [r["code"] for r in territory_search(q="saint", kind="commune")] == ["52448", "52450"]
    # Words in any order, anywhere in the name.
    assert [r["code"] for r in territory_search(q="aujon loup", kind="commune")] == ["52450"]


def test_territory_search_by_code_prefix(t: Territory) -> None:
    assert [r["code"] for r in territory_search(q="5200", kind="commune")] == [
        "52001",
        "52002",
        "52003",
    ]
    assert territory_search(q="52121", kind="commune")[0]["label"] == "Chaumont (52121)"


def test_territory_search_zone_emploi_population_is_sum(t: Territory) -> None:
    assert territory_search(q="chaumont", kind="zone_emploi") == [
        {"code": "4404", "label": "Chaumont (4404)", "population": 29_999}
    ]
    assert territory_search(q="4418", kind="bassin_bmo")[0]["population"] == 28_000
    assert [r["code"] for r in territory_search(q="forets", kind="epci")] == ["200000002"]


def test_territory_search_limit_and_empty_query(t: Territory) -> None:
    for i in range(25):
        make_commune(
            f"70{i:03d}", name=f"Villers {i}", population=100 + i, region=t.grand_est, col=10 + i
        )

    results = territory_search(q="villers", kind="commune")

    assert len(results) == 20
    assert results[0]["code"] == "70024"  # the most populated
    assert territory_search(q="  ", kind="commune") == []


def test_territory_search_view_json(client: Client, t: Territory) -> None:
    client.force_login(make_user(role=Role.REGIONAL_DELEGATE, regions=[t.grand_est]))

    ok = client.get(reverse("territory-search"), {"q": "épi", "kind": "commune"})
    bad = client.get(reverse("territory-search"), {"q": "x", "kind": "canton"})

    assert ok.json() == [{"code": "88160", "label": "Épinal (88160)", "population": 31_000}]
    assert bad.status_code == 400
    assert "Type de territoire inconnu : « canton »" in bad.json()["error"]
