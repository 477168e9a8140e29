"""A delegate registers a basin in the browser: search an EPCI, preview the map, save."""

import re

import pytest

from diagnostics.models import Basin, Role
from tests.e2e.conftest import login
from tests.factories.basins import Territory, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_delegate_registers_a_basin_from_an_epci_with_preview_map(
    live_server, page, screenshot_dir
) -> None:  # type: ignore[no-untyped-def]
    territory = Territory()
    user = make_user("delegue-e2e", role=Role.REGIONAL_DELEGATE, regions=[territory.grand_est])
    user.set_password("motdepasse-tres-long-42")
    user.save()

    login(page, live_server, "delegue-e2e", "motdepasse-tres-long-42")
    page.goto(f"{live_server.url}/bassins/nouveau/")
    page.check("input[name=source_kind][value=epci]", force=True)
    # Autocomplete from the territory search: type a name, pick the suggestion.
    page.fill("#territory-search", "Chaum")
    page.locator("#territory-search-list [role=option]").first.click()
    assert "200000001" in page.input_value("[name=source_codes]")
    page.fill("[name=name]", "Bassin de Chaumont (e2e)")
    page.click("button[name=preview]")

    # The preview: population 20,000 + 5,000 (EPCI 200000001 = 52121 + 52001) and a drawn map.
    page.wait_for_selector(".js-plotly-plot")
    assert "25 000" in page.inner_text("main").replace("\u202f", " ").replace("\xa0", " ")
    assert Basin.objects.count() == 0  # a preview writes nothing
    page.screenshot(path=str(screenshot_dir / "e2e-basin-preview.png"), full_page=True)

    page.click("button[name=save]")
    # The basin's own page: `/bassins/*/` also matched the form (/bassins/nouveau/), a wait
    # that waited for nothing.
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/bassins/\d+/$"))
    basin = Basin.objects.get()
    assert (basin.name, basin.population, basin.communes_count) == (
        "Bassin de Chaumont (e2e)",
        25_000,
        2,
    )
    page.wait_for_selector(".js-plotly-plot")
    page.screenshot(path=str(screenshot_dir / "e2e-basin-detail.png"), full_page=True)
