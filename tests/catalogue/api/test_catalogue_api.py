"""The catalogue over the API v1 (issue 14): sectors, paths and their occupations, history,
edits with catalogue:write."""

from __future__ import annotations

import pytest

from catalogue.models import TrainingPath
from diagnostics.models import Role
from tests.factories.basins import make_region, make_user
from tests.factories.catalogue import make_path
from tests.factories.tokens import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths():
    return [
        make_path(code="NUM-01", title="Développeur web", level=5, bmo_codes=["M2Z90"]),
        make_path(code="COM-01", title="Vendeur conseil", level=4, bmo_codes=["R1Z60"]),
        make_path(code="COM-02", title="Manager de rayon", level=6, rome_codes=["D1502"]),
    ]


def test_paths_filtered_ordered_and_paginated(paths):
    api = token_client(make_user("catalogue", role=Role.CATALOGUE_ADMIN))

    by_metier = api.get("/api/v1/catalogue/paths/", {"metier": "r1z60"}).json()
    ordered = api.get("/api/v1/catalogue/paths/", {"ordering": "-level", "limit": 2}).json()
    level = api.get("/api/v1/catalogue/paths/", {"level": 8})

    assert [p["code"] for p in by_metier["results"]] == ["COM-01"]
    assert (ordered["count"], [p["code"] for p in ordered["results"]]) == (3, ["COM-02", "NUM-01"])
    assert level.status_code == 400 and list(level.json()["error"]["fields"]) == ["level"]


def test_path_detail_lists_its_occupations(paths):
    api = token_client(
        make_user("observatoire", role=Role.API_CLIENT, regions=[make_region("44", "GE")])
    )

    detail = api.get("/api/v1/catalogue/paths/COM-02/").json()
    missing = api.get("/api/v1/catalogue/paths/XXX-99/")

    assert detail["occupations"] == [{"code": "D1502", "label": None, "nomenclature": "rome"}]
    assert missing.status_code == 404


def test_path_edit_needs_catalogue_write_and_keeps_history(paths):
    admin = make_user("catalogue", role=Role.CATALOGUE_ADMIN)
    reader = token_client(admin, ["indicators:read"])
    writer = token_client(admin, ["indicators:read", "catalogue:write"])

    refused = reader.patch("/api/v1/catalogue/paths/NUM-01/", {"status": "archive"}, format="json")
    bad = writer.patch(
        "/api/v1/catalogue/paths/NUM-01/", {"bmo_codes": ["pas-un-code"]}, format="json"
    )
    done = writer.patch("/api/v1/catalogue/paths/NUM-01/", {"status": "archive"}, format="json")
    history = writer.get("/api/v1/catalogue/paths/NUM-01/history/").json()

    assert refused.status_code == 403 and "catalogue:write" in refused.json()["error"]["message"]
    assert bad.status_code == 400 and "bmo_codes" in bad.json()["error"]["fields"]
    assert done.status_code == 200 and done.json()["status"] == "archive"
    assert TrainingPath.objects.get(code="NUM-01").status == "archive"
    assert history[0]["kind"] == "~" and "status" in history[0]["changes"]
    assert history[-1]["kind"] == "+"


def test_delegate_cannot_edit_the_catalogue(paths):
    delegate = make_user("delegue", role=Role.REGIONAL_DELEGATE, regions=[make_region("44", "GE")])

    response = token_client(delegate).patch(
        "/api/v1/catalogue/paths/NUM-01/", {"status": "archive"}, format="json"
    )

    assert response.status_code == 403


def test_path_list_query_count_is_flat(paths, django_assert_max_num_queries):
    for i in range(20):
        make_path(code=f"X-{i:02d}", title=f"Parcours {i}")
    api = token_client(make_user("catalogue", role=Role.CATALOGUE_ADMIN))

    # token, count, page, then one query per many-to-many list (5): not one per path.
    with django_assert_max_num_queries(9):
        response = api.get("/api/v1/catalogue/paths/", {"limit": 100})

    assert response.json()["count"] == 23


def test_paths_carry_and_filter_on_purposes_rolling_entries_and_cpf():
    make_path(code="NUM-02", title="Boot-camp web", purposes=["reconversion", "bootcamp"],
              rolling_entries=True, rncp_code="RNCP37674", level=5)  # fmt: skip
    make_path(code="CPT-01", title="Comptable", purposes=["vae"], cpf_eligible=False, level=4)
    api = token_client(make_user("catalogue", role=Role.CATALOGUE_ADMIN))

    reconversion = api.get("/api/v1/catalogue/paths/", {"purpose": "reconversion"}).json()
    no_cpf = api.get("/api/v1/catalogue/paths/", {"cpf": "false"}).json()

    assert [p["code"] for p in reconversion["results"]] == ["NUM-02"]
    web = reconversion["results"][0]
    assert (web["purposes"], web["rolling_entries"]) == (["reconversion", "bootcamp"], True)
    assert (web["rncp_code"], web["level"], web["cpf_eligible"]) == ("RNCP37674", 5, True)
    assert [p["code"] for p in no_cpf["results"]] == ["CPT-01"]
