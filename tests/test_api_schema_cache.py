"""The OpenAPI schema is generated once per process (cnam_territoires/api_schema.py): the same for
every role, still refused to anonymous callers, generated again when its settings change."""

from __future__ import annotations

from unittest import mock

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIRequestFactory, force_authenticate

from cnam_territoires.api_schema import StoredSchemaView, schemas_forget
from diagnostics.models import Role
from diagnostics.services.accounts import user_create

pytestmark = pytest.mark.django_db

ROLES = {
    Role.NATIONAL_ADMIN: [],
    Role.REGIONAL_DELEGATE: ["84"],
    Role.CATALOGUE_ADMIN: [],
    Role.MAYOR_VIEWER: [],
    Role.API_CLIENT: ["84"],
}


def _get(user=None, query: str = ""):  # type: ignore[no-untyped-def]
    request = APIRequestFactory().get(f"/api/schema/{query}")
    if user is not None:
        force_authenticate(request, user=user)
    response = StoredSchemaView.as_view()(request)
    response.render()
    return response


@pytest.fixture
def users():  # type: ignore[no-untyped-def]
    from diagnostics.models import Region

    Region.objects.get_or_create(code="84", defaults={"name": "Auvergne-Rhône-Alpes"})
    return {
        role: user_create(username=f"schema-{role}", role=role, regions=regions)
        for role, regions in ROLES.items()
    }


def test_every_role_gets_the_same_schema_generated_for_it_alone(users) -> None:  # type: ignore[no-untyped-def]
    """Generated afresh for each role, the schema is the same document: storing one for all
    callers shows nobody anything their own generation would not have shown."""
    bodies = {}
    for role, user in users.items():
        schemas_forget()
        response = _get(user, "?format=json")
        assert response.status_code == 200, role
        bodies[role] = response.content
    first = bodies[Role.NATIONAL_ADMIN]
    assert b'"/api/v1/basins/"' in first and len(first) > 100_000
    assert {role for role, body in bodies.items() if body != first} == set()


def test_second_request_reuses_the_schema_and_anonymous_is_still_refused(users) -> None:  # type: ignore[no-untyped-def]
    schemas_forget()
    admin, mayor = users[Role.NATIONAL_ADMIN], users[Role.MAYOR_VIEWER]
    with mock.patch.object(
        SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
    ) as generate:
        first = _get(admin, "?format=json")
        second = _get(mayor, "?format=json")
        yaml = _get(admin)
        anonymous = _get(None, "?format=json")
    assert generate.call_count == 1
    assert first.status_code == second.status_code == yaml.status_code == 200
    assert second.content == first.content
    assert yaml.content.startswith(b"openapi: 3.0.3")
    assert anonymous.status_code in (401, 403)
    assert b"/api/v1/basins/" not in anonymous.content


def test_a_change_of_the_urlconf_setting_forgets_the_schema(users, settings) -> None:  # type: ignore[no-untyped-def]
    schemas_forget()
    admin = users[Role.NATIONAL_ADMIN]
    with mock.patch.object(
        SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
    ) as generate:
        _get(admin, "?format=json")
        settings.WHITENOISE_USE_FINDERS = False  # not a setting the schema is made from
        _get(admin, "?format=json")
        assert generate.call_count == 1
        settings.ROOT_URLCONF = settings.ROOT_URLCONF  # a setting it is made from
        _get(admin, "?format=json")
        assert generate.call_count == 2


def test_any_version_or_language_asked_for_serves_the_one_schema(users) -> None:  # type: ignore[no-untyped-def]
    """`?version=` (the API is versioned by its path) and `?lang=` (any text) used to key a
    schema each, generated in 1–1.6 s and kept for the life of the process."""
    schemas_forget()
    admin = users[Role.NATIONAL_ADMIN]
    with mock.patch.object(
        SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
    ) as generate:
        plain = _get(admin, "?format=json")
        others = [
            _get(admin, f"?format=json&{query}")
            for query in ("version=abc", "version=2", "lang=xx-yy", "lang=fr", "lang=%C2%B2")
        ]
    assert generate.call_count == 1
    assert {response.status_code for response in others} == {200}
    assert {response.content for response in others} == {plain.content}


def test_first_requests_at_once_in_a_new_process_all_get_the_schema(users) -> None:  # type: ignore[no-untyped-def]
    """drf-spectacular's generation is not thread-safe: two first requests generating at once
    failed inside it (AttributeError, a 500). Six threads ask at once; one generates."""
    import threading

    schemas_forget()
    admin = users[Role.NATIONAL_ADMIN]
    start = threading.Barrier(6)
    statuses: list[int] = []

    def ask() -> None:
        start.wait()
        statuses.append(_get(admin, "?format=json").status_code)

    with mock.patch.object(
        SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
    ) as generate:
        threads = [threading.Thread(target=ask) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert statuses == [200] * 6
    assert generate.call_count == 1
