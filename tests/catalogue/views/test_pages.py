import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from catalogue.models import LocalOffer
from diagnostics.models import Region, Role
from diagnostics.services.accounts import user_create
from tests.catalogue.scenario import build_scenario
from tests.factories.catalogue import SectorFactory, make_basin, make_offer, make_path

pytestmark = pytest.mark.django_db


def delegate(region: str = "44"):  # type: ignore[no-untyped-def]
    Region.objects.get_or_create(code=region, defaults={"name": f"Région {region}"})
    return user_create(username=f"d{region}", role=Role.REGIONAL_DELEGATE, regions=[region])


# --- Catalogue --------------------------------------------------------------------------------


def test_catalogue_home_empty_state_with_admin_link_for_catalogue_admin(client: Client) -> None:
    client.force_login(user_create(username="cat", role=Role.CATALOGUE_ADMIN))

    page = client.get(reverse("catalogue-home")).content.decode()

    assert "Le catalogue de formations n'est pas encore renseigné" in page
    assert f'href="{reverse("admin:index")}"' in page


def test_catalogue_home_lists_and_filters_paths_for_a_delegate(client: Client) -> None:
    client.force_login(delegate())
    digital = SectorFactory(code="NUM", name="Numérique")
    make_path(title="Développeur web", sector=digital, concepts=["progressif"], illustrative=True)
    make_path(title="Module DOC", level=None, concepts=["fab_id"], bmo_codes=[], rome_codes=[])

    everything = client.get(reverse("catalogue-home")).content.decode()
    fab_id = client.get(reverse("catalogue-home"), {"concept": "fab_id"}).content.decode()

    assert "Développeur web" in everything and "Module DOC" in everything
    assert "Catalogue illustratif" in everything
    assert "sans métier associé" in everything
    assert "Administrer le catalogue" not in everything
    assert "Module DOC" in fab_id and "Développeur web" not in fab_id
    assert "<strong>1</strong> parcours sur 2" in fab_id


def test_path_detail_shows_occupations_and_history(client: Client, referentials) -> None:
    client.force_login(delegate())
    path = make_path(title="Comptable assistant", bmo_codes=["L1X60"], rome_codes=["M1203"])

    page = client.get(reverse("catalogue-path-detail", args=[path.pk])).content.decode()

    assert "<code>L1X60</code> Employés de la comptabilité" in page
    assert "<code>M1203</code> Comptable" in page
    assert "Historique des modifications" in page and "Création" in page


# --- Gap page ---------------------------------------------------------------------------------


def test_gap_is_shown_to_a_mayor_as_frozen_in_its_shared_version(client: Client) -> None:
    """A mayor's office reads the gap as it was when the diagnostic was shared (ADR 0014); the
    live gap page sends it there."""
    from implantations.services.sharing import shared_version_create

    scenario = build_scenario()
    mayor = user_create(username="maire", role=Role.MAYOR_VIEWER)
    version = shared_version_create(run=scenario.run, user=None, recipients=["maire"])
    client.force_login(mayor)

    gap_page = client.get(reverse("catalogue-basin-gap", args=[scenario.basin.pk]))
    version_url = reverse("shared-version-detail", args=[version.pk])
    assert (gap_page.status_code, gap_page["Location"]) == (302, version_url)
    page = client.get(version_url).content.decode()
    section = page[page.index('id="parcours-prioritaires"') :]
    assert section.index("Comptable assistant") < section.index("Développeur web et web mobile")
    assert "56,0" in section
    # A mayor reads; the local supply is managed by the region.
    assert reverse("catalogue-local-offers", args=[scenario.basin.pk]) not in page


def test_gap_page_of_another_mayor_is_a_404(client: Client) -> None:
    scenario = build_scenario()
    client.force_login(user_create(username="autre", role=Role.MAYOR_VIEWER))

    response = client.get(reverse("catalogue-basin-gap", args=[scenario.basin.pk]))

    assert response.status_code == 404


def test_gap_page_without_diagnostic_explains(client: Client) -> None:
    basin = make_basin()
    client.force_login(delegate())

    page = client.get(reverse("catalogue-basin-gap", args=[basin.pk])).content.decode()

    assert "Écart non calculable" in page
    assert "Aucun diagnostic terminé pour le bassin « Bassin de Chaumont »" in page


def test_gap_page_filter_by_public(client: Client) -> None:
    scenario = build_scenario()
    client.force_login(delegate())

    page = client.get(
        reverse("catalogue-basin-gap", args=[scenario.basin.pk]), {"public": "salaries"}
    ).content.decode()

    assert "Développeur web et web mobile" in page
    assert "Comptable assistant</a>" not in page


def test_report_block_template_tag_renders_the_top_lines() -> None:
    scenario = build_scenario()

    html = Template("{% load catalogue_gap %}{% parcours_prioritaires run 1 %}").render(
        Context({"run": scenario.run})
    )

    assert "Parcours prioritaires</h2>" in html
    assert "Comptable assistant" in html
    assert "Développeur web et web mobile</a>" not in html  # only the first line
    assert "Voir le classement complet" in html


# --- Local supply -----------------------------------------------------------------------------


def test_local_offer_form_records_an_offer(client: Client) -> None:
    basin = make_basin()
    path = make_path(title="Comptable assistant", bmo_codes=["L1X60"])
    client.force_login(delegate())
    url = reverse("catalogue-local-offers", args=[basin.pk])

    response = client.post(
        url,
        {"path": path.pk, "provider": "Greta", "places_per_year": "12", "source": "Carif-Oref"},
    )

    assert response.status_code == 302
    offer = LocalOffer.objects.get()
    assert (offer.basin, offer.path, offer.places_per_year, offer.source) == (
        basin,
        path,
        12,
        "Carif-Oref",
    )
    assert "Comptable assistant" in client.get(url).content.decode()


def test_local_offer_form_refuses_unknown_codes_and_writes_nothing(
    client: Client, referentials
) -> None:
    basin = make_basin()
    client.force_login(delegate())

    response = client.post(
        reverse("catalogue-local-offers", args=[basin.pk]),
        {
            "title": "BTS comptabilité (lycée)",
            "provider": "Lycée Bouchardon",
            "places_per_year": "24",
            "rome_codes": "M1203 | M9999",
        },
    )

    assert response.status_code == 200
    assert "Code(s) ROME inconnu(s) du référentiel ROME importé : M9999." in (
        response.content.decode()
    )
    assert not LocalOffer.objects.exists()


def test_local_offer_free_title_needs_an_occupation(client: Client) -> None:
    basin = make_basin()
    client.force_login(delegate())

    response = client.post(
        reverse("catalogue-local-offers", args=[basin.pk]),
        {"title": "Formation X", "provider": "Organisme", "places_per_year": "5"},
    )

    assert "doit indiquer au moins un métier" in response.content.decode()
    assert not LocalOffer.objects.exists()


def test_local_offer_delete(client: Client) -> None:
    basin = make_basin()
    offer = make_offer(basin, title="Formation X", bmo_codes=["L1X60"])
    client.force_login(delegate())

    response = client.post(
        reverse("catalogue-local-offer-delete", args=[basin.pk, offer.pk]), follow=True
    )

    assert "Offre locale supprimée." in response.content.decode()
    assert not LocalOffer.objects.exists()


def test_local_offers_of_another_region_are_a_404(client: Client) -> None:
    basin = make_basin()
    client.force_login(delegate("53"))

    response = client.get(reverse("catalogue-local-offers", args=[basin.pk]))

    assert response.status_code == 404


def test_catalogue_home_filters_on_purpose_rncp_and_rolling_entries(client: Client) -> None:
    client.force_login(delegate())
    make_path(title="Développeur web", purposes=["reconversion", "bootcamp"], rolling_entries=True)
    make_path(title="Comptable assistant", purposes=["vae"], rncp_code="RS5111")

    reconversion = client.get(reverse("catalogue-home"), {"purpose": "reconversion"})
    with_code = client.get(reverse("catalogue-home"), {"rncp": "avec"}).content.decode()
    rolling = client.get(reverse("catalogue-home"), {"rolling": "oui"}).content.decode()

    page = reconversion.content.decode()
    assert "Développeur web" in page and "Comptable assistant" not in page
    assert "<strong>1</strong> parcours sur 2" in page
    assert (
        'Reconversion, Boot-camp <span class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">entrées permanentes</span>'
        in page
    )
    assert '<option value="reconversion" selected>' in page
    assert "Comptable assistant" in with_code and "Développeur web" not in with_code
    assert "Développeur web" in rolling and "Comptable assistant" not in rolling


def test_gap_page_reconversion_boost_bad_value_is_400(client: Client) -> None:
    scenario = build_scenario()
    client.force_login(delegate())
    url = reverse("catalogue-basin-gap", args=[scenario.basin.pk])

    bad = client.get(url, {"bonus_reconversion": "beaucoup"})
    good = client.get(url, {"bonus_reconversion": "0,2"})

    assert bad.status_code == 400
    assert "bonus_reconversion" in bad.content.decode()
    assert good.status_code == 200
    assert "Bonus reconversion : le score des parcours" in good.content.decode()
