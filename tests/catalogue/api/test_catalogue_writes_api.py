"""Catalogue writes over the API v1 (issue 14, catalogue:write): sectors and paths created,
edited and deleted with the admin's validation, occupations linked and unlinked, history with
the user who changed what."""

from __future__ import annotations

import pytest

from catalogue.models import Sector, TrainingPath
from diagnostics.models import Role
from tests.factories.basins import make_region, make_user
from tests.factories.catalogue import SectorFactory, make_path
from tests.factories.tokens import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return make_user("curatrice", role=Role.CATALOGUE_ADMIN)


NEW_PATH = {
    "code": "NUM-09",
    "title": "Technicien support",
    "sector": "NUM",
    "certification_type": "titre_rncp",
    "rncp_code": "RNCP1234",
    "level": 5,
    "duration_hours": 450,
    "modalities": ["presentiel", "hybride"],
    "purposes": ["reconversion"],
    "rome_codes": ["I1401"],
}


def test_create_edit_and_delete_a_path_with_its_history(curator):
    SectorFactory(code="NUM", name="Numérique")
    api = token_client(curator)

    created = api.post("/api/v1/catalogue/paths/", NEW_PATH, format="json")
    edited = api.patch(
        "/api/v1/catalogue/paths/NUM-09/", {"title": "Technicien d'assistance", "level": 4},
        format="json",
    )  # fmt: skip
    history = api.get("/api/v1/catalogue/paths/NUM-09/history/").json()
    deleted = api.delete("/api/v1/catalogue/paths/NUM-09/")

    assert created.status_code == 201, created.content
    assert created.json()["modalities"] == ["presentiel", "hybride"]
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["level"]) == ("Technicien d'assistance", 4)
    assert edited.json()["rncp_code"] == "RNCP1234"  # untouched by the PATCH
    # Newest first: the edit, then the creation (its links are recorded just after it).
    assert history[0]["kind"] == "~" and history[-1]["kind"] == "+"
    assert set(history[0]["changes"]) == {"title", "level"}
    assert history[0]["user"] == "curatrice"
    assert deleted.status_code == 204
    assert not TrainingPath.objects.filter(code="NUM-09").exists()
    assert TrainingPath.history.filter(code="NUM-09", history_type="-").count() == 1


def test_a_bad_path_is_a_400_naming_each_field_and_nothing_is_written(curator):
    SectorFactory(code="NUM", name="Numérique")
    make_path(code="NUM-01", title="Technicien support")
    api = token_client(curator)

    response = api.post(
        "/api/v1/catalogue/paths/",
        {**NEW_PATH, "certification_type": "module", "rome_codes": ["I14"]},
        format="json",
    )
    unknown_sector = api.post(
        "/api/v1/catalogue/paths/", {**NEW_PATH, "sector": "ZZZ"}, format="json"
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "Format invalide : I14" in fields["rome_codes"][0]
    assert "module non certifiant" in fields["rncp_code"][0]
    assert "intitulé" in " ".join(fields["non_field_errors"]) or "title" in fields
    assert unknown_sector.json()["error"]["fields"] == {"sector": ["Filière inconnue : « ZZZ »."]}
    assert not TrainingPath.objects.filter(code="NUM-09").exists()


def test_sectors_created_edited_and_not_deleted_while_they_have_paths(curator):
    api = token_client(curator)

    created = api.post("/api/v1/catalogue/sectors/", {"code": "IND", "name": "Industrie"})
    make_path(code="IND-01", title="Soudeur", sector=Sector.objects.get(code="IND"))
    renamed = api.patch("/api/v1/catalogue/sectors/IND/", {"name": "Industrie du futur"})
    refused = api.delete("/api/v1/catalogue/sectors/IND/")
    duplicate = api.post("/api/v1/catalogue/sectors/", {"code": "IND", "name": "Autre"})

    assert created.status_code == 201
    assert renamed.json()["name"] == "Industrie du futur"
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith(
        "La filière « Industrie du futur » a encore 1 parcours"
    )
    assert duplicate.status_code == 400 and "code" in duplicate.json()["error"]["fields"]
    history = api.get("/api/v1/catalogue/sectors/IND/history/").json()
    assert [h["kind"] for h in history] == ["~", "+"]


def test_occupations_linked_and_unlinked(curator):
    make_path(code="NUM-01", title="Développeur web", rome_codes=["M1805"])
    api = token_client(curator)
    url = "/api/v1/catalogue/paths/NUM-01/occupations/"

    added = api.post(url, {"code": "m1855", "nomenclature": "rome"}, format="json")
    again = api.post(url, {"code": "M1855", "nomenclature": "rome"}, format="json")
    bad = api.post(url, {"code": "XYZ", "nomenclature": "bmo"}, format="json")
    removed = api.delete(f"{url}M1805/")
    missing = api.delete(f"{url}M1805/")

    assert added.status_code == 201
    assert [o["code"] for o in added.json()] == ["M1805", "M1855"]
    assert again.status_code == 200
    assert bad.status_code == 400 and "code" in bad.json()["error"]["fields"]
    assert removed.status_code == 204 and missing.status_code == 404
    assert TrainingPath.objects.get(code="NUM-01").rome_codes == ["M1855"]
    assert [o["code"] for o in api.get(url).json()] == ["M1855"]


def test_writes_need_catalogue_write_and_a_curators_role(curator):
    SectorFactory(code="NUM", name="Numérique")
    reader = token_client(curator, ["indicators:read"])
    delegate = token_client(
        make_user("delegue", role=Role.REGIONAL_DELEGATE, regions=[make_region("44", "GE")])
    )

    assert reader.post("/api/v1/catalogue/paths/", NEW_PATH, format="json").status_code == 403
    assert delegate.post("/api/v1/catalogue/paths/", NEW_PATH, format="json").status_code == 403
    assert delegate.get("/api/v1/catalogue/sectors/NUM/").status_code == 200


def test_a_description_longer_than_the_bound_is_a_400_and_the_path_unchanged(curator):
    SectorFactory(code="NUM", name="Numérique")
    api = token_client(curator)
    api.post("/api/v1/catalogue/paths/", NEW_PATH, format="json")

    long = api.patch("/api/v1/catalogue/paths/NUM-09/", {"description": "é" * 5001}, format="json")
    bound = api.patch(
        "/api/v1/catalogue/paths/NUM-09/", {"prerequisites": "é" * 5000}, format="json"
    )

    assert long.status_code == 400
    assert long.json()["error"]["fields"] == {
        "description": ["Assurez-vous que ce champ comporte au plus 5000\xa0caractères."]
    }
    assert bound.status_code == 200
    path = TrainingPath.objects.get(code="NUM-09")
    assert (path.description, len(path.prerequisites)) == ("", 5000)
