"""The implantations home: Cnam sites on a map, programme settings in force."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import (
    Basin,
    BasinSource,
    CnamSite,
    Commune,
    ProgrammeSettings,
    Region,
    Role,
)
from diagnostics.services.accounts import user_create
from tests.factories.html import cdn_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def bretagne() -> Region:
    return Region.objects.create(code="53", name="Bretagne")


def _map(response) -> dict:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    start = page.index('<script id="sites-map-data" type="application/json">') + len(
        '<script id="sites-map-data" type="application/json">'
    )
    return json.loads(page[start : page.index("</script>", start)])


def test_implantations_page_lists_sites_and_map(client: Client, bretagne: Region) -> None:
    rennes = Commune.objects.create(code="35238", name="Rennes", region=bretagne)
    CnamSite.objects.create(
        name="Cnam Bretagne",
        kind="centre_regional",
        commune=rennes,
        latitude=48.11,
        longitude=-1.68,
    )
    CnamSite.objects.create(name="Ancien site", latitude=47.2, longitude=-1.55, active=False)
    vitre = Commune.objects.create(
        code="35360", name="Vitré", region=bretagne, latitude=48.12, longitude=-1.21
    )
    Basin.objects.create(
        name="Bassin de Vitré", region=bretagne, source_kind=BasinSource.COMMUNES, main_town=vitre
    )
    delegate = user_create(username="marie", role=Role.REGIONAL_DELEGATE, regions=["53"])
    client.force_login(delegate)

    response = client.get(reverse("implantation-home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 sites, dont 1 en activité" in page
    assert "Rennes (35238)" in page
    figure = _map(response)
    assert [trace["name"] for trace in figure["data"]] == [
        "Sites Cnam en activité",
        "Sites Cnam fermés",
        "Bassins (ville principale)",
    ]
    assert figure["data"][2]["x"] == [-1.21]
    assert figure["layout"]["yaxis"]["scaleanchor"] == "x"
    assert '/static/plotly/plotly.min.js"' in page
    assert cdn_links(page) == []
    # A delegate is not staff: no admin link.
    assert reverse("admin:diagnostics_cnamsite_changelist") not in page


def test_implantations_page_shows_programme_settings_and_admin_links(client: Client) -> None:
    settings_row = ProgrammeSettings.current()
    settings_row.basin_population_min = 25_000
    settings_row.save()
    admin = user_create(username="nat", role=Role.NATIONAL_ADMIN)
    client.force_login(admin)

    response = client.get(reverse("implantation-home"))

    page = response.content.decode()
    assert "de 25\xa0000 à 100\xa0000 habitants" in page
    assert "de 10\xa0000 à 100\xa0000 habitants" in page
    assert "Aucun site Cnam renseigné" in page
    assert 'id="sites-map"' not in page  # no site, no basin: no empty map
    assert reverse("admin:diagnostics_programmesettings_change", args=[settings_row.pk]) in page
    assert reverse("admin:diagnostics_cnamsite_changelist") in page
