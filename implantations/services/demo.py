"""The implantations part of the demo, after `diagnostics.services.demo.demo_build`: Cnam sites,
the illustrative catalogue and, on the synthetic territory, each basin's assets (host structures,
partnership, employer letters), its recommendation, a saved business model scenario and one
implantation project with plan-versus-actual learners, a funding split by funder, CPF top-up
scenarios and its services (issue 18), and the first basin's diagnostic shared
with the mayor's account (`demo_sharing`: a version, comments, a pending contribution).

The assets are chosen so that each of the three concepts is the recommendation of at least one
demo basin (the hard constraints of `implantations.analytics.scoring` decide which concepts are
possible; the score chooses among them):
- first basin (zone d'emploi, shared with the mayor): a confirmed vocational lycée → turnkey;
- second basin (the capital's bassin BMO): a campus whose premises can grow and a chamber,
  EPCI convention → progressive;
- third basin (two EPCI): a Mission locale and a tiers-lieu, premises lent by the town → Fab ID;
- fourth basin (a small town and its neighbours): a France Services → Fab ID;
- fifth basin (other region): a lycée partner and a campus: two concepts possible, the score
  decides.

Idempotent: a basin that already has host structures or a partnership keeps them; the scenario
and the project are created once (by name); recommendations are reused for the same inputs.
The sites are built in `demo_sites`, the assets in `demo_assets`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from diagnostics.models import Basin, ProgrammeSettings, User
from diagnostics.services.basin_refresh import basin_refresh
from diagnostics.services.demo import DemoReport
from implantations.models import BusinessScenario, ImplantationProject, Recommendation
from implantations.services import recommendation as services
from implantations.services.demo_assets import demo_assets_ensure
from implantations.services.demo_followup import demo_followup_ensure
from implantations.services.demo_sharing import demo_sharing_ensure
from implantations.services.demo_sites import REAL_SITES, demo_sites_ensure, synthetic_site_specs
from implantations.services.projects import (
    YearInput,
    project_create,
    project_status_change,
    project_years_update,
)

logger = logging.getLogger(__name__)

SCENARIO_NAME = "Scénario prudent (démo)"
PROJECT_NAME = "Antenne Cnam clef en main (démo)"


@dataclass
class DemoImplantationsReport:
    sites: list[str] = field(default_factory=list)
    recommendations: dict[str, str] = field(default_factory=dict)  # basin name → concept
    scenario: str = ""
    project: str = ""
    shared_version: str = ""


# --- Business model and project ---------------------------------------------------------------
def _scenario_ensure(basin: Basin, recommendation: Recommendation, user: User) -> str:
    concept = recommendation.concept or "turnkey"
    if not BusinessScenario.objects.filter(basin=basin, name=SCENARIO_NAME).exists():
        services.business_scenario_save(
            basin=basin,
            user=user,
            concept=concept,
            name=SCENARIO_NAME,
            # 0.7 FTE of steering + the AIOA's 0.5 FTE: 1.2 FTE of dedicated staff in all.
            overrides={"learners_target": 60, "staff_fte": 0.7},
        )
    return SCENARIO_NAME


def _project_ensure(basin: Basin, recommendation: Recommendation, user: User) -> str:
    """A project started in 2024 on the recommended concept, now open, with the actual learners
    of its first years next to the plan (year 1 behind plan, year 2 on track)."""
    if ImplantationProject.objects.filter(basin=basin, name=PROJECT_NAME).exists():
        return PROJECT_NAME
    with transaction.atomic():
        project = project_create(
            basin=basin,
            name=PROJECT_NAME,
            concept=recommendation.concept or "turnkey",
            start_year=2024,
            study_started_on=dt.date(2024, 1, 15),
            user=user,
            recommendation=recommendation,
            host_structure="Lycée professionnel partenaire",
            epcis=list({commune.epci for commune in basin.communes.all() if commune.epci}),
            notes="Projet fictif de démonstration.",
        )
        project_status_change(
            project=project, to_status="convention", effective_on=dt.date(2024, 6, 3), user=user
        )
        project_status_change(
            project=project, to_status="ouverture", effective_on=dt.date(2024, 9, 2), user=user
        )
        planned = list(project.years.order_by("year").values_list("year", "planned_learners"))
        # Years 0-2 (2024-2026) have begun: year 1 behind plan, the others on plan.
        actual: dict[int, int | None] = {}
        for year, plan in planned[:3]:
            actual[year] = int(round(plan * 0.7)) if year == 1 else plan
        project_years_update(
            project=project,
            rows=[
                YearInput(
                    year=year,
                    planned=plan,
                    actual=actual.get(year),
                    comment="saisie de démonstration" if actual.get(year) is not None else "",
                )
                for year, plan in planned
            ],
            user=user,
        )
    return PROJECT_NAME


def _project_funding_ensure(basin: Basin, user: User) -> None:
    """The demo project's business-model inputs (issue 18): a funding split over five funders,
    two CPF top-up scenarios (one retained) and its own figures for the AIOA; written once."""
    from implantations.services import funding

    project = ImplantationProject.objects.filter(basin=basin, name=PROJECT_NAME).first()
    if project is None:
        return
    if not project.funding_lines.exists():
        line = funding.FundingInput
        funding.project_funding_replace(
            project=project,
            user=user,
            lines=[
                line("etat", 20_000, 0, 1, funder_name="Programme Action cœur de ville",
                     conditions="Crédits d'ingénierie, sur justificatifs de dépenses."),
                line("cnam", 25_000, 0, 0, funder_name="Cnam, centre régional",
                     conditions="Analyse GTEC et investissement de l'année 0."),
                line("region", 35_000, 1, 3, funder_name="Conseil régional",
                     conditions="Convention annuelle ; versement sur bilan d'activité."),
                line("epci", 10_000, 1, 3, funder_name="Communauté d'agglomération",
                     conditions="Locaux mis à disposition en plus (valorisés hors montant)."),
                line("commune", 5_000, 1, 3, funder_name="Ville",
                     conditions="Subvention de fonctionnement, vote au budget primitif."),
            ],
        )  # fmt: skip
    if not project.topup_scenarios.exists():
        funding.topup_scenario_save(
            project=project, user=user, name="Abondement de l'agglomération (50 %)",
            authority="Communauté d'agglomération", rate_percent=50, ceiling=500, learners=10,
            path_price=2500, retained=True,
        )  # fmt: skip
        funding.topup_scenario_save(
            project=project, user=user, name="Abondement renforcé (100 %)",
            authority="Communauté d'agglomération", rate_percent=100, ceiling=1000,
            learners=20, path_price=2500,
        )  # fmt: skip
    if not project.services.exists():
        funding.project_services_replace(
            project=project,
            user=user,
            values={"aioa": {"staff_time": 900, "time_unit": "heures", "reach": 300,
                             "conversion": 0.15}},
        )  # fmt: skip


def _catalogue_loaded() -> bool:
    """Whether every path of the illustrative catalogue's fixture is already in the database."""
    from catalogue.models import TrainingPath

    fixture = Path(settings.BASE_DIR) / "fixtures" / "catalogue_illustratif.json"
    codes = {item["code"] for item in json.loads(fixture.read_text(encoding="utf-8"))["paths"]}
    return TrainingPath.objects.filter(code__in=codes).count() == len(codes)


# --- Entry point ------------------------------------------------------------------------------
def demo_implantations_build(
    report: DemoReport, *, log: Callable[[str], None] | None = None
) -> DemoImplantationsReport:
    """Sites and catalogue (both modes); assets, recommendations, scenario and project on the
    synthetic territory. `report` is what `demo_build` returned."""
    from catalogue.services.catalogue import catalogue_load_fixture

    say = log or (lambda message: logger.info(message))
    out = DemoImplantationsReport()
    ProgrammeSettings.current()
    if report.territory is not None:
        out.sites = demo_sites_ensure(
            synthetic_site_specs(report.territory), remove_synthetic=False
        )
    else:
        out.sites = demo_sites_ensure(list(REAL_SITES), remove_synthetic=True)
    # The sites come after the basins (diagnostics builds the basins): give the basins
    # registered without a site their nearest one now.
    for basin_id in Basin.objects.filter(nearest_site__isnull=True).values_list("pk", flat=True):
        basin_refresh(basin_id=basin_id, geometry=False)
    if _catalogue_loaded():
        # Reloading updates every path and writes its history (tens of seconds on a busy
        # machine): a later demo run keeps the catalogue as it is.
        say("catalogue illustratif déjà chargé")
    else:
        loaded = catalogue_load_fixture()
        say(f"catalogue illustratif : {loaded.paths} parcours dans {loaded.sectors} filières")
    if report.territory is not None:
        _basins_build(report, out)
    return out


def _basins_build(report: DemoReport, out: DemoImplantationsReport) -> None:
    """Assets and recommendation of every synthetic demo basin; scenario and project of the
    first one."""
    delegate = User.objects.get(username="demo-delegue")
    admin = User.objects.get(username="demo-admin")
    followed = set(delegate.regions.values_list("code", flat=True))
    # Typed partners first (issue 18): the recommendations count those located in a basin.
    from implantations.services.demo_programme import demo_partners_ensure

    demo_partners_ensure(
        [
            b
            for b in (
                Basin.objects.filter(name=d.name, region_id=d.region_code).first()
                for d in report.basins
            )
            if b is not None
        ]
    )
    recommendations: dict[int, Recommendation] = {}
    basins: list[Basin] = []
    for index, demo_basin in enumerate(report.basins):
        basin = Basin.objects.filter(name=demo_basin.name, region_id=demo_basin.region_code).first()
        if basin is None:
            continue
        user = delegate if basin.region_id in followed else admin
        demo_assets_ensure(basin, index, user)
        recommendation = services.recommendation_compute(basin=basin, user=user)
        recommendations[basin.pk] = recommendation
        basins.append(basin)
        out.recommendations[basin.name] = recommendation.concept or ""
    if basins:
        first = basins[0]
        out.scenario = _scenario_ensure(first, recommendations[first.pk], delegate)
        out.project = _project_ensure(first, recommendations[first.pk], delegate)
        _project_funding_ensure(first, delegate)
        # A year of follow-up of that project (issue 18): one flag, two variances explained.
        demo_followup_ensure(first, PROJECT_NAME, delegate)
        # The shared diagnostic (issue 13): a version, a comment thread, a pending contribution.
        out.shared_version = demo_sharing_ensure(first, delegate)
        # The programme (issue 18): targets, a project at every stage, typed partners.
        from implantations.services.demo_programme import demo_programme_build

        demo_programme_build(basins)
