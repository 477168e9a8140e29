"""Assets every browser asks for: /favicon.ico is DSFR's icon (a 404 was logged on every page),
and the API docs page is in French (our Swagger UI template)."""

import pytest
from django.test import Client


def test_favicon_redirects_to_the_dsfr_icon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/dsfr/dist/favicon/favicon.ico"


@pytest.mark.django_db
def test_api_docs_page_is_french_without_deep_links(client: Client) -> None:
    from tests.factories.basins import make_user

    client.force_login(make_user("lecteur-docs"))
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    # The init script is its own file (CSP: no inline script), with the settings in it.
    script = client.get("/api/docs/?script=").content.decode()
    assert '"deepLinking": false' in script
