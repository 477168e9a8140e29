"""The indicators API's one-statement read of a basin's latest done run (issue 14): the same
scope as `basin_live_list_for` for every role, the same « newer data » answer as the run
lifecycle, and API tokens cached but forgotten when revoked or when their user changes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from diagnostics.models import Role
from diagnostics.selectors.access import basin_live_list_for
from diagnostics.selectors.indicators import basin_latest_done_run_for, run_has_newer_data
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from diagnostics.services.tokens import api_token_create, api_token_revoke
from tests.factories.basins import BasinFactory, make_user
from tests.factories.diagnostic_runs import diagnostic_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = diagnostic_world()
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    foreign = BasinFactory(name="Bassin breton", region=world.other_region)
    users = {
        "admin": make_user("admin", role=Role.NATIONAL_ADMIN),
        "delegate": world.delegate,
        "other_delegate": make_user(
            "d53", role=Role.REGIONAL_DELEGATE, regions=[world.other_region]
        ),
        "catalogue": make_user("cat", role=Role.CATALOGUE_ADMIN),
        "mayor": make_user("mairie", role=Role.MAYOR_VIEWER),
        "api": make_user("api", role=Role.API_CLIENT, regions=[world.region]),
    }
    return world, run, foreign, users


def test_scope_is_basin_live_list_for_for_every_role(world):
    w, run, foreign, users = world

    for name, user in users.items():
        for basin in (w.basin, foreign):
            readable = basin_live_list_for(user).filter(pk=basin.pk).exists()
            found = basin_latest_done_run_for(user, basin_id=basin.pk)
            expected = run.pk if readable and basin.pk == w.basin.pk else None
            assert (found.pk if found else None) == expected, (name, basin.name)
    assert readable is False  # the last user read, a mayor without live reads


def test_run_read_without_its_document_and_with_the_newer_data_answer(
    world, django_assert_num_queries
):
    w, run, _, _ = world

    with django_assert_num_queries(1):
        found = basin_latest_done_run_for(w.delegate, basin_id=w.basin.pk)
    assert found is not None
    assert (found.finished_at, found.data_key) == (run.finished_at, run.data_key)
    assert "results" in found.get_deferred_fields()
    assert found.newer_data_available is False
    delattr(found, "newer_data_available")
    assert run_has_newer_data(found) is False


def test_indicators_request_costs_one_query_once_cached(world, django_assert_max_num_queries):
    w, _, _, _ = world
    client = APIClient()
    key = api_token_create(user=w.delegate, name="t", scopes=["indicators:read"]).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/basins/{w.basin.pk}/indicators/"
    assert client.get(url).status_code == 200  # token and indicators cached

    with django_assert_max_num_queries(1):
        again = client.get(url)

    assert again.status_code == 200
    assert again.json()["run"]["newer_data_available"] is False


def test_a_cached_token_is_forgotten_when_revoked_or_its_user_changes(world):
    w, _, _, _ = world
    created = api_token_create(user=w.delegate, name="t", scopes=["indicators:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {created.key}")
    url = f"/api/v1/basins/{w.basin.pk}/"
    assert client.get(url).status_code == 200

    w.delegate.regions.clear()
    assert client.get(url).status_code == 404  # the regions changed: read again
    w.delegate.is_active = False
    w.delegate.save()
    assert client.get(url).status_code == 401
    w.delegate.is_active = True
    w.delegate.save()
    api_token_revoke(token=created.token)
    assert client.get(url).status_code == 401
