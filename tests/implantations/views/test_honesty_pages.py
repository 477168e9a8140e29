"""Honesty rules and no dead ends through the pages, the CSV exports and the API: a score on too
little known data is « données insuffisantes » (never a number), an ineligible candidate is
never ranked, one rounding rule, and every link a role sees opens."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import BmoFact, ChomageZeFact, Role
from diagnostics.services.accounts import user_create
from tests.catalogue.scenario import build_scenario
from tests.factories.basins import make_user
from tests.implantations.recommendation_world import (
    FAB_ID_SPEC,
    TURNKEY_SPEC,
    build_basin,
    delegate,
)
from tests.implantations.services.test_planning import region  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Recommendation ---------------------------------------------------------------------------
# The turnkey basin without its diagnostic (worked from the profile's weights): turnkey 65.74
# on 51 % of its weights, Fab ID 36.1 on 45 %, progressive 39.37 on 60 % (threshold 60 %).


def test_recommendation_page_shows_no_score_on_too_little_data(client: Client) -> None:
    basin = build_basin(TURNKEY_SPEC, with_run=False)
    client.force_login(delegate())

    response = client.get(reverse("recommendation-detail", args=[basin.pk]))
    text = _text(response.content.decode())

    assert response.status_code == 200
    assert "Aucune recommandation ferme" in text
    assert text.count("Données insuffisantes") == 2  # turnkey and Fab ID cards
    assert "Poids appuyés sur des données connues : 51 % (il en faut au moins 60 %" in text
    assert "65,7" not in text and "36,1" not in text  # neither card, table nor chart text
    assert "39,4" in text  # progressive: 60 % known, shown
    assert "Ce qui manque" in text and "relancer le diagnostic" in text
    concepts = {c["code"]: c for c in response.context["concepts"]}
    assert concepts["turnkey"]["waterfall"] is None and concepts["progressive"]["waterfall"]
    annotations = [a["text"] for a in response.context["scores_figure"]["layout"]["annotations"]]
    assert annotations[0].startswith("données insuffisantes")
    assert annotations[2].startswith("<b>39,4</b>")


def test_recommendation_score_has_one_rounding_on_card_table_and_chart(client: Client) -> None:
    # Fab ID 74.71, turnkey 42.99, progressive 34.0 (profile with the reconversion criterion, issue 17)
    basin = build_basin(FAB_ID_SPEC)
    client.force_login(delegate())

    response = client.get(reverse("recommendation-detail", args=[basin.pk]))
    html = response.content.decode()

    assert 'cnam-concept__score">74,7 <small>' in html
    assert '<th class="fr-cell--right">74,7</th>' in html  # the table's total row
    annotations = [a["text"] for a in response.context["scores_figure"]["layout"]["annotations"]]
    assert annotations[1] == "<b>74,7</b>"
    assert "Aucune recommandation ferme" not in html


def test_api_recommendation_is_null_and_says_what_is_missing() -> None:
    basin = build_basin(TURNKEY_SPEC, with_run=False)
    api = Client()
    api.force_login(user_create(username="obs", role=Role.API_CLIENT, regions=["44"]))

    data = api.get(f"/api/v1/basins/{basin.pk}/recommendation/").json()

    assert data["conclusive"] is False
    assert data["min_known_share"] == 0.6
    assert data["concept"] is None
    assert data["scores"] == {"turnkey": None, "fab_id": None, "progressive": 39.4}
    assert data["verdicts"]["turnkey"]["conclusive"] is False
    assert data["verdicts"]["turnkey"]["known_share"] == pytest.approx(0.51)
    missing = {m["code"]: m for m in data["missing"]}
    assert missing["bmo_projects_per_1000"]["how"].startswith("importer l'enquête Besoins")
    assert missing["unemployment_rate"]["source"] == "chomage_ze"


# --- Planning ---------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_planning_csv_never_ranks_an_ineligible_town(region, client):  # type: ignore[no-untyped-def]  # noqa: F811
    client.force_login(make_user("delegue-44", regions=[region]))

    rows = _csv(client.get(reverse("planning-export"), {"region": "44", "n": 2, "min_km": 40}))
    header = rows[0]
    by_name = {r[header.index("candidat")]: r for r in rows[1:4]}

    assert [by_name[n][header.index("rang")] for n in ("Alpha", "Beta", "Gamma")] == ["1", "2", ""]
    assert by_name["Gamma"][header.index("classement")] == "inéligible"
    assert by_name["Gamma"][header.index("pourquoi non classé")] == (
        "hors des critères d'éligibilité : population du bassin 25\u202f000 hab. hors des bornes "
        "(30\u202f000 à 100\u202f000)"
    )
    # One rounding rule: 72.2289 → « 72,2 », as on the page.
    assert by_name["Alpha"][header.index("adéquation (0-100)")] == "72,2"


def test_planning_without_need_data_ranks_nobody(region, client):  # type: ignore[no-untyped-def]  # noqa: F811
    BmoFact.objects.all().delete()
    ChomageZeFact.objects.all().delete()
    client.force_login(make_user("delegue-44", regions=[region]))

    page = client.get(reverse("planning"), {"region": "44"})
    rows = _csv(client.get(reverse("planning-export"), {"region": "44"}))
    header = rows[0]

    # Known share without the need pillar: 0.3 + 0.2 = 50 % (< 60 %).
    assert page.context["ranked_rows"] == []
    text = _text(page.content.decode())
    assert "Candidats non classés (3)" in text
    assert "données insuffisantes : 50 % des poids reposent sur des données connues" in text
    alpha = next(r for r in rows[1:] if r[header.index("candidat")] == "Alpha")
    assert alpha[header.index("rang")] == ""
    assert alpha[header.index("adéquation (0-100)")] == "données insuffisantes"
    assert alpha[header.index("part des poids sur des données connues (%)")] == "50"
    assert alpha[header.index("retenu")] == "non"


def test_planning_calculate_without_region_says_so(client: Client) -> None:
    client.force_login(make_user("admin", role=Role.NATIONAL_ADMIN))

    opened = client.get(reverse("planning"))
    submitted = client.get(reverse("planning"), {"region": "", "n": "5"})

    assert "Choisissez une région puis « Calculer »" in opened.content.decode()
    assert submitted.status_code == 400  # the form's errors, as a bad request
    assert submitted.context["form"].errors["region"] == [
        "Choisissez une région : la planification se calcule région par région."
    ]
    assert 'class="fr-error-text">Choisissez une région' in submitted.content.decode()


def test_planning_form_shows_french_decimals(region, client):  # type: ignore[no-untyped-def]  # noqa: F811
    client.force_login(make_user("delegue-44", regions=[region]))

    html = client.get(reverse("planning")).content.decode()
    typed = client.get(
        reverse("planning"), {"region": "44", "min_km": "25,5", "cost_turnkey": "262\u202f525"}
    )

    assert 'name="min_km" value="40"' in html
    assert 'name="w_eligibility" value="0,3"' in html
    assert typed.context["plan"].min_km == 25.5
    assert typed.context["plan"].costs["turnkey"] == 262_525


def test_planning_export_without_region_is_a_french_400(client: Client) -> None:
    client.force_login(make_user("admin", role=Role.NATIONAL_ADMIN))

    page = client.get(reverse("planning-export"))
    api = client.get(reverse("planning-export"), HTTP_ACCEPT="application/json")

    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert "Indiquez la région à exporter" in page.content.decode()
    assert "Retour à la planification" in page.content.decode()
    assert api.status_code == 400
    assert api.json() == {
        "detail": "Indiquez la région à exporter : choisissez-la sur la page de planification, "
        "calculez, puis « Exporter en CSV ».",
        "errors": {"Région": ["Choisissez une région."]},
    }


# --- No dead ends -----------------------------------------------------------------------------


def _links(html: str) -> set[str]:
    return {
        link.replace("&amp;", "&")
        for link in re.findall(r'href="(/[^"#]*)"', html)
        if not link.startswith("/static/") and "deconnexion" not in link and "logout" not in link
    }


def test_mayor_sees_no_link_that_is_refused_on_shared_diagnostic_and_gap(client: Client) -> None:
    scenario = build_scenario()
    mayor = user_create(username="mairie", role=Role.MAYOR_VIEWER)
    from implantations.services.sharing import shared_version_create

    version = shared_version_create(run=scenario.run, user=None, recipients=["mairie"])
    client.force_login(mayor)
    pages = [
        reverse("diagnostic-detail", args=[scenario.run.pk]),
        reverse("shared-version-detail", args=[version.pk]),
    ]

    broken = {}
    seen = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Comptable assistant" in html  # the paths are listed…
        assert reverse("catalogue-path-detail", args=[scenario.accounting.pk]) not in html
        for link in _links(html):
            seen += 1
            status = client.get(link).status_code
            if status in (403, 404):
                broken[link] = status

    assert seen > 5
    assert broken == {}


def test_delegate_still_opens_the_paths_from_the_gap_page(client: Client) -> None:
    scenario = build_scenario()
    client.force_login(delegate())

    html = client.get(reverse("catalogue-basin-gap", args=[scenario.basin.pk])).content.decode()

    assert reverse("catalogue-path-detail", args=[scenario.accounting.pk]) in html


def test_compare_without_parameters_lists_the_runs_to_pick(client: Client) -> None:
    scenario = build_scenario()
    client.force_login(delegate())

    bare = client.get(reverse("diagnostic-compare"))
    basin = client.get(reverse("diagnostic-compare"), {"a": scenario.run.pk})

    assert bare.status_code == 200
    text = _text(bare.content.decode())
    assert "Choisissez un bassin" in text
    assert f"{scenario.basin.name} (" in text and "il en faut deux pour comparer" in text
    assert basin.status_code == 200
    assert "Choisissez les deux diagnostics à comparer." in basin.content.decode()
    assert "qu'un diagnostic terminé" in _text(basin.content.decode())
