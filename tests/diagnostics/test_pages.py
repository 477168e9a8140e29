"""The shell pages: home per role, diagnostics list, reference-data page, error pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import NoReverseMatch, reverse

from diagnostics.models import (
    Basin,
    BasinShare,
    BasinSource,
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    Role,
    TerritoryLoad,
    User,
    ZoneEmploi,
)
from diagnostics.selectors.territories import (
    territory_counts,
    territory_load_detail_items,
    territory_load_latest_list,
)
from diagnostics.services.accounts import user_create
from diagnostics.services.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def bretagne() -> Region:
    return Region.objects.create(code="53", name="Bretagne")


@pytest.fixture
def grand_est() -> Region:
    return Region.objects.create(code="44", name="Grand Est")


def _town(code: str, name: str, region: Region, population: int) -> Commune:
    departement, _ = Departement.objects.get_or_create(
        code=code[:2], defaults={"name": f"Dép. {code[:2]}", "region": region}
    )
    return Commune.objects.create(
        code=code,
        name=name,
        departement=departement,
        region=region,
        population=population,
        latitude=48.0,
        longitude=-1.2,
    )


def _basin(name: str, region: Region, town: Commune, population: int) -> Basin:
    basin = Basin.objects.create(
        name=name,
        region=region,
        source_kind=BasinSource.COMMUNES,
        source_codes=[town.code],
        main_town=town,
        population=population,
        communes_count=1,
    )
    basin.communes.set([town])
    return basin


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def basins(bretagne: Region, grand_est: Region) -> dict[str, Basin]:
    vitre = _town("35360", "Vitré", bretagne, 18_000)
    fougeres = _town("35115", "Fougères", bretagne, 20_000)
    chaumont = _town("52121", "Chaumont", grand_est, 22_000)
    return {
        "vitre": _basin("Bassin de Vitré", bretagne, vitre, 95_000),
        "fougeres": _basin("Pays de Fougères", bretagne, fougeres, 80_000),
        "chaumont": _basin("Bassin de Chaumont", grand_est, chaumont, 42_000),
    }


# --- home -------------------------------------------------------------------------------------


def test_home_delegate_sees_own_regions_and_counts(
    client: Client, basins: dict[str, Basin]
) -> None:
    delegate = user_create(username="marie", role=Role.REGIONAL_DELEGATE, regions=["53"])

    response = _login(client, delegate).get("/")

    page = response.content.decode()
    assert response.templates[0].name == "diagnostics/home_manager.html"
    assert [(r.name, r.basins_count) for r in response.context["regions"]] == [("Bretagne", 2)]
    assert response.context["basins_total"] == 2
    assert "Délégation régionale : Bretagne." in page
    assert "Bassin de Vitré" in page and "Pays de Fougères" in page
    assert "Bassin de Chaumont" not in page
    assert f'href="{reverse("basin-create")}"' in page
    assert f'href="{reverse("data-home")}"' in page


def test_home_national_admin_sees_regions_with_basins(
    client: Client, basins: dict[str, Basin]
) -> None:
    Region.objects.create(code="11", name="Île-de-France")  # no basin: not listed
    admin = user_create(username="nat", role=Role.NATIONAL_ADMIN)

    response = _login(client, admin).get("/")

    assert [(r.name, r.basins_count) for r in response.context["regions"]] == [
        ("Bretagne", 2),
        ("Grand Est", 1),
    ]
    assert response.context["basins_total"] == 3
    assert "Île-de-France" not in response.content.decode()


def test_home_mayor_sees_only_shared_basins(client: Client, basins: dict[str, Basin]) -> None:
    mayor = user_create(
        username="mairie-vitre", role=Role.MAYOR_VIEWER, organisation="Ville de Vitré"
    )
    BasinShare.objects.create(basin=basins["vitre"], user=mayor)

    response = _login(client, mayor).get("/")

    page = response.content.decode()
    assert response.templates[0].name == "diagnostics/home_mayor.html"
    assert [b.name for b in response.context["shared_basins"]] == ["Bassin de Vitré"]
    assert "Ville de Vitré" in page
    assert "95\xa0000 habitants" in page  # French thousands separator
    assert f'href="{reverse("basin-detail", args=[basins["vitre"].pk])}"' in page
    assert "Pays de Fougères" not in page and "Bassin de Chaumont" not in page


def test_home_mayor_without_share_gets_empty_state(client: Client) -> None:
    mayor = user_create(username="mairie-x", role=Role.MAYOR_VIEWER)

    page = _login(client, mayor).get("/").content.decode()

    assert "Aucun bassin partagé pour l'instant" in page


def test_home_catalogue_admin_gets_catalogue_and_settings_shortcuts(client: Client) -> None:
    user = user_create(username="cat", role=Role.CATALOGUE_ADMIN)

    page = _login(client, user).get("/").content.decode()

    assert f'href="{reverse("catalogue-home")}"' in page
    assert f'href="{reverse("admin:diagnostics_programmesettings_changelist")}"' in page
    assert f'href="{reverse("admin:diagnostics_cnamsite_changelist")}"' in page


def test_home_api_client_explains_the_token(client: Client, bretagne: Region) -> None:
    user = user_create(username="observatoire", role=Role.API_CLIENT, regions=["53"])
    created = api_token_create(user=user, name="Tableau de bord", scopes=["indicators:read"])

    page = _login(client, user).get("/").content.decode()

    assert "Authorization: Token &lt;votre jeton&gt;" in page
    assert f"« Tableau de bord » (<code>cnt_{created.token.prefix}_…</code>" in page
    assert created.key not in page  # shown once, at creation only
    assert f'href="{reverse("token-list")}"' in page
    assert f'href="{reverse("api-docs")}"' in page
    assert "pour Bretagne" in page


# --- diagnostics list -------------------------------------------------------------------------


def test_diagnostic_list_shows_visible_basins_without_diagnostic(
    client: Client, basins: dict[str, Basin]
) -> None:
    delegate = user_create(username="paul", role=Role.REGIONAL_DELEGATE, regions=["44"])

    response = _login(client, delegate).get("/diagnostics/")

    page = response.content.decode()
    assert [b.name for b in response.context["page_obj"]] == ["Bassin de Chaumont"]
    assert "1 bassin visible" in page
    assert "aucun diagnostic</p>" in page  # the status column of the basin without a run
    assert "Bassin de Vitré" not in page


def test_diagnostic_list_sends_a_mayor_to_its_shared_versions_at_home(client: Client) -> None:
    mayor = user_create(username="m", role=Role.MAYOR_VIEWER)

    response = _login(client, mayor).get("/diagnostics/")

    assert (response.status_code, response["Location"]) == (302, reverse("home"))


# --- data page --------------------------------------------------------------------------------


@pytest.fixture
def reference_data(bretagne: Region) -> None:
    vitre = _town("35360", "Vitré", bretagne, 18_000)
    _town("35115", "Fougères", bretagne, 20_000)
    Commune.objects.create(code="35001", name="Acigné", region=bretagne)  # no population
    ze = ZoneEmploi.objects.create(code="5319", name="Vitré")
    ze.set_bbox((-1.5, 47.9, -1.0, 48.3))
    ze.geometry = {"type": "Polygon", "coordinates": []}
    ze.save()
    ZoneEmploi.objects.create(code="0401", name="Fort-de-France")
    BassinBmo.objects.create(code="5317", name="VITRE", region=bretagne)
    Epci.objects.create(code="200039022", name="Vitré Communauté", nature="CA")
    CommuneCodeChange.objects.create(old_code="35999", new_code=vitre.code, year=2025)


def _load(
    dataset: str, status: str, rows: int, started: datetime, **extra: object
) -> TerritoryLoad:
    return TerritoryLoad.objects.create(
        dataset=dataset, status=status, rows=rows, started_at=started, **extra
    )


def test_territory_counts(reference_data: None) -> None:
    counts = territory_counts()

    assert (counts.regions, counts.departements, counts.communes) == (1, 1, 3)
    assert counts.communes_with_population == 2
    assert (counts.zones_emploi, counts.zones_emploi_with_geometry) == (2, 1)
    assert counts.zones_emploi_without_geometry == 1
    assert (counts.bassins_bmo, counts.epci, counts.code_changes) == (1, 1, 1)


def test_territory_load_detail_items_in_french() -> None:
    items = territory_load_detail_items(
        {
            "created": 34935,
            "unchanged": 0,
            "simplify_degrees": 0.0005,
            "repaired_codes": ["0051", "2401"],
            "without_epci": {"count": 3, "codes": ["97501", "97502", "97701"]},
            "unknown_regions": [],
            "files": [{"path": "/x", "sha256": "abc"}],
            "nouvelle_cle": "valeur",
        }
    )

    assert items == [
        ("créés", "34\xa0935"),
        ("inchangés", "0"),
        ("simplification (°)", "0,0005"),
        ("codes réparés", "0051, 2401"),
        ("without_epci", "3 (97501, 97502, 97701)"),
        ("nouvelle_cle", "valeur"),
    ]


def test_territory_load_latest_keeps_the_last_run_of_each_dataset() -> None:
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    _load("communes", "failed", 0, t0)
    latest_communes = _load("communes", "done", 34_935, t0 + timedelta(hours=1))
    zones = _load("zones_emploi", "missing", 0, t0)

    assert list(territory_load_latest_list()) == [latest_communes, zones]


def test_data_page_shows_counts_loads_and_cli(client: Client, reference_data: None) -> None:
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    _load("communes", "failed", 0, t0, message="colonne absente : DEP")
    _load(
        "communes",
        "done",
        34_935,
        t0 + timedelta(hours=1),
        source_file="/data/cog_communes/v_commune_2025.csv",
        duration_s=12.34,
        details={"created": 1200, "updated": 0, "unknown_regions": [], "files": [{"path": "x"}]},
    )
    _load("zones_emploi", "missing", 0, t0, source_file="/data/ze2020_geometry/ze.geojson")
    user = user_create(username="cat", role=Role.CATALOGUE_ADMIN)

    response = _login(client, user).get("/donnees/")

    page = response.content.decode()
    assert response.status_code == 200
    assert [(row.load.dataset, row.label, row.file_name) for row in response.context["loads"]] == [
        ("communes", "Communes", "v_commune_2025.csv"),
        ("zones_emploi", "Zones d'emploi", "ze.geojson"),
    ]
    assert "05/01/2026 11:00" in page  # 10:00 UTC, Paris time
    assert "34\xa0935" in page
    assert 'title="/data/cog_communes/v_commune_2025.csv">v_commune_2025.csv<' in page
    assert "12,3 s" in page
    assert "créés : 1\xa0200 ; mis à jour : 0" in page
    assert "régions inconnues" not in page  # empty values are left out
    assert "colonne absente : DEP" not in page  # the older, failed run is not shown
    assert "fichier absent" in page
    assert "2 avec population" in page
    assert "1 avec contour, 1 sans" in page
    assert "python manage.py load_territories --source DOSSIER" in page


def test_data_page_links_to_imports_only_when_the_route_exists(client: Client) -> None:
    user = user_create(username="cat", role=Role.CATALOGUE_ADMIN)

    page = _login(client, user).get("/donnees/").content.decode()

    try:
        import_url = reverse("import-list")
    except NoReverseMatch:
        assert "Imports de données" not in page
    else:
        assert f'href="{import_url}"' in page


def test_data_page_empty_says_what_to_do(client: Client) -> None:
    user = user_create(username="nat", role=Role.NATIONAL_ADMIN)

    page = _login(client, user).get("/donnees/").content.decode()

    assert "Aucun territoire chargé" in page
    assert "Aucun chargement enregistré." in page


# --- error pages ------------------------------------------------------------------------------


def test_404_page_is_french(client: Client) -> None:
    user = user_create(username="m", role=Role.MAYOR_VIEWER)

    response = _login(client, user).get("/nulle-part/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page non trouvée" in page and "Erreur 404" in page
    assert 'class="fr-header"' in page


def test_403_page_is_french_and_names_the_role(client: Client) -> None:
    user = user_create(username="m", role=Role.MAYOR_VIEWER)

    response = _login(client, user).get("/donnees/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Accès refusé" in page and "Erreur 403" in page
    assert "connecté en tant que « m » (Mairie, EPCI ou partenaire local" in page


def test_500_page_renders_without_request_context() -> None:
    page = render_to_string("500.html")

    assert "Erreur inattendue" in page and "Erreur 500" in page
    assert "Se déconnecter" not in page
