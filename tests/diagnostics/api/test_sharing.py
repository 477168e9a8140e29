"""API of the shared diagnostic (issue 13): the same people and rules as the pages, the error
shape for bad input, query counts for the lists."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import ShareRecipient
from implantations.models import Contribution
from implantations.services.sharing import shared_version_create
from tests.factories.sharing import done_run, sharing_world
from tests.factories.tokens import token_auth

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():  # type: ignore[no-untyped-def]
    world = sharing_world()
    world.run = done_run(world)
    world.version = shared_version_create(
        run=world.run, user=world.delegate, recipients=["mairie-chaumont"], message="<b>Bonjour</b>"
    )
    return world


def _as(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_share_list_and_detail_for_the_mayor(shared, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = _as(shared.mayor)
    with django_assert_max_num_queries(12):
        answer = client.get(reverse("api-share-list")).json()
    assert answer["count"] == 1
    item = answer["results"][0]
    assert item["id"] == shared.version.pk and item["unread"] is True
    assert item["message"] == "<b>Bonjour</b>"  # plain text: the client escapes it
    detail = client.get(reverse("api-share-detail", args=[shared.version.pk])).json()
    projects = next(f for f in detail["key_figures"] if f["label"] == "Projets de recrutement")
    assert projects["value"] == "150"
    assert "constraints" in detail["recommendation"]
    assert ShareRecipient.objects.get(user=shared.mayor).read_at is not None
    assert _as(shared.other_mayor).get(reverse("api-share-list")).json()["count"] == 0
    assert (
        _as(shared.other_mayor)
        .get(reverse("api-share-detail", args=[shared.version.pk]))
        .status_code
        == 404
    )


def test_api_share_create_refuses_a_non_partner_with_the_error_shape(shared) -> None:  # type: ignore[no-untyped-def]
    client = _as(shared.delegate)
    url = reverse("api-share-create", args=[shared.basin.pk])
    bad = client.post(
        url, {"run": shared.run.pk, "recipients": ["delegue-53"]}, content_type="application/json"
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "share_user_unknown" and "« delegue-53 »" in error["message"]
    assert error["fields"] == {"recipients": [error["message"]]}
    ok = client.post(
        url, {"run": shared.run.pk, "recipients": ["ml-chaumont"]}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["id"] == shared.version.pk
    assert (
        _as(shared.other_delegate).post(url, {}, content_type="application/json").status_code == 404
    )


def test_api_comments_escape_nothing_and_refuse_a_revoked_share(
    shared, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = _as(shared.mayor)
    url = reverse("api-share-comments", args=[shared.version.pk])
    created = client.post(
        url, {"section": "chomage", "body": "<script>x</script>"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["body"] == "<script>x</script>"
    bad = client.post(url, {"section": "ailleurs", "body": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "section" in bad.json()["error"]["fields"]
    delegate = _as(shared.delegate)
    with django_assert_max_num_queries(12):
        listed = delegate.get(url).json()
    assert listed["results"][0]["author"]["organisation"] == "Mairie de Chaumont"
    revoke = _as(shared.delegate).post(
        reverse("api-share-revoke", args=[shared.version.pk]),
        {"recipient": shared.mayor.pk},
        content_type="application/json",
    )
    assert revoke.json() == {"revoked": 1}
    again = client.post(url, {"section": "general", "body": "?"}, content_type="application/json")
    assert again.status_code == 404


def test_api_contributions_propose_decide_and_conflict(shared) -> None:  # type: ignore[no-untyped-def]
    url = reverse("api-contribution-list", args=[shared.basin.pk])
    impossible = _as(shared.mayor).post(
        url,
        {"kind": "employeur", "title": "Usine", "headcount": 99_999, "source": "s", "contact": "c"},
        content_type="application/json",
    )
    assert impossible.status_code == 400
    assert list(impossible.json()["error"]["fields"]) == ["headcount"]
    created = _as(shared.mayor).post(
        url,
        {"kind": "locaux", "title": "Salle", "surface_m2": 90, "source": "s", "contact": "c"},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    decide = reverse("api-contribution-decision", args=[pk])
    accepted = _as(shared.delegate).post(
        decide, {"decision": "accepter", "version": 1}, content_type="application/json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "acceptee"
    assert accepted.json()["constraint"] == "shared_place"
    stale = _as(shared.delegate).post(
        decide, {"decision": "refuser", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 400 and stale.json()["error"]["code"] == "conflict"
    assert Contribution.objects.get(pk=pk).status == Contribution.Status.ACCEPTED
    assert _as(shared.mayor).post(decide, {}, content_type="application/json").status_code == 404
    assert _as(shared.other_mayor).get(url).status_code == 404


def test_api_comment_with_a_token_needs_the_shares_scope(shared) -> None:  # type: ignore[no-untyped-def]
    url = reverse("api-share-comments", args=[shared.version.pk])
    body = {"section": "chomage", "body": "Les locaux de la mairie sont libres en janvier."}
    read_only = Client(headers=token_auth(shared.mayor, ["indicators:read"]))
    with_scope = Client(headers=token_auth(shared.mayor, ["indicators:read", "shares:write"]))

    refused = read_only.post(url, body, content_type="application/json")
    created = with_scope.post(url, body, content_type="application/json")

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert created.status_code == 201 and created.json()["body"] == body["body"]
    assert read_only.get(url).json()["count"] == 1  # reading needs no more than indicators:read
