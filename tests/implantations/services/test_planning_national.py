"""National planning on a hand-made France of two regions (issue 16): candidates from the
reference basins (and registered ones), selection across regions under budget and spacing,
coverage, table by region, the page, the CSV export and the API — and a delegate's 404."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from diagnostics.models import (
    AtlasEntry,
    Basin,
    BasinSource,
    BmoFact,
    DiagnosticRun,
    ImportBatch,
    Role,
)
from implantations.analytics import planning_national as nat
from implantations.services import planning_national as services
from implantations.services.planning_parameters import PlanningError
from tests.factories.basins import (
    BassinBmoFactory,
    ZoneEmploiFactory,
    make_commune,
    make_region,
    make_user,
    square,
)

pytestmark = pytest.mark.django_db

COSTS = {"turnkey": 100.0, "fab_id": 100.0, "progressive": 100.0}


def _zone(code, name, region, lat, towns, bmo_projects, need):
    """A zone d'emploi (= its own bassin BMO) on the meridian 5°E, its communes
    [(code, population)] (the first is the main town, at `lat`), its reference basin with a
    done diagnostic and atlas figures where every need indicator equals `need`."""
    zone = ZoneEmploiFactory.create(code=code, name=name, geometry=square(4.9, lat - 0.1, 0.2))
    bassin = BassinBmoFactory.create(code="8" + code[1:], name=name.upper())
    communes = []
    for k, (commune_code, population) in enumerate(towns):
        commune = make_commune(commune_code, population=population, region=region, name=name)
        commune.latitude, commune.longitude = lat + 0.01 * k, 5.0
        commune.zone_emploi, commune.bassin_bmo = zone, bassin
        commune.save()
        communes.append(commune)
    basin = Basin.objects.create(
        name=f"{name} (ZE {code})",
        region=region,
        source_kind=BasinSource.ZONE_EMPLOI,
        source_codes=[code],
        main_town=communes[0],
        population=sum(p for _, p in towns),
        communes_count=len(towns),
        geometry=square(4.9, lat - 0.1, 0.2),
        geometry_status="ready",
        is_reference=True,
    )
    basin.communes.set(communes)
    run = DiagnosticRun.objects.create(
        basin=basin, status=DiagnosticRun.Status.DONE, data_key=f"ref-{code}"
    )
    AtlasEntry.objects.create(
        basin=basin,
        run=run,
        figures={
            "unemployment_rate": need,
            "unemployment_rate_period": "2025-T2",
            "bmo_projects_per_1000": need,
            "bmo_projects_period": "2025",
            "bmo_difficulty_rate": need,
        },
    )
    batch = ImportBatch.objects.get_or_create(
        kind="bmo", file_name="bmo.xlsx", sha256="a" * 64, status="done", vintage="2025"
    )[0]
    BmoFact.objects.create(
        batch=batch, year=2025, bassin_code=bassin.code, metier_code="A0Z40", met=bmo_projects
    )
    return basin


@pytest.fixture
def france():
    """Two regions on the meridian 5°E, four eligible zones, every need indicator of Alpha 10,
    Beta 8, Gamma 6, Delta 4 → need 1, 2/3, 1/3, 0 and, without Cnam site (access unknown),
    fit = 100 · (0.3 + 0.5 · need) / 0.8 = 100, 79.17, 58.33 and 37.5:

    - Grand Est (44): Alpha (9101) at 48.00°N, 40,000 hab. (30,000 + 10,000), 400 projects;
      Beta (9102) at 48.27°N — 30.0 km from Alpha —, 60,000 hab., 1,200 projects.
    - Bourgogne-Franche-Comté (27): Gamma (9103) at 47.00°N, 50,000 hab., 300 projects;
      Delta (9104) at 46.50°N, 35,000 hab., 100 projects.
    """
    ge = make_region("44", "Grand Est")
    bfc = make_region("27", "Bourgogne-Franche-Comté")
    return {
        "ge": ge,
        "bfc": bfc,
        "alpha": _zone("9101", "Alpha", ge, 48.0, [("88001", 30_000), ("88002", 10_000)], 400, 10),
        "beta": _zone("9102", "Beta", ge, 48.27, [("88003", 60_000)], 1200, 8),
        "gamma": _zone("9103", "Gamma", bfc, 47.0, [("21001", 50_000)], 300, 6),
        "delta": _zone("9104", "Delta", bfc, 46.5, [("21002", 35_000)], 100, 4),
    }


def test_national_plan_selects_across_regions_under_budget_and_spacing(france):
    # Budget 250 at 100 a site: two sites at most. Alpha + Beta (100 + 79.17) are 30 km apart
    # (< 40 km): the best pair is Alpha + Gamma (158.33), one in each region.
    plan = services.national_plan(
        user=None, n=3, budget=250.0, min_km=40.0, costs=COSTS, include_registered=False
    )

    fits = dict(zip(plan.candidates["name"], plan.candidates["fit"].astype(float), strict=True))
    assert fits["Alpha (ZE 9101)"] == pytest.approx(100.0)
    assert fits["Beta (ZE 9102)"] == pytest.approx(79.1667, abs=1e-3)
    assert fits["Delta (ZE 9104)"] == pytest.approx(37.5)
    selection = plan.selection
    assert selection is not None
    names = dict(zip(plan.candidates["candidate_id"], plan.candidates["name"], strict=True))
    assert {names[c] for c in selection.chosen} == {"Alpha (ZE 9101)", "Gamma (ZE 9103)"}
    assert selection.cost == pytest.approx(200.0)
    assert selection.objective == pytest.approx(158.3333, abs=1e-3)
    assert selection.conflicts == 1
    assert selection.gap_bound is not None and selection.gap_bound <= 1e-4
    # Coverage: (40,000 + 50,000) / 185,000 inhabitants; (400 + 300) / 2,000 projects.
    assert plan.coverage.population_share == pytest.approx(90_000 / 185_000)
    assert plan.coverage.projects_share == pytest.approx(0.35)
    regions = plan.regions.set_index("region_code")
    assert regions.loc["27", nat.CHOSEN] == 1 and regions.loc["44", nat.CHOSEN] == 1
    assert regions.loc["44", nat.POPULATION_SHARE] == pytest.approx(0.4)
    assert regions.loc["44", nat.PROJECTS_SHARE] == pytest.approx(400 / 1600)
    assert regions.loc["27", nat.POPULATION_SHARE] == pytest.approx(50 / 85)
    assert plan.regions["region"].tolist() == ["Bourgogne-Franche-Comté", "Grand Est"]
    # The curve along the budget: 62.5 → nothing; 125 → Alpha alone; 500 → three sites.
    curve = plan.curve.set_index(nat.STEP)
    assert curve.loc[62.5, nat.SITES] == 0
    assert curve.loc[125.0, nat.OBJECTIVE] == pytest.approx(100.0)
    assert curve.loc[500.0, nat.SITES] == 3


def test_spacing_of_zero_lets_alpha_and_beta_together(france):
    plan = services.national_plan(
        user=None, n=2, budget=None, min_km=0.0, costs=COSTS, include_registered=False
    )

    names = dict(zip(plan.candidates["candidate_id"], plan.candidates["name"], strict=True))
    assert {names[c] for c in plan.selection.chosen} == {"Alpha (ZE 9101)", "Beta (ZE 9102)"}
    # No budget: the curve varies the number of sites (1 and 2).
    assert plan.curve[nat.AXIS].unique().tolist() == [nat.AXIS_N]
    assert plan.curve[nat.STEP].tolist() == [1.0, 2.0]


def test_registered_basin_of_one_zone_replaces_its_reference_basin(france):
    delta = france["delta"]
    registered = Basin.objects.create(
        name="Bassin de Delta",
        region=france["bfc"],
        source_kind=BasinSource.ZONE_EMPLOI,
        source_codes=["9104"],
        main_town=delta.main_town,
        population=35_000,
        communes_count=1,
    )
    registered.communes.set(delta.communes.all())
    DiagnosticRun.objects.create(
        basin=registered, status=DiagnosticRun.Status.DONE, data_key="registered-delta"
    )
    # A reference basin without a finished diagnostic nor atlas entry is left out, with a note.
    AtlasEntry.objects.filter(basin=france["beta"]).delete()
    DiagnosticRun.objects.filter(basin=france["beta"]).update(status=DiagnosticRun.Status.FAILED)

    plan = services.national_plan(user=None, n=2, min_km=40.0, costs=COSTS)

    kinds = dict(zip(plan.candidates["name"], plan.candidates["kind"], strict=True))
    assert kinds == {
        "Alpha (ZE 9101)": "reference",
        "Gamma (ZE 9103)": "reference",
        "Bassin de Delta": "registered",
    }
    assert any("1 bassin de référence sans diagnostic" in n for n in plan.notes)
    assert any("représentée par un bassin enregistré" in n for n in plan.notes)


def test_reference_basin_reusing_another_basins_run_is_a_candidate(france):
    # A bassin BMO made of the same communes as a zone d'emploi reuses the zone's run: it has
    # no run of its own, only its atlas entry.
    delta = france["delta"]
    AtlasEntry.objects.filter(basin=delta).update(run=france["gamma"].atlas_entry.run)
    DiagnosticRun.objects.filter(basin=delta).delete()

    plan = services.national_plan(user=None, costs=COSTS, include_registered=False)

    delta_row = plan.candidates[plan.candidates["name"] == "Delta (ZE 9104)"]
    assert len(delta_row) == 1
    assert delta_row["need_source"].iloc[0] == (
        f"diagnostic n° {france['gamma'].atlas_entry.run_id} (lot national)"
    )
    assert not any("sans diagnostic" in n for n in plan.notes)


def test_only_national_admins_plan_for_france(france):
    delegate = make_user(role=Role.REGIONAL_DELEGATE, regions=[france["ge"]])
    with pytest.raises(PlanningError) as error:
        services.national_plan(user=delegate)
    assert error.value.code == "not_found"


def test_bad_parameters_name_the_field(france):
    with pytest.raises(PlanningError) as error:
        services.national_plan(user=None, zoning="canton")
    assert error.value.extra == {"field": "zoning"}
    with pytest.raises(PlanningError) as error:
        services.national_plan(user=None, n=0)
    assert error.value.extra == {"field": "n"}


def test_page_export_and_api_for_the_national_admin(client, france):
    admin = make_user(role=Role.NATIONAL_ADMIN)
    client.force_login(admin)
    query = "n=3&budget=250&min_km=40&candidates=reference&cost_turnkey=100&cost_fab_id=100&cost_progressive=100"

    page = client.get(reverse("national-planning") + "?" + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alpha (ZE 9101)" in html and "Gamma (ZE 9103)" in html
    assert 'data-figure="national_map"' in html and 'data-figure="tradeoff"' in html
    assert "Écart à l'optimum de la solution retenue" in html
    assert "<script>" not in html.replace('<script id="diagnostic-figures"', "")

    export = client.get(reverse("national-planning-export") + "?" + query)
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["rang national", "région", "type"]
    chosen = {r[4] for r in rows[1:5] if r and r[-1] == "oui"}
    assert chosen == {"Alpha (ZE 9101)", "Gamma (ZE 9103)"}
    summary = {r[0]: r[1] for r in rows if len(r) == 2}
    assert summary["population couverte (France)"] == "48,65 %"
    assert summary["sources"] == "BMO 2025, chômage 2025-T2"

    api = APIClient()
    api.force_authenticate(admin)
    response = api.post(
        reverse("api-national-planning"),
        {"n": 3, "budget": 250, "min_km": 40, "include_registered": False, "costs": COSTS},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "national"
    assert set(body) >= {"parameters", "candidates", "selection", "coverage", "tradeoff", "regions"}
    assert body["selection"]["cost"] == 200.0
    assert body["selection"]["gap_bound"] <= 1e-4
    assert body["coverage"]["projects_share"] == 0.35

    bad = api.post(reverse("api-national-planning"), {"n": 0, "costs": {"x": 1}}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"n", "costs"}


def test_a_delegate_gets_404_on_the_page_the_export_and_the_api(client, france):
    delegate = make_user(role=Role.REGIONAL_DELEGATE, regions=[france["ge"]])
    client.force_login(delegate)

    assert client.get(reverse("national-planning")).status_code == 404
    assert client.get(reverse("national-planning-export")).status_code == 404
    api = APIClient()
    api.force_authenticate(delegate)
    assert api.post(reverse("api-national-planning"), {}, format="json").status_code == 404


def test_bad_query_on_the_page_is_a_400_naming_the_field(client, france):
    client.force_login(make_user(role=Role.NATIONAL_ADMIN))

    response = client.get(reverse("national-planning") + "?n=0&zoning=zone_emploi")

    assert response.status_code == 400
    assert "supérieure ou égale à 1" in response.content.decode()
