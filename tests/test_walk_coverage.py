"""Every page of the site is walked by the browser walk (tests/e2e/test_walk.py), or named there
with why it is not a page: checked against the URLconf without a browser, so that a page added
to the site without being walked fails here, in the quick tests. The walk used to stop at 30
pages per role in silence; 11 kinds of page were walked by no role (the basin's assets, its
gap, its shared versions and local offer, the comparisons, the national batch's page, the
project form, a share link's page)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_walk import MUST_REACH, NOT_PAGES, NOT_WALKED, ROLES
from tests.urlconf import walk_urlconf


def site_pages() -> dict[str, str]:
    """URL name → route of every pattern the walk could visit (not a file, the API or the
    admin: `NOT_WALKED`, read on the route with its parameters filled in)."""
    pages: dict[str, str] = {}
    for entry in walk_urlconf():
        route = "/" + entry.pattern
        if NOT_WALKED.search(re.sub(r"<[^>]+>", "1", route)):
            continue
        assert entry.name, f"route sans nom : {route}"
        pages.setdefault(entry.name, route)
    return pages


def test_every_page_is_walked_by_a_role_or_named_as_not_a_page() -> None:
    pages = site_pages()
    walked = set().union(*MUST_REACH.values())
    assert set(MUST_REACH) == set(ROLES)
    assert not walked & set(NOT_PAGES), "une page ne peut être à la fois visitée et écartée"
    missing = {name: pages[name] for name in sorted(set(pages) - walked - set(NOT_PAGES))}
    assert not missing, f"pages visitées par aucun rôle de la visite : {missing}"
    unknown = sorted((walked | set(NOT_PAGES)) - set(pages))
    assert not unknown, f"noms inconnus de l'URLconf : {unknown}"


@pytest.mark.django_db
def test_the_actions_named_not_pages_refuse_a_get(client) -> None:  # type: ignore[no-untyped-def]
    """The entries of NOT_PAGES said to be actions answer a GET with 405 (POST only): they have
    nothing to show, so the walk has nothing to visit. A basin's actions look the basin up first
    (another region's basin is a 404 whatever the method): they are asked about a real one."""
    from django.urls import reverse

    from diagnostics.models import Role
    from tests.factories.basins import BasinFactory
    from tests.factories.diagnostics import UserFactory

    client.force_login(UserFactory(role=Role.NATIONAL_ADMIN))
    basin: Any = BasinFactory()
    pages = site_pages()
    actions = sorted(name for name, why in NOT_PAGES.items() if why.startswith("action (POST)"))
    assert len(actions) == 11
    answers = {}
    for name in actions:
        route = pages[name]
        kwargs = {
            key: (
                "jeton" if kind == "str" else basin.pk if route.startswith("/bassins/") else 999_999
            )
            for kind, key in re.findall(r"<(?:(\w+):)?(\w+)>", route)
        }
        answers[name] = client.get(reverse(name, kwargs=kwargs)).status_code
    assert answers == dict.fromkeys(actions, 405)
