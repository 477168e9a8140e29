"""Every page and endpoint that reads a number from its query string or form answers a value
out of shape — not a number, non-finite, huge, negative, or an unknown key where the endpoint
lists its keys — with a 400 and a French message naming the parameter: never a 500, never
silently ignored (diagnostics/params.py for pages; the API's own validation).

The count of cases refused / tried goes to the security note (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.tokens import make_token
from tests.test_access_matrix import ADMIN, API, DELEGATE, World, build_world

pytestmark = pytest.mark.django_db

BAD_INTEGERS = {
    "texte": "abc",
    "nan": "nan",
    "infini": "inf",
    "négatif": "-1",
    "énorme": "99999999999999999999999",
    "exposant": "1e400",
    # str.isdigit() says yes, int() says no: a 500 on every page that read a number (fuzzing).
    "chiffre exposant": "²",
}
BAD_FLOATS = {"texte": "abc", "nan": "nan", "infini": "inf", "négatif": "-5", "énorme": "1e400"}


@dataclass(frozen=True)
class Case:
    name: str
    persona: str
    method: str
    url: Callable[[World], str]
    params: Callable[[str], dict[str, str]]
    message: str  # a fragment of the French message that names the parameter
    values: dict[str, str]


def _basin(route: str) -> Callable[[World], str]:
    return lambda w: reverse(route, args=[w.basin.pk])


CASES = [
    Case(
        "liste des diagnostics",
        DELEGATE,
        "GET",
        lambda w: reverse("diagnostic-list"),
        lambda v: {"page": v},
        "« page »",
        BAD_INTEGERS,
    ),
    Case(
        "imports",
        DELEGATE,
        "GET",
        lambda w: reverse("import-list"),
        lambda v: {"page": v},
        "« page »",
        BAD_INTEGERS,
    ),
    Case(
        "journal",
        ADMIN,
        "GET",
        lambda w: reverse("audit-log"),
        lambda v: {"page": v},
        "« page »",
        BAD_INTEGERS,
    ),
    Case(
        "catalogue",
        DELEGATE,
        "GET",
        lambda w: reverse("catalogue-home"),
        lambda v: {"page": v},
        "« page »",
        BAD_INTEGERS,
    ),
    Case(
        "comparaison a",
        DELEGATE,
        "GET",
        lambda w: reverse("diagnostic-compare"),
        lambda v: {"a": v, "b": "1"},
        "« a »",
        BAD_INTEGERS,
    ),
    Case(
        "comparaison bassin",
        DELEGATE,
        "GET",
        lambda w: reverse("diagnostic-compare"),
        lambda v: {"basin": v},
        "« basin »",
        BAD_INTEGERS,
    ),
    Case(
        "retrait de partage",
        DELEGATE,
        "POST",
        _basin("basin-share"),
        lambda v: {"action": "unshare", "user_id": v},
        "« user_id »",
        BAD_INTEGERS,
    ),
    Case(
        "scénario économique",
        DELEGATE,
        "GET",
        _basin("business-model"),
        lambda v: {"scenario": v},
        "« scenario »",
        BAD_INTEGERS,
    ),
    Case(
        "atouts : hébergeur",
        DELEGATE,
        "POST",
        _basin("basin-assets"),
        lambda v: {"action": "delete_host", "host_id": v},
        "« host_id »",
        BAD_INTEGERS,
    ),
    Case(
        "nouveau projet : bassin",
        DELEGATE,
        "GET",
        lambda w: reverse("project-create"),
        lambda v: {"basin": v},
        "« basin »",
        BAD_INTEGERS,
    ),
    Case(
        "planification : budget",
        DELEGATE,
        "GET",
        lambda w: reverse("planning"),
        lambda v: {"region": "RA", "budget": v},
        "",
        BAD_FLOATS,
    ),
    Case(
        "planification : distance",
        DELEGATE,
        "GET",
        lambda w: reverse("planning"),
        lambda v: {"region": "RA", "min_km": v},
        "",
        BAD_FLOATS,
    ),
    Case(
        "planification nationale : nombre de sites",
        ADMIN,
        "GET",
        lambda w: reverse("national-planning"),
        lambda v: {"n": v},
        "",
        BAD_INTEGERS,
    ),
    Case(
        "planification nationale : budget",
        ADMIN,
        "GET",
        lambda w: reverse("national-planning"),
        lambda v: {"budget": v},
        "",
        BAD_FLOATS,
    ),
    Case(
        "planification nationale : coût",
        ADMIN,
        "GET",
        lambda w: reverse("national-planning-export"),
        lambda v: {"cost_turnkey": v},
        "",
        BAD_FLOATS,
    ),
    Case(
        "API : planification nationale, distance",
        ADMIN,
        "POST",
        lambda w: reverse("api-national-planning"),
        lambda v: {"min_km": v},
        "min_km",
        BAD_FLOATS,
    ),
    Case(
        "API : écart, poids",
        API,
        "GET",
        _basin("api-basin-gap"),
        lambda v: {"weights": f"c_projects:{v},c_difficulty:1"},
        "weights",
        BAD_FLOATS,
    ),
    Case(
        "API : indicateurs, année",
        API,
        "GET",
        _basin("api-basin-indicators"),
        lambda v: {"year": v},
        "year",
        BAD_INTEGERS,
    ),
    Case(
        "API : bassins, limit",
        API,
        "GET",
        lambda w: reverse("api-basin-list"),
        lambda v: {"limit": v},
        "limit",
        BAD_INTEGERS,
    ),
    Case(
        "API : bassins, offset",
        API,
        "GET",
        lambda w: reverse("api-basin-list"),
        lambda v: {"offset": v},
        "offset",
        BAD_INTEGERS,
    ),
]
# Found by fuzzing every GET page and endpoint (2026-12-07): each was a 500.
CASES += [
    Case(
        "catalogue, niveau",
        DELEGATE,
        "GET",
        lambda w: reverse("catalogue-home"),
        lambda v: {"level": v},
        "« level »",
        {"texte": "abc", "décimal": "1.5", "inconnu": "9", "chiffre exposant": "²"},
    ),
    Case(
        "modèle économique, apprenants",
        DELEGATE,
        "GET",
        _basin("business-model"),
        lambda v: {"learners_target": v},
        "Apprenants par an",
        {"énorme": "999999999999999999999", "exposant": "1e308"},
    ),
    Case(
        "API : modèle économique, scénario",
        API,
        "GET",
        _basin("api-basin-business-model"),
        lambda v: {"scenario": v},
        "scenario",
        {"texte": "abc", "négatif": "-1", "chiffre exposant": "²"},
    ),
    Case(
        "API : projets, bassin",
        API,
        "GET",
        lambda w: reverse("api-project-list"),
        lambda v: {"basin": v},
        "basin",
        BAD_INTEGERS,
    ),
]
UNKNOWN_KEYS = [
    Case(
        "journal : clé inconnue",
        ADMIN,
        "GET",
        lambda w: reverse("audit-log"),
        lambda v: {"tri": v},
        "« tri »",
        {"inconnue": "1"},
    ),
    Case(
        "API : écart, clé inconnue",
        API,
        "GET",
        _basin("api-basin-gap"),
        lambda v: {"poids": v},
        "poids",
        {"inconnue": "1"},
    ),
    Case(
        "API : écart, composante inconnue",
        API,
        "GET",
        _basin("api-basin-gap"),
        lambda v: {"weights": f"c_inconnue:{v}"},
        "weights",
        {"inconnue": "1"},
    ),
    Case(
        "API : indicateurs, clé inconnue",
        API,
        "GET",
        _basin("api-basin-indicators"),
        lambda v: {"annee": v},
        "annee",
        {"inconnue": "2024"},
    ),
]
PARAMS = [
    pytest.param(case, label, value, id=f"{case.name}-{label}")
    for case in CASES + UNKNOWN_KEYS
    for label, value in case.values.items()
]


def _client(world: World, persona: str) -> Client:
    client = Client()
    user = world.users[persona]
    if persona == API:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {make_token(user)}"
    else:
        client.force_login(user)
    return client


@pytest.fixture
def world() -> World:
    from tests.test_access_matrix import basin_with_diagnostic_pk

    world = build_world()
    basin_with_diagnostic_pk(world)  # a done run: the API answers about it
    return world


@pytest.mark.parametrize(("case", "label", "value"), PARAMS)
def test_bad_number_answers_400_in_french(world: World, case: Case, label: str, value: str) -> None:
    client = _client(world, case.persona)
    url = case.url(world)

    if case.method == "GET":
        response = client.get(url, case.params(value))
    else:
        response = client.post(url, case.params(value))

    body = response.content.decode()
    assert response.status_code == 400, f"{case.name} {label} ({value}) : {response.status_code}"
    assert case.message in body, body[:500]


def test_an_id_past_the_bigint_range_is_not_found_over_the_api(world: World) -> None:
    # The indicators endpoint reads its basin with SQL of its own: the id reached the driver
    # (OverflowError, a 500).
    client = _client(world, API)

    for pk in ("9223372036854775808", "99999999999999999999"):
        response = client.get(f"/api/v1/basins/{pk}/indicators/")
        assert response.status_code == 404, pk
