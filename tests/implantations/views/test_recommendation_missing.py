"""A recommendation that lacks facts names them and where to enter them (issue 10 §4)."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client
from django.urls import reverse

from tests.implantations.recommendation_world import TURNKEY_SPEC, build_basin, delegate

pytestmark = pytest.mark.django_db


def test_without_diagnostic_the_missing_data_are_named_with_the_import_page(client: Client) -> None:
    basin = build_basin(TURNKEY_SPEC, with_run=False)
    client.force_login(delegate())

    page = client.get(reverse("recommendation-detail", args=[basin.pk])).content.decode()

    block = page[page.index('id="reco-manques"') :]
    # Without a diagnostic the known weights fall under the honesty threshold: no concept.
    assert "Ce qui manque pour conclure" in block
    assert "<strong>Projets de recrutement pour 1 000 habitants</strong>" in block
    assert f'<a href="{reverse("import-create")}">Données › Imports › Nouvel import</a>' in block
    assert "import_dataset --kind bmo FICHIER" in block


def test_without_assets_no_concept_and_the_assets_page_is_named(client: Client) -> None:
    bare = dataclasses.replace(TURNKEY_SPEC, hosts=[], partnership={}, letters=0)
    basin = build_basin(bare)
    client.force_login(delegate())

    page = client.get(reverse("recommendation-detail", args=[basin.pk])).content.decode()

    block = page[page.index('id="reco-manques"') :]
    assets = reverse("basin-assets", args=[basin.pk])
    assert "Ce qui manque pour conclure" in block
    assert f'à renseigner sur la <a href="{assets}">page des atouts du bassin</a>' in block
    assert "Engagement de l&#x27;EPCI" in block
