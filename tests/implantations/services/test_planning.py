"""Regional planning on a hand-made region: ranking by fit with its components, need from the
facts or from a basin's diagnostic, selection under distance and budget, the page, the CSV
export and the `plan_region` command."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from diagnostics.models import (
    Basin,
    BasinSource,
    BmoFact,
    ChomageZeFact,
    CnamSite,
    DiagnosticRun,
    ImportBatch,
    Role,
)
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_selection as psel
from implantations.services import planning, planning_candidates, planning_parameters
from tests.factories.basins import (
    BassinBmoFactory,
    ZoneEmploiFactory,
    make_commune,
    make_region,
    make_user,
    square,
)

pytestmark = pytest.mark.django_db

KM_PER_DEG = 111.19508  # one degree of latitude with the haversine's radius


def _commune(code, name, population, region, lat, lon, ze, bassin):
    commune = make_commune(code, name=name, population=population, region=region)
    commune.latitude, commune.longitude = lat, lon
    commune.zone_emploi, commune.bassin_bmo = ze, bassin
    commune.geometry = square(lon - 0.05, lat - 0.05)
    commune.save()
    return commune


@pytest.fixture
def region():
    """Région 44 with three zones d'emploi, each its own bassin BMO, on the meridian 5°E:

    - Alpha (ZE 9101, bassin 9001): a1 30,000 hab. at 48.00°N + a2 10,000 → 40,000, eligible.
    - Beta (9102, 9002): b1 50,000 at 48.27°N (30.0 km from a1) + b2 10,000 → 60,000, eligible.
    - Gamma (9103, 9003): c1 25,000 at 48.54°N → under 30,000: not eligible.
    - Delta (9104, 9004) in région 27: not a candidate of 44.
    A Cnam site at 47.80°N, 5°E: 22.24 km from a1, 52.5 km from b1, 82.5 km from c1.
    BMO 2025: Alpha 400 projects (200 difficult), Beta 1,200 (360), Gamma 250 (100).
    Unemployment 2023-T3: Alpha 9 %, Beta 7 %, Gamma 8 %.
    """
    ge = make_region("44", "Grand Est")
    bfc = make_region("27", "Bourgogne-Franche-Comté")
    zones = {
        k: ZoneEmploiFactory.create(code=code, name=name, geometry=square(4.9, lat - 0.1, 0.2))
        for k, code, name, lat in (
            ("a", "9101", "Alpha", 48.0),
            ("b", "9102", "Beta", 48.27),
            ("c", "9103", "Gamma", 48.54),
            ("d", "9104", "Delta", 47.0),
        )
    }
    bassins = {
        k: BassinBmoFactory.create(code=code, name=name.upper())
        for k, code, name in (
            ("a", "9001", "Alpha"),
            ("b", "9002", "Beta"),
            ("c", "9003", "Gamma"),
            ("d", "9004", "Delta"),
        )
    }
    _commune("88001", "Alphaville", 30_000, ge, 48.0, 5.0, zones["a"], bassins["a"])
    _commune("88002", "Alpha-le-Petit", 10_000, ge, 48.05, 5.05, zones["a"], bassins["a"])
    _commune("88003", "Betacourt", 50_000, ge, 48.27, 5.0, zones["b"], bassins["b"])
    _commune("88004", "Beta-sur-Meuse", 10_000, ge, 48.30, 5.05, zones["b"], bassins["b"])
    _commune("88005", "Gammeville", 25_000, ge, 48.54, 5.0, zones["c"], bassins["c"])
    _commune("21005", "Deltaville", 40_000, bfc, 47.0, 5.0, zones["d"], bassins["d"])
    CnamSite.objects.create(name="Cnam Test", latitude=47.8, longitude=5.0)
    bmo = ImportBatch.objects.create(
        kind="bmo", file_name="bmo.xlsx", sha256="a" * 64, status="done", vintage="2025"
    )
    for code, met, xmet in (("9001", 400, 200), ("9002", 1200, 360), ("9003", 250, 100)):
        BmoFact.objects.create(
            batch=bmo, year=2025, bassin_code=code, metier_code="A0Z40", met=met, xmet=xmet
        )
    # A secret cell (NULL) is never counted as 0 or 1.
    BmoFact.objects.create(batch=bmo, year=2025, bassin_code="9001", metier_code="B0Z20")
    chomage = ImportBatch.objects.create(
        kind="chomage_ze", file_name="chomage.xlsx", sha256="b" * 64, status="done"
    )
    for code, rate in (("9101", 9.0), ("9102", 7.0), ("9103", 8.0), ("9104", 12.0)):
        ChomageZeFact.objects.create(
            batch=chomage, zone_emploi_code=code, period="2023-T3", year=2023, quarter=3, rate=rate
        )
        ChomageZeFact.objects.create(
            batch=chomage, zone_emploi_code=code, period="2023-T2", year=2023, quarter=2, rate=20.0
        )
    return ge


# Worked by hand (weights 0.3 / 0.5 / 0.2, far_km 50):
#   unemployment min-max: Alpha (9−7)/2 = 1, Beta 0, Gamma 0.5
#   projects per 1,000: Alpha 400/40 = 10 → 0, Beta 1200/60 = 20 → 1, Gamma 250/25 = 10 → 0
#   difficulty: Alpha 0.5 → 1, Beta 0.3 → 0, Gamma 0.4 → 0.5
#   need: Alpha 2/3, Beta 1/3, Gamma 1/3
#   eligibility: Alpha 1, Beta 1, Gamma (25/30 + 1)/2 = 0.916667
#   access: Alpha 0.2 × 111.195 / 50 = 0.444780, Beta 1, Gamma 1
#   fit: Alpha 100 × (0.3 + 0.5 × 2/3 + 0.2 × 0.444780) = 72.2289
#        Beta  100 × (0.3 + 0.5 / 3 + 0.2) = 66.6667
#        Gamma 100 × (0.3 × 0.916667 + 0.5 / 3 + 0.2) = 64.1667
ALPHA_ACCESS = 0.2 * KM_PER_DEG / 50
ALPHA_FIT = 100 * (0.3 + 0.5 * 2 / 3 + 0.2 * ALPHA_ACCESS)


def test_region_plan_ranks_zones_by_fit(region):
    plan = planning.region_plan(region_code="44", n=2, min_km=40)

    c = plan.candidates
    assert c[planning_candidates.CODE].tolist() == ["9101", "9102", "9103"]
    assert c[pc.NAME].tolist() == ["Alpha", "Beta", "Gamma"]
    assert c[pc.FIT].tolist() == pytest.approx([ALPHA_FIT, 200 / 3, 64.16667], abs=1e-3)
    assert c[pc.NEED_SCORE].tolist() == pytest.approx([2 / 3, 1 / 3, 1 / 3])
    assert c[pc.ACCESS_SCORE].tolist() == pytest.approx([ALPHA_ACCESS, 1.0, 1.0])
    assert c[pc.ELIGIBLE].tolist() == [True, True, False]
    assert c[pc.PROJECTS_PER_1000].tolist() == pytest.approx([10.0, 20.0, 10.0])
    assert c[pc.DIFFICULTY_RATE].tolist() == pytest.approx([0.5, 0.3, 0.4])
    assert c[pc.UNEMPLOYMENT_RATE].tolist() == pytest.approx([9.0, 7.0, 8.0])
    assert c[pc.NEED_SOURCE].iloc[0] == "données importées (BMO 2025, chômage 2023-T3)"
    assert c[pc.MAIN_TOWN].tolist() == ["Alphaville", "Betacourt", "Gammeville"]


def test_region_plan_distance_keeps_alpha_and_beta_apart(region):
    # Alpha and Beta are 30.0 km apart (< 40): only one; Gamma is not eligible. Both methods
    # take Alpha (best fit); gap 0.
    plan = planning.region_plan(region_code="44", n=2, min_km=40)

    s = plan.selection
    assert s.chosen == ("9101",)
    assert s.conflicts == 1
    assert s.method == psel.METHOD_ILP
    assert s.gap == pytest.approx(0.0)
    assert plan.candidates[planning.SELECTED].tolist() == [True, False, False]
    assert "1 candidat hors des critères d'éligibilité" in plan.notes[0]


def test_region_plan_budget_limits_the_sites(region):
    # 25 km apart is allowed: Alpha + Beta fit the distance. No registered basin → no concept →
    # each costs the most expensive concept's aid (edited here: 100,000 €). Budget 150,000 €:
    # one site only, Alpha.
    costs = {"turnkey": 100_000, "fab_id": 80_000, "progressive": 50_000}
    both = planning.region_plan(region_code="44", n=2, min_km=25, costs=costs)
    one = planning.region_plan(region_code="44", n=2, min_km=25, costs=costs, budget=150_000)

    assert both.selection.chosen == ("9101", "9102")
    assert both.selection.cost == pytest.approx(200_000)
    assert one.selection.chosen == ("9101",)
    assert one.costs_source == "saisis sur la page"


def test_region_plan_by_bassin_bmo(region):
    plan = planning.region_plan(region_code="44", source="bassin_bmo", n=1)

    assert plan.candidates[planning_candidates.CODE].tolist() == ["9001", "9002", "9003"]
    assert plan.candidates[pc.NAME].tolist() == ["ALPHA", "BETA", "GAMMA"]
    geometries = planning.region_plan_geometries(plan)
    assert sorted(geometries) == ["9001", "9002", "9003"]


def test_region_plan_uses_the_latest_diagnostic_of_a_registered_zone(region):
    basin = Basin.objects.create(
        name="Bassin de Beta",
        region=region,
        source_kind=BasinSource.ZONE_EMPLOI,
        source_codes=["9102"],
        population=60_000,
        communes_count=2,
    )
    basin.communes.set(["88003", "88004"])
    run = DiagnosticRun.objects.create(
        basin=basin,
        engine_version="test",
        data_key="k" * 64,
        status="done",
        results={
            "years": {"2025": {"bmo_projects": 3000, "bmo_projects_per_1000": 50.0,
                               "bmo_difficulty_rate": 0.6}},
            "unemployment": [{"period": "2023-T3", "rate": 12.5}],
        },
    )  # fmt: skip

    plan = planning.region_plan(region_code="44", n=1)

    beta = plan.candidates.set_index(planning_candidates.CODE).loc["9102"]
    assert beta[pc.UNEMPLOYMENT_RATE] == pytest.approx(12.5)
    assert beta[pc.PROJECTS_PER_1000] == pytest.approx(50.0)
    assert beta[pc.NEED_SOURCE].startswith(f"diagnostic n° {run.pk}")
    assert beta[planning_candidates.BASIN_ID] == basin.pk
    # Its recommendation was computed by the recommendation service (no host recorded: no
    # concept can meet its condition), the others have none.
    alpha = plan.candidates.set_index(planning_candidates.CODE).loc["9101"]
    assert "pas de bassin enregistré" in alpha[planning.CONCEPT_NOTE]
    assert beta[planning.ROBUSTNESS_LABEL] in {"robuste", "fragile"}


def test_region_plan_registered_basins_of_the_user(region):
    delegate = make_user("delegue-44", regions=[region])
    basin = Basin.objects.create(
        name="Bassin d'Alpha",
        region=region,
        source_kind=BasinSource.COMMUNES,
        source_codes=["88001", "88002"],
        main_town_id="88001",
    )
    basin.communes.set(["88001", "88002"])

    plan = planning.region_plan(region_code="44", user=delegate, source="registered", n=1)

    assert plan.candidates[pc.NAME].tolist() == ["Bassin d'Alpha"]
    assert plan.candidates[pc.POPULATION].tolist() == [40_000]
    assert plan.selection.chosen == (str(basin.pk),)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"region_code": "27", "user": "other"}, "Région inconnue ou hors de votre périmètre"),
        ({"region_code": "44", "source": "epci"}, "Source inconnue : « epci »"),
        ({"region_code": "44", "n": 0}, "au moins 1 (reçu : 0)"),
        ({"region_code": "44", "budget": -1}, "Le budget doit être positif"),
        ({"region_code": "44", "costs": {"turnkey": -5}}, "Coût négatif ou manquant"),
    ],
)
def test_region_plan_bad_input(region, kwargs, message):
    if kwargs.get("user") == "other":
        kwargs["user"] = make_user("delegue-44", regions=[region])
    with pytest.raises(planning_parameters.PlanningError, match=re.escape(message)):
        planning.region_plan(**kwargs)


# --- Page, export, command --------------------------------------------------------------------
def test_planning_page_shows_ranking_method_and_map(region, client):
    client.force_login(make_user("delegue-44", regions=[region]))

    response = client.get(reverse("planning"), {"n": 2, "min_km": 40})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Planification régionale — Grand Est" in html
    assert "programmation linéaire en nombres entiers (HiGHS)" in html
    assert (
        "Écart de l&#x27;heuristique à l&#x27;optimum" in html or "Écart de l'heuristique" in html
    )
    assert 'id="plan-map-data"' in html
    assert [r["name"] for r in response.context["rows"]] == ["Alpha", "Beta", "Gamma"]


def test_planning_page_other_region_is_not_found(region, client):
    client.force_login(make_user("delegue-44", regions=[region]))
    assert client.get(reverse("planning"), {"region": "27"}).status_code == 404


def test_planning_page_bad_parameter_is_shown_on_its_field(region, client):
    client.force_login(make_user("delegue-44", regions=[region]))

    response = client.get(reverse("planning"), {"n": 0})

    # A bad query form is a 400 (issue 15), still rendered with the error on its field.
    assert response.status_code == 400
    assert response.context["plan"] is None
    assert "n" in response.context["form"].errors


def test_planning_export_csv(region, client):
    client.force_login(make_user("delegue-44", regions=[region]))

    response = client.get(reverse("planning-export"), {"region": "44", "n": 2, "min_km": 40})

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["rang", "code", "candidat"]
    assert [r[2] for r in rows[1:4]] == ["Alpha", "Beta", "Gamma"]
    assert rows[1][-1] == "oui" and rows[2][-1] == "non"
    assert ["méthode", "programmation linéaire en nombres entiers (HiGHS)"] in rows


def test_plan_region_command_json(region):
    out = io.StringIO()
    call_command(
        "plan_region", "--region", "44", "--n", "2", "--min-km", "25", "--json", stdout=out
    )

    payload = json.loads(out.getvalue())
    assert [c["name"] for c in payload["candidates"]] == ["Alpha", "Beta", "Gamma"]
    assert payload["candidates"][0]["fit"] == pytest.approx(ALPHA_FIT, abs=1e-3)
    assert payload["selection"]["chosen"] == ["9101", "9102"]
    assert payload["selection"]["method"] == "ilp"
    assert payload["selection"]["gap"] == 0.0


def test_plan_region_command_text_and_error(region):
    out = io.StringIO()
    call_command("plan_region", "--region", "44", stdout=out)
    assert "1. Alpha [9101] *" in out.getvalue()
    assert "méthode : programmation linéaire en nombres entiers (HiGHS)" in out.getvalue()

    with pytest.raises(CommandError, match="Région inconnue"):
        call_command("plan_region", "--region", "99")


def test_mayor_cannot_open_the_planning(region, client):
    client.force_login(make_user("mairie", role=Role.MAYOR_VIEWER))
    assert client.get(reverse("planning")).status_code == 403
