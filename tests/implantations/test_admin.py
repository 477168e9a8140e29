"""Admin of Cnam sites and of the single programme-settings row."""

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import CnamSite, ProgrammeSettings, Role
from diagnostics.services.accounts import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_client(client: Client) -> Client:
    client.force_login(user_create(username="cat", role=Role.CATALOGUE_ADMIN))
    return client


def test_programme_settings_list_goes_to_the_single_row(catalogue_client: Client) -> None:
    response = catalogue_client.get(reverse("admin:diagnostics_programmesettings_changelist"))

    current = ProgrammeSettings.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse(
        "admin:diagnostics_programmesettings_change", args=[current.pk]
    )


def test_programme_settings_no_second_row_and_no_delete(catalogue_client: Client) -> None:
    current = ProgrammeSettings.current()

    add = catalogue_client.get(reverse("admin:diagnostics_programmesettings_add"))
    delete = catalogue_client.post(
        reverse("admin:diagnostics_programmesettings_delete", args=[current.pk]), {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert ProgrammeSettings.objects.count() == 1


def test_catalogue_admin_edits_programme_settings(catalogue_client: Client) -> None:
    current = ProgrammeSettings.current()

    response = catalogue_client.post(
        reverse("admin:diagnostics_programmesettings_change", args=[current.pk]),
        {
            "basin_population_min": "25000",
            "basin_population_max": "120000",
            "main_town_population_min": "8000",
            "main_town_population_max": "100000",
        },
    )

    assert response.status_code == 302
    current.refresh_from_db()
    assert (current.basin_population_min, current.basin_population_max) == (25_000, 120_000)


def test_catalogue_admin_adds_a_cnam_site(catalogue_client: Client) -> None:
    response = catalogue_client.post(
        reverse("admin:diagnostics_cnamsite_add"),
        {
            "name": "Cnam Chaumont",
            "kind": "coeur_territoires",
            "latitude": "48.11",
            "longitude": "5.14",
            "active": "on",
        },
    )

    assert response.status_code == 302
    site = CnamSite.objects.get()
    assert (site.name, site.kind, site.latitude) == ("Cnam Chaumont", "coeur_territoires", 48.11)


def test_delegate_has_no_admin(client: Client) -> None:
    from diagnostics.models import Region

    Region.objects.create(code="53", name="Bretagne")
    client.force_login(user_create(username="d", role=Role.REGIONAL_DELEGATE, regions=["53"]))

    response = client.get(reverse("admin:diagnostics_cnamsite_changelist"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_adding_a_cnam_site_in_admin_refreshes_basin_distances(
    catalogue_client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.models import BasinSource
    from diagnostics.services.basins import basin_create
    from tests.factories.basins import Territory

    Territory()
    with django_capture_on_commit_callbacks(execute=True):
        basin = basin_create(
            name="Chaumont", source_kind=BasinSource.EPCI, source_codes=["200000001"]
        )
    basin.refresh_from_db()
    assert basin.nearest_site_km is None  # no site yet: « inconnue »

    # Main town 52121's centre is (2.05 E, 48.05 N); a site 1° of latitude north of it is
    # 2·R·asin(sin(0.5°)) ≈ 111.19 km away.
    with django_capture_on_commit_callbacks(execute=True):
        response = catalogue_client.post(
            reverse("admin:diagnostics_cnamsite_add"),
            {
                "name": "Cnam Nord",
                "kind": "centre",
                "latitude": "49.05",
                "longitude": "2.05",
                "active": "on",
            },
        )

    assert response.status_code == 302
    basin.refresh_from_db()
    assert basin.nearest_site is not None and basin.nearest_site.name == "Cnam Nord"
    assert basin.nearest_site_km == pytest.approx(111.19, abs=0.01)
