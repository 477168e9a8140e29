"""A project's funding split, CPF top-up scenarios and services (writes): all or nothing,
French errors naming the field, one retained scenario, only the basin's managers."""

from __future__ import annotations

import datetime as dt

import pytest

from implantations.analytics.business_model_columns import COSTS, CPF_TOPUP, FUNDED_AID
from implantations.models import CpfTopUpScenario, ProjectFundingLine, ProjectService
from implantations.selectors import business_model as sel
from implantations.services import funding as services
from implantations.services.projects import project_create
from tests.factories.basins import chaumont_with_delegates

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def world():
    basin, delegate, other_delegate = chaumont_with_delegates()
    project = project_create(
        basin=basin,
        user=delegate,
        name="Fab ID de Chaumont",
        concept="fab_id",
        start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )
    return {"project": project, "delegate": delegate, "other_delegate": other_delegate}


def line(funder: str, amount: float, first: int, last: int, **kw) -> services.FundingInput:
    return services.FundingInput(
        funder=funder, annual_amount=amount, first_year=first, last_year=last, **kw
    )


def test_funding_replace_writes_the_split_into_the_plan(world) -> None:
    project = world["project"]
    services.project_funding_replace(
        project=project,
        user=world["delegate"],
        lines=[
            line("region", 40_000, 0, 2, funder_name="Région Grand Est", conditions="PRIC"),
            line("epci", 20_000, 1, 3),
        ],
    )
    assert ProjectFundingLine.objects.filter(project=project).count() == 2
    model = sel.project_business_model(project)
    assert model.years[FUNDED_AID].tolist() == [40_000, 60_000, 60_000, 20_000, 0, 0]
    assert model.public_aid_total == 180_000  # 3 × 40,000 + 3 × 20,000
    # Replacing with an empty list removes the split: the model falls back on the need.
    services.project_funding_replace(project=project, user=world["delegate"], lines=[])
    assert not sel.project_business_model(project).aid_from_split


def test_funding_over_the_year_costs_is_refused_and_nothing_written(world) -> None:
    project = world["project"]
    services.project_funding_replace(
        project=project, user=world["delegate"], lines=[line("etat", 10_000, 1, 1)]
    )
    # Fab ID year 0 costs 45,000 (GTEC 15,000 + computer room 30,000): 40,000 + 10,000 > it.
    assert sel.project_business_model(project).years.loc[0, COSTS] == 45_000
    with pytest.raises(services.FundingError) as caught:
        services.project_funding_replace(
            project=project,
            user=world["delegate"],
            lines=[line("region", 40_000, 0, 2), line("cnam", 10_000, 0, 0)],
        )
    assert caught.value.code == "funding_over_costs"
    assert "Année 0" in caught.value.message
    assert list(ProjectFundingLine.objects.values_list("funder", flat=True)) == ["etat"]


def test_funding_line_errors_name_line_and_field(world) -> None:
    with pytest.raises(services.FundingError) as caught:
        services.project_funding_replace(
            project=world["project"],
            user=world["delegate"],
            lines=[line("region", 1_000, 0, 1), line("opco", -5, 2, 9)],
        )
    assert caught.value.message.startswith("Ligne 2 : ")
    assert set(caught.value.extra["errors"]["1"]) == {"annual_amount", "last_year"}
    assert not ProjectFundingLine.objects.exists()


def test_other_region_cannot_write(world) -> None:
    with pytest.raises(services.FundingError) as caught:
        services.project_funding_replace(
            project=world["project"], user=world["other_delegate"], lines=[]
        )
    assert caught.value.code == "forbidden"


def test_topup_scenarios_one_retained_enters_the_plan(world) -> None:
    project = world["project"]
    first = services.topup_scenario_save(
        project=project,
        user=world["delegate"],
        name="Agglo 50 %",
        rate_percent="50",
        ceiling="500",
        learners=10,
        path_price="2000",
        retained=True,
    )
    second = services.topup_scenario_save(
        project=project,
        user=world["delegate"],
        name="Agglo 100 %",
        rate_percent="100",
        ceiling="800",
        learners=17,
        path_price="2000",
        retained=True,
    )
    first.refresh_from_db()
    assert not first.retained and second.retained
    # Retained: remaining 2,000 − 1,200 = 800, 100 % → 800 = ceiling; 17 learners (= 20 % × 85
    # CPF learners) → 13,600 a year from year 1.
    model = sel.project_business_model(project)
    assert model.years[CPF_TOPUP].tolist() == [0] + [13_600] * 5
    services.topup_scenario_retain(project=project, user=world["delegate"], scenario_id=first.pk)
    assert list(CpfTopUpScenario.objects.filter(retained=True).values_list("name", flat=True)) == [
        "Agglo 50 %"
    ]
    with pytest.raises(services.FundingError) as caught:
        services.topup_scenario_save(
            project=project,
            user=world["delegate"],
            name="Agglo 50 %",
            rate_percent="10",
            ceiling="1",
            learners=1,
            path_price="1",
        )
    assert caught.value.extra["field"] == "name"
    with pytest.raises(services.FundingError) as caught:
        services.topup_scenario_save(
            project=project,
            user=world["delegate"],
            name="Trop",
            rate_percent="120",
            ceiling="1",
            learners=1,
            path_price="1",
        )
    assert caught.value.extra["field"] == "rate_percent"
    assert (
        services.topup_scenario_delete(
            project=project, user=world["delegate"], scenario_id=second.pk
        )
        == "Agglo 100 %"
    )
    assert CpfTopUpScenario.objects.count() == 1


def test_services_replace_and_reset(world) -> None:
    project = world["project"]
    services.project_services_replace(
        project=project,
        user=world["delegate"],
        values={
            "aioa": {"staff_time": 803.5, "time_unit": "heures", "reach": 300, "conversion": 0.1}
        },
    )
    row = ProjectService.objects.get(project=project)
    assert (row.code, float(row.staff_time), row.time_unit, row.reach) == (
        "aioa",
        803.5,
        "heures",
        300,
    )
    aioa = next(s for s in sel.project_services(project) if s.code == "aioa")
    assert aioa.fte == pytest.approx(0.5) and aioa.learners == pytest.approx(30)
    assert aioa.figures_source == "saisie du projet"
    with pytest.raises(services.FundingError) as caught:
        services.project_services_replace(
            project=project, user=world["delegate"], values={"aioa": {"conversion": 2}}
        )
    assert caught.value.extra["field"] == "aioa.conversion"
    assert ProjectService.objects.count() == 1  # nothing half-written
    services.project_services_replace(project=project, user=world["delegate"], values={})
    assert not ProjectService.objects.exists()


def test_saved_scenarios_keep_their_staff_after_the_carve_out(world) -> None:
    import importlib

    from django.apps import apps

    from implantations.models import BusinessScenario

    migration = importlib.import_module("implantations.migrations.0013_scenario_staff_carve_out")
    basin = world["project"].basin
    fab = BusinessScenario.objects.create(
        basin=basin, concept="fab_id", name="Deux ETP", assumptions={"staff_fte": "2,5"}
    )
    turnkey = BusinessScenario.objects.create(
        basin=basin, concept="turnkey", name="Prudent", assumptions={"staff_fte": 1.2}
    )
    untouched = BusinessScenario.objects.create(
        basin=basin, concept="progressive", name="Cible", assumptions={"learners_target": 250}
    )
    migration.carve_out(apps, None)
    # Fab ID: 2.5 − 1.5 FTE of services = 1; turnkey: 1.2 − 0.5 (AIOA) = 0.7.
    assert BusinessScenario.objects.get(pk=fab.pk).assumptions == {"staff_fte": 1.0}
    assert BusinessScenario.objects.get(pk=turnkey.pk).assumptions == {"staff_fte": 0.7}
    assert BusinessScenario.objects.get(pk=untouched.pk).assumptions == {"learners_target": 250}
    migration.put_back(apps, None)
    assert BusinessScenario.objects.get(pk=turnkey.pk).assumptions == {"staff_fte": 1.2}
