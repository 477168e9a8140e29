"""Basin pages: registration (preview then save), basin page, scoping, sharing, deletion."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import Basin, BasinShare, Role
from tests.factories.basins import BasinFactory, CnamSiteFactory, Territory, make_user
from tests.factories.html import cdn_links

pytestmark = pytest.mark.django_db


def _map_figure(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The basin map's plotly figure, as the page's script element carries it."""
    match = re.search(
        r'<script id="basin-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        flags=re.S,
    )
    assert match, "no basin map on the page"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


@pytest.fixture
def t() -> Territory:
    return Territory()


@pytest.fixture
def delegate(t: Territory):  # type: ignore[no-untyped-def]
    return make_user(username="delegue-ge", role=Role.REGIONAL_DELEGATE, regions=[t.grand_est])


@pytest.fixture
def mayor():  # type: ignore[no-untyped-def]
    return make_user(username="mairie-chaumont", role=Role.MAYOR_VIEWER)


@pytest.fixture
def basin(t: Territory) -> Basin:
    return BasinFactory.create(
        name="Bassin de Chaumont",
        region=t.grand_est,
        communes=[t.chaumont, t.brottes, t.chamarandes],
    )


def _login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


# --- Registration -------------------------------------------------------------------------
def test_basin_create_preview_then_save(client: Client, t: Territory, delegate) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)
    url = reverse("basin-create")
    CnamSiteFactory.create(name="Cnam Nord", latitude=49.05, longitude=2.05)

    page = client.get(url)
    preview = client.post(
        url,
        {"source_kind": "zone_emploi", "source_codes": "4404", "name": "", "preview": "1"},
    )

    assert page.status_code == 200
    assert "Enregistrer un bassin d'emploi" in _text(page)
    assert preview.status_code == 200
    result = preview.context["preview"]
    assert result.population == 29_999
    assert result.communes_count == 4
    assert [t["name"] for t in preview.context["map_json"]["data"]][:2] == ["Bassin", "Communes"]
    text = _text(preview)
    assert "Prévisualisation" in text
    assert re.search(r"29\s999", text)  # thousands separator of the French locale
    assert "Cnam Nord, à 111,2 km" in text
    assert "/static/plotly/plotly.min.js" in text
    assert cdn_links(text) == []
    assert Basin.objects.count() == 0  # a preview writes nothing

    saved = client.post(
        url,
        {
            "source_kind": "zone_emploi",
            "source_codes": "4404",
            "name": "Bassin de Chaumont",
            "main_town": "52121",
            "save": "1",
        },
    )

    basin = Basin.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("basin-detail", kwargs={"pk": basin.pk})
    assert (basin.name, basin.population, basin.main_town_id) == (
        "Bassin de Chaumont",
        29_999,
        "52121",
    )
    assert basin.created_by == delegate
    detail = client.get(saved["Location"])
    assert detail.status_code == 200
    assert "Le bassin « Bassin de Chaumont » est enregistré." in _text(detail)


def test_basin_create_codes_typed_without_javascript(
    client: Client, t: Territory, delegate
) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)

    response = client.post(
        reverse("basin-create"),
        {"source_kind": "communes", "source_codes": "52121  52001,\n52002;", "preview": "1"},
    )

    assert response.context["preview"].population == 29_999
    assert sorted(response.context["preview"].commune_codes) == ["52001", "52002", "52121"]


def test_basin_create_preview_shows_errors_in_place(client: Client, t: Territory, delegate) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)

    response = client.post(
        reverse("basin-create"),
        {"source_kind": "communes", "source_codes": "52121, 99998, 99999", "preview": "1"},
    )

    assert response.status_code == 200
    assert response.context["preview"] is None
    assert response.context["form"].errors["source_codes"] == [
        "Codes commune inconnus : 99998, 99999."
    ]
    assert "Codes commune inconnus : 99998, 99999." in _text(response)


def test_basin_create_preview_warns_of_duplicate_name(
    client: Client, t: Territory, delegate, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)

    response = client.post(
        reverse("basin-create"),
        {
            "source_kind": "communes",
            "source_codes": "52003",
            "name": "bassin de chaumont",
            "preview": "1",
        },
    )

    assert response.context["preview"] is not None  # the map is still shown
    assert response.context["form"].errors["name"] == [
        "Un bassin nommé « Bassin de Chaumont » existe déjà dans la région Grand Est."
    ]


def test_basin_create_save_without_name_refused(client: Client, t: Territory, delegate) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)

    response = client.post(
        reverse("basin-create"),
        {"source_kind": "zone_emploi", "source_codes": "4404", "name": " ", "save": "1"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Donnez un nom au bassin pour l'enregistrer."
    ]
    assert Basin.objects.count() == 0


def test_basin_create_delegate_of_another_region_refused(client: Client, t: Territory) -> None:  # type: ignore[no-untyped-def]
    other = make_user(role=Role.REGIONAL_DELEGATE, regions=[t.bourgogne])
    _login(client, other)

    response = client.post(
        reverse("basin-create"),
        {"source_kind": "zone_emploi", "source_codes": "4404", "name": "Chaumont", "save": "1"},
    )

    assert response.status_code == 200
    assert (
        "Vous ne suivez pas la région Grand Est" in response.context["form"].non_field_errors()[0]
    )
    assert Basin.objects.count() == 0


def test_basin_create_forbidden_to_mayor(client: Client, t: Territory, mayor) -> None:  # type: ignore[no-untyped-def]
    _login(client, mayor)

    get = client.get(reverse("basin-create"))
    post = client.post(
        reverse("basin-create"),
        {"source_kind": "zone_emploi", "source_codes": "4404", "name": "X", "save": "1"},
    )

    assert (get.status_code, post.status_code) == (403, 403)
    assert Basin.objects.count() == 0


# --- List and basin page ------------------------------------------------------------------
def test_basin_list_scoped_with_create_button_for_managers(
    client: Client, t: Territory, delegate, mayor, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    BasinFactory.create(name="Bassin de Dijon", region=t.bourgogne, communes=[t.dijon_side])

    as_delegate = _text(_login(client, delegate).get(reverse("basin-list")))
    as_mayor = _text(_login(Client(), mayor).get(reverse("basin-list")))

    assert "Bassin de Chaumont" in as_delegate
    assert "Bassin de Dijon" not in as_delegate
    assert "Enregistrer un bassin" in as_delegate
    assert "Bassin de Chaumont" not in as_mayor
    assert "Enregistrer un bassin" not in as_mayor


def test_basin_detail_other_region_is_404(client: Client, t: Territory, basin: Basin) -> None:  # type: ignore[no-untyped-def]
    other = make_user(role=Role.REGIONAL_DELEGATE, regions=[t.bourgogne])
    _login(client, other)

    assert client.get(reverse("basin-detail", kwargs={"pk": basin.pk})).status_code == 404
    assert client.post(reverse("basin-delete", kwargs={"pk": basin.pk})).status_code == 404
    assert Basin.objects.filter(pk=basin.pk).exists()


def test_basin_detail_shows_figures_map_and_sorted_communes(
    client: Client, t: Territory, delegate, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)
    url = reverse("basin-detail", kwargs={"pk": basin.pk})

    default = client.get(url)
    ascending = client.get(url + "?tri=population")

    assert [c.code for c in default.context["communes"]] == ["52121", "52001", "52002"]
    assert [c.code for c in ascending.context["communes"]] == ["52002", "52001", "52121"]
    text = _text(default)
    assert re.search(r"29\s999", text)
    assert "Chaumont" in text
    assert "Partage avec les mairies, EPCI et partenaires" in text
    assert "Supprimer le bassin" in text
    html = default.content.decode()
    assert reverse("catalogue-basin-gap", kwargs={"pk": basin.pk}) in html
    assert reverse("catalogue-local-offers", kwargs={"pk": basin.pk}) in html
    assert reverse("recommendation-detail", kwargs={"pk": basin.pk}) in html
    names = [trace["name"] for trace in _map_figure(default)["data"]]
    assert "Ville principale" in names and "Communes (survol)" in names


def test_basin_detail_spanning_regions_flag(client: Client, t: Territory, delegate) -> None:  # type: ignore[no-untyped-def]
    basin = BasinFactory.create(
        name="Bassin frontalier", region=t.grand_est, communes=[t.chaumont, t.dijon_side]
    )
    basin.spans_regions = True
    basin.save()
    _login(client, delegate)

    text = _text(client.get(reverse("basin-detail", kwargs={"pk": basin.pk})))

    assert "à cheval sur deux régions" in text


# --- Sharing and deletion -----------------------------------------------------------------
def test_basin_share_then_mayor_sees_it(
    client: Client, t: Territory, delegate, mayor, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    detail = reverse("basin-detail", kwargs={"pk": basin.pk})
    mayor_client = _login(Client(), mayor)
    assert mayor_client.get(detail).status_code == 404

    response = _login(client, delegate).post(
        reverse("basin-share", kwargs={"pk": basin.pk}), {"user": "mairie-chaumont"}
    )

    assert response.status_code == 302
    assert BasinShare.objects.filter(basin=basin, user=mayor).exists()
    seen = mayor_client.get(detail)
    assert seen.status_code == 200
    assert "Partage avec les mairies" not in _text(seen)  # no management for a mayor
    assert "Bassin de Chaumont" in _text(mayor_client.get(reverse("basin-list")))


def test_basin_share_unknown_user_message(
    client: Client, t: Territory, delegate, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)

    response = client.post(
        reverse("basin-share", kwargs={"pk": basin.pk}), {"user": "inconnu"}, follow=True
    )

    assert "Aucun compte de mairie ne correspond à « inconnu »." in _text(response)
    assert BasinShare.objects.count() == 0


def test_basin_share_with_a_delegates_name_says_the_same(
    client: Client, t: Territory, delegate, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)

    response = client.post(
        reverse("basin-share", kwargs={"pk": basin.pk}),
        {"user": delegate.get_username()},
        follow=True,
    )

    text = _text(response)
    assert f"Aucun compte de mairie ne correspond à « {delegate.get_username()} »." in text
    assert "n'est pas un compte mairie" not in text
    assert BasinShare.objects.count() == 0


def test_basin_unshare(client: Client, t: Territory, delegate, mayor, basin: Basin) -> None:  # type: ignore[no-untyped-def]
    BasinShare.objects.create(basin=basin, user=mayor)
    _login(client, delegate)

    client.post(
        reverse("basin-share", kwargs={"pk": basin.pk}),
        {"action": "unshare", "user_id": str(mayor.pk)},
    )

    assert BasinShare.objects.count() == 0


def test_basin_share_and_delete_forbidden_to_mayor(
    client: Client, t: Territory, mayor, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    BasinShare.objects.create(basin=basin, user=mayor)
    _login(client, mayor)

    share = client.post(reverse("basin-share", kwargs={"pk": basin.pk}), {"user": "x"})
    delete = client.post(reverse("basin-delete", kwargs={"pk": basin.pk}), {"confirm": "oui"})

    assert (share.status_code, delete.status_code) == (403, 403)
    assert Basin.objects.filter(pk=basin.pk).exists()


def test_basin_delete_needs_confirmation(
    client: Client, t: Territory, delegate, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    _login(client, delegate)
    url = reverse("basin-delete", kwargs={"pk": basin.pk})

    unconfirmed = client.post(url)
    confirmed = client.post(url, {"confirm": "oui"})

    assert unconfirmed["Location"] == reverse("basin-detail", kwargs={"pk": basin.pk})
    assert confirmed["Location"] == reverse("basin-list")
    assert not Basin.objects.filter(pk=basin.pk).exists()


def test_basin_detail_shows_its_lycees_on_the_map_and_in_a_table(
    client: Client, t: Territory, delegate, basin: Basin
) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.models import ImportBatch, Lycee

    _login(client, delegate)
    url = reverse("basin-detail", kwargs={"pk": basin.pk})
    empty = _text(client.get(url))
    batch = ImportBatch.objects.create(
        kind="lycees", file_name="annuaire.csv", sha256="e" * 64, status="done", vintage="2025"
    )
    common = {"batch": batch, "layout": "officiel", "latitude": 48.05, "longitude": 2.05}
    Lycee.objects.create(
        uai="0520019Y", name="Lycée Charles de Gaulle", commune_code="52121", sector="public",
        voie_generale=True, voie_technologique=True, voie_professionnelle=True, **common,
    )  # fmt: skip
    Lycee.objects.create(
        uai="0520021A", name="Lycée Bouchardon", commune_code="52121", sector="public",
        voie_generale=True, voie_technologique=False, voie_professionnelle=False, **common,
    )  # fmt: skip
    Lycee.objects.create(
        uai="0520800X", name="Lycée polyvalent de Brottes", commune_code="52001", batch=batch,
        layout="reduit", voie_generale=True, vocational_guess_from_name=True, latitude=48.06,
        longitude=2.15,
    )  # fmt: skip
    Lycee.objects.create(
        uai="0210001A", name="Lycée hors bassin", commune_code="21001", sector="public",
        voie_professionnelle=True, voie_technologique=False, **common,
    )  # fmt: skip

    response = client.get(url)

    assert "Aucun lycée connu dans les communes du bassin" in empty
    traces = {t["name"]: t for t in _map_figure(response)["data"]}
    assert len(traces["Lycée (voie professionnelle)"]["x"]) == 1
    assert len(traces["Lycée (voie générale seule)"]["x"]) == 1
    assert len(traces["Lycée (voie pro. non publiée)"]["x"]) == 1
    assert "Lycée (voie technologique)" not in traces
    assert [row["uai"] for row in response.context["lycees"]] == [
        "0520019Y", "0520021A", "0520800X",
    ]  # fmt: skip
    text = _text(response)
    assert "Lycées du bassin" in text
    assert "3 lycées dans les communes du bassin" in text
    assert "Voies générale, technologique, professionnelle (officiel)" in text
    assert "voie professionnelle probable (déduit du nom)" in text
    assert "Lycée hors bassin" not in text
