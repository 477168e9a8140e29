"""The whole demo on the synthetic territory: generated labour-market files imported through the
real importers, every basin's report filled, the gap ranked, each concept recommended at least
once, a scenario, a project with plan-versus-actual, a share and a comparison; twice, nothing new.

One build (and one re-run) for the whole module: it is the slow part of the demo tests.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from catalogue.models import LocalOffer
from catalogue.selectors.gap import gap_for_run
from diagnostics.analytics.synthetic_file_common import DEMO_OPTION
from diagnostics.analytics.synthetic_files import demo_file_names
from diagnostics.models import (
    Basin,
    BasinShare,
    DiagnosticRun,
    ImportBatch,
    Organisation,
    OrganisationContact,
    User,
)
from implantations.models import (
    BusinessScenario,
    CpfTopUpScenario,
    HostStructure,
    ImplantationProject,
    ProgrammeTarget,
    ProgrammeTargetChange,
    ProjectFundingLine,
    ProjectYear,
    Recommendation,
)
from implantations.selectors.followup import project_evaluation

# With the other demo module on one xdist worker: the two longest demo builds are scheduled
# first (large groups go first), not left for the end of the run.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.xdist_group("demo"),
]


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "batches": ImportBatch.objects.count(),
        "runs": DiagnosticRun.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "hosts": HostStructure.objects.count(),
        "local_offers": LocalOffer.objects.count(),
        "scenarios": BusinessScenario.objects.count(),
        "projects": ImplantationProject.objects.count(),
        "project_years": ProjectYear.objects.count(),
        "funding_lines": ProjectFundingLine.objects.count(),
        "topups": CpfTopUpScenario.objects.count(),
        "shares": BasinShare.objects.count(),
        "basins": Basin.objects.count(),
        "targets": ProgrammeTarget.objects.count(),
        "target_changes": ProgrammeTargetChange.objects.count(),
        "partners": Organisation.objects.count(),
        "contacts": OrganisationContact.objects.count(),
    }


def latest_run(basin: Basin) -> DiagnosticRun:
    run = basin.diagnostic_runs.filter(status=DiagnosticRun.Status.DONE).order_by("-pk").first()
    assert run is not None, basin.name
    return run


def test_demo_builds_every_feature_and_a_second_run_adds_nothing(settings: Settings) -> None:
    settings.OPEN_DATA_DIR = None

    output = run_demo()

    # The nine generated files, imported through the real importers, flagged as invented.
    batches = ImportBatch.objects.order_by("pk")
    assert [b.file_name for b in batches] == demo_file_names()
    assert {b.status for b in batches} == {ImportBatch.Status.DONE}
    assert all(b.options == {DEMO_OPTION: True} for b in batches)
    assert sorted(b.vintage for b in batches.filter(kind="bmo")) == ["2023", "2024", "2025"]
    assert "Données fictives de démonstration : 11 fichiers importés" in output
    assert "Démo construite en" in output

    # The five regional basins and the programme's two basins diagnosed only (issue 18); the
    # national batch adds the 8 zones d'emploi as reference basins.
    basins = list(Basin.objects.filter(is_reference=False).order_by("pk"))
    assert len(basins) == 7
    assert sum(b.name.endswith("en diagnostic (démo)") for b in basins) == 2
    assert all(latest_run(b).results for b in basins[5:])
    assert Basin.objects.filter(is_reference=True).count() == 8
    for basin in basins[:5]:  # the programme's two basins are checked below
        run = latest_run(basin)
        results: dict[str, Any] = run.results or {}
        # Every section of the report has figures.
        assert results["bmo"]["years"] == [2023, 2024, 2025], basin.name
        assert all(row["rate"] is not None for row in results["unemployment"]), basin.name
        assert all(row["value"] for row in results["job_seekers"]), basin.name
        assert len(results["unemployment"]) == 38, basin.name  # 2016-T1 → 2025-T2
        assert len(results["job_seekers"]) == 54, basin.name  # 2021-01 → 2025-06
        assert results["tension_dares"], basin.name
        assert {"communes_map", "region_map"} <= set(run.tables or {}), basin.name
        assert set(results["sources"]) == {
            "bmo", "chomage_ze", "defm", "tensions", "population_age", "defm_secteur",
        }  # fmt: skip
        assert all(source["demo"] for source in results["sources"].values())
        # The prospective section is filled (issue 17): saturated métiers with bridges, the
        # replacement shares, projections of the 38 quarters of unemployment, sectors.
        prospective = results["prospective"]
        assert prospective["saturated"]["count"] > 0, basin.name
        assert prospective["bridges"]["available"], basin.name
        assert {s["area"] for s in prospective["replacement"]["summary"]} == {
            "basin", "region", "france",
        }  # fmt: skip
        series = {s["series"]: s for s in prospective["projections"]["series"]}
        assert series["unemployment"]["available"] and series["unemployment"]["backtest"]
        assert not series["bmo_projects"]["available"]  # three campaigns
        assert prospective["sectors"]["naf"]["available"], basin.name
        # The gap ranks the catalogue's paths against the basin's BMO needs.
        gap = gap_for_run(run)
        assert len(gap.records) >= 10, basin.name

    # Each concept is the recommendation of at least one basin (the assets decide).
    concepts = {
        basin.name: Recommendation.objects.filter(basin=basin).order_by("-pk").first().concept  # type: ignore[union-attr]
        for basin in basins[:5]
    }
    assert list(concepts.values()) == ["turnkey", "progressive", "fab_id", "fab_id", "turnkey"]
    first = basins[0]
    # The first basin's local training offer (two paths) lowers their gap: « couverture locale ».
    offers = sorted(
        LocalOffer.objects.filter(basin=first).values_list("path__code", "places_per_year")
    )
    assert offers == [("HOT-05", 24), ("NUM-01", 12)]
    coverage = {
        line["path_code"]: line["coverage"] for line in gap_for_run(latest_run(first)).records
    }
    assert coverage["HOT-05"] > 0 and coverage["NUM-01"] > 0
    assert sum(1 for value in coverage.values() if value) == 2
    recommendation = Recommendation.objects.filter(basin=first).order_by("-pk").first()
    assert recommendation is not None and recommendation.label in ("robuste", "fragile")
    assert 0 <= (recommendation.robustness or 0) <= 1

    # A saved scenario and a project with the actual learners of the years begun.
    assert BusinessScenario.objects.filter(basin=first).count() == 1
    project = ImplantationProject.objects.get(basin=first)
    assert project.status == "ouverture"
    years = list(project.years.order_by("year").values_list("planned_learners", "actual_learners"))
    assert len(years) == 6
    assert [actual is not None for _, actual in years] == [True, True, True, False, False, False]
    # Year 1 behind plan: the enrolled of its follow-up (issue 18), 73 % of the plan.
    assert years[1][1] == int(years[1][0] * 0.73 + 0.5)
    assert years[2][1] == years[2][0]
    # A year of follow-up: one flag (« en retard »: enrolments), two variances explained
    # (tuition −13 %, premises +30 %), the costs within the overrun threshold.
    evaluation = project_evaluation(project)
    assert [(f.code, f.reason, f.year) for f in evaluation.flags] == [
        ("en_retard", "enrolments", 1)
    ]
    year1 = evaluation.year(1)
    assert year1 is not None and year1.followup is not None
    explained = year1.variances[year1.variances["explanation_required"]]["line"].tolist()
    assert explained == ["revenue_tuition", "cost_premises"]
    assert year1.followup.explanation_cost_premises.startswith("Mise aux normes")
    assert all(rate.value is not None for rate in year1.rates)  # ≥ 10 learners each

    # The programme (issue 18): a project at every stage, in both regions; targets with a
    # changed one in the history; typed partners with contacts, one linked to a project.
    projects = ImplantationProject.objects.select_related("basin")
    assert set(projects.values_list("status", flat=True)) == {
        "etude", "convention", "ouverture", "auto_portage",
    }  # fmt: skip
    assert set(projects.values_list("basin__region_id", flat=True)) == {"98", "99"}
    assert ProgrammeTarget.objects.filter(region=None, concept="").count() == 3
    assert ProgrammeTargetChange.objects.filter(action="modification").exists()
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"lycee", "mission_locale", "tiers_lieu", "opco", "la_poste", "plie"} <= kinds
    assert OrganisationContact.objects.count() >= 10
    assert projects.filter(partners__organisation__kind="mission_locale").exists()
    # Its business model (issue 18): a split over five funders, a retained top-up among two,
    # its own AIOA figures; the split replaces the computed aid.
    assert sorted(project.funding_lines.values_list("funder", flat=True)) == [
        "cnam", "commune", "epci", "etat", "region",
    ]  # fmt: skip
    assert list(project.topup_scenarios.filter(retained=True).values_list("name", flat=True)) == [
        "Abondement de l'agglomération (50 %)"
    ]
    assert project.topup_scenarios.count() == 2 and project.services.count() == 1

    # Two finished runs of the first basin: before and after the 2025 BMO campaign.
    runs = list(first.diagnostic_runs.filter(status=DiagnosticRun.Status.DONE).order_by("pk"))
    assert len(runs) == 2
    assert sorted(runs[1].batches.filter(kind="bmo").values_list("vintage", flat=True)) == [
        "2023", "2024", "2025",
    ]  # fmt: skip
    assert sorted(runs[0].batches.filter(kind="bmo").values_list("vintage", flat=True)) == [
        "2023", "2024",
    ]  # fmt: skip

    # The pages answer, labelled as invented data.
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username="demo-delegue"))
    for url in (
        f"/diagnostics/{runs[1].pk}/",
        f"/catalogue/bassins/{first.pk}/parcours-prioritaires/",
        f"/bassins/{first.pk}/recommandation/",
        "/donnees/imports/",
        f"/diagnostics/compare/?a={runs[0].pk}&b={runs[1].pk}",
        "/implantations/planification/?region=99",
        f"/implantations/projets/{project.pk}/",
        "/implantations/programme/",
        "/partenaires/",
        f"/implantations/projets/{project.pk}/evaluation/",
        "/implantations/evaluation/",
        f"/bassins/{first.pk}/modele-economique/?projet={project.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "données fictives de démonstration" in response.content.decode(), url
    # The national planning (issue 16) is filled for the national admin: the 8 reference zones
    # (2 of them stood for by a registered basin of the same outline), the 3 other registered
    # basins and the programme's 2 basins in diagnostic (issue 18), in both regions, with sites
    # chosen in each.
    admin = Client()
    admin.force_login(User.objects.get(username="demo-admin"))
    national = admin.get("/implantations/planification/nationale/")
    assert national.status_code == 200
    assert "données fictives de démonstration" in national.content.decode()
    from implantations.services.planning_national import national_plan

    plan = national_plan(user=User.objects.get(username="demo-admin"))
    assert len(plan.candidates) == 13
    assert plan.selection is not None and len(plan.selection.chosen) >= 2
    assert (plan.regions["chosen"] > 0).all() and len(plan.regions) == 2
    assert client.get("/implantations/planification/nationale/").status_code == 404
    # The mayor reaches the shared basin's diagnostic from the home page.
    mayor = Client()
    mayor.force_login(User.objects.get(username="demo-mairie"))
    home = mayor.get("/").content.decode()
    assert first.name in home
    assert mayor.get(f"/diagnostics/{runs[1].pk}/").status_code == 200
    assert mayor.get(f"/implantations/projets/{project.pk}/evaluation/").status_code == 200

    before = counts()

    again = run_demo()

    assert counts() == before
    assert "données fictives de démonstration déjà importées" in again

    # A demo built before the local offers were added gets them at its next run, once.
    LocalOffer.objects.filter(basin=first).delete()
    run_demo()
    assert LocalOffer.objects.filter(basin=first).count() == 2
    assert counts() == before
