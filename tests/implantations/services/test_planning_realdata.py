"""The planning of Grand Est (région 44) on the real data: territories of ../shared/data, BMO
2023-2025 and the INSEE unemployment rates, put in the database for this module (committed
outside the per-test transactions, built once per test run then restored from a snapshot:
tests/realdata_db.py, removed at the end). Checks the candidates, the need figures against the
files' spot-checks, the selection's constraints and the robustness labels of registered basins."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from pathlib import Path

import pandas as pd
import pytest
from django.db.models import Sum

from diagnostics.analytics.geometry import haversine_km
from diagnostics.models import (
    BmoFact,
    CnamSite,
    Commune,
)
from diagnostics.services.basins import basin_create
from diagnostics.services.diagnostics import diagnostic_run_sync
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_selection as psel
from implantations.services import assets as asset_services
from implantations.services import planning, planning_candidates, projects
from tests.realdata_db import BMO_AND_UNEMPLOYMENT, REALDATA_GROUP, real_database

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.slow,
    pytest.mark.django_db,
    REALDATA_GROUP,
]

# The territories, BMO 2023-2025 and the unemployment rates (shared with the import and
# diagnostic modules: built once per run).
RECIPE = BMO_AND_UNEMPLOYMENT

# Cnam centres of Grand Est placed at their town's centre (curated by administrators in the
# application: the open data has no list of Cnam sites).
SITES = {
    "Nancy": "54395",
    "Metz": "57463",
    "Strasbourg": "67482",
    "Reims": "51454",
    "Mulhouse": "68224",
    "Troyes": "10387",
    "Charleville-Mézières": "08105",
}


@pytest.fixture(scope="module")
def grand_est(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    # Committed, then emptied after the module by real_database (the sites made here too).
    with django_db_blocker.unblock():
        start = time.perf_counter()
        with real_database(open_data_dir, RECIPE):
            print(f"\nchargement des données réelles : {time.perf_counter() - start:.1f} s")
            yield open_data_dir


@pytest.fixture
def sites(grand_est):
    for name, code in SITES.items():
        town = Commune.objects.get(code=code)
        CnamSite.objects.create(
            name=f"Cnam {name}", commune=town, latitude=town.latitude, longitude=town.longitude
        )


def test_grand_est_zones_demploi_ranking(grand_est, sites):
    plan = planning.region_plan(region_code="44", source="zone_emploi", n=5, min_km=40)

    c = plan.candidates.set_index(planning_candidates.CODE)
    # The 27 zones d'emploi of Grand Est (4401 to 4427).
    assert sorted(c.index) == [f"44{i:02d}" for i in range(1, 28)]
    chaumont = c.loc["4404"]
    # README spot-check: unemployment 2023-T3 in the Chaumont zone d'emploi is 5.9 %.
    assert chaumont[pc.UNEMPLOYMENT_RATE] == pytest.approx(5.9)
    assert (
        chaumont[pc.POPULATION]
        == (Commune.objects.filter(zone_emploi_id="4404").aggregate(s=Sum("population"))["s"])
    )
    assert chaumont[pc.MAIN_TOWN] == "Chaumont"
    assert chaumont[pc.NEED_SOURCE] == "données importées (BMO 2025, chômage 2023-T3)"
    # Every candidate has its three pillars, a fit between 0 and 100 and a distance to a site.
    assert c[pc.FIT].between(0, 100).all()
    assert c[pc.MISSING].eq("").all()
    assert c[pc.NEAREST_SITE_KM].notna().all()
    # Strasbourg (760,000 inhabitants) hosts a Cnam centre: not eligible, nothing for access.
    assert not c.loc["4423", pc.ELIGIBLE]
    assert c.loc["4423", pc.ACCESS_SCORE] < 0.05
    # Honesty rules: the eligible zones are ranked 1..n, an ineligible one never is.
    ranked = plan.candidates[plan.candidates[pc.ELIGIBLE].fillna(True).astype(bool)]
    assert ranked[pc.RANK].tolist() == list(range(1, len(ranked) + 1))
    assert c.loc["4423", pc.RANK] is pd.NA


def test_grand_est_selection_respects_the_constraints(grand_est, sites):
    plan = planning.region_plan(
        region_code="44", source="bassin_bmo", n=5, min_km=40, budget=1_000_000
    )

    s = plan.selection
    chosen = plan.candidates[plan.candidates[planning.SELECTED]]
    assert 1 <= len(chosen) <= 5
    assert chosen[pc.ELIGIBLE].fillna(True).all()
    assert s.cost <= 1_000_000
    for (_, a), (_, b) in itertools.combinations(chosen.iterrows(), 2):
        distance = haversine_km(a[pc.LATITUDE], a[pc.LONGITUDE], b[pc.LATITUDE], b[pc.LONGITUDE])
        assert distance >= 40
    assert s.method == psel.METHOD_ILP
    assert s.ilp_optimal
    assert s.objective >= s.greedy_objective - 1e-9
    assert s.gap == pytest.approx((s.objective - s.greedy_objective) / s.objective)
    # Bassin BMO 4418 « CHAUMONT »: its projects are those of the BMO 2025 file, the whole
    # bassin being inside the candidate (ratio of sums over the published cells).
    bassin = plan.candidates.set_index(planning_candidates.CODE).loc["4418"]
    published = BmoFact.objects.filter(year=2025, bassin_code__in=["4418"]).aggregate(s=Sum("met"))[
        "s"
    ]
    assert bassin[pc.PROJECTS] == pytest.approx(published)


def test_grand_est_registered_basins_get_concepts_and_robustness_labels(grand_est, sites):
    basin = basin_create(name="Bassin de Saint-Dié-des-Vosges", source_kind="zone_emploi",
                         source_codes=["4417"])  # fmt: skip
    asset_services.host_structure_create(
        basin=basin,
        user=None,
        kind="lycee",
        name="Lycée Jules Ferry",
        commune_code=basin.main_town_id,
        voie_professionnelle=True,
    )
    run = diagnostic_run_sync(basin_id=basin.pk)
    assert run.status == "done"

    plan = planning.region_plan(region_code="44", source="zone_emploi", n=5, min_km=40)

    saint_die = plan.candidates.set_index(planning_candidates.CODE).loc["4417"]
    assert saint_die[pc.NEED_SOURCE].startswith(f"diagnostic n° {run.pk}")
    assert saint_die[planning.CONCEPT] == "turnkey"
    assert saint_die[planning.ROBUSTNESS_LABEL] in {"robuste", "fragile"}
    assert 0 <= saint_die[planning.ROBUSTNESS] <= 1
    # A project from its recommendation, followed against the plan.
    project = projects.project_create(
        basin=basin,
        name="Cnam à Saint-Dié-des-Vosges",
        concept="turnkey",
        recommendation=basin.recommendations.order_by("-id").first(),
        start_year=2024,
        study_started_on=dt.date(2024, 1, 15),
    )
    assert project.recommended_concept == "turnkey"
