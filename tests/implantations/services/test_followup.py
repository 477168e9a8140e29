"""Follow-up of implantation projects (issue 18): a year entered (rules, nothing half-written,
replacement with history, the year's actual learners), the CSV template and its import
(row-level errors, all or nothing, re-import with history), the evaluation and the flags."""

from __future__ import annotations

import datetime as dt

import pytest

from implantations.analytics import evaluation as ev
from implantations.analytics import evaluation_flags as evf
from implantations.models import ProjectFollowup, ProjectYear
from implantations.selectors import followup as sel
from implantations.services import followup as services

pytestmark = pytest.mark.django_db

# Default turnkey business model, year 1 (20 learners, maturity 0.55), worked out by hand:
# tuition (CPF 450 + fees 400 per learner) × 20 × 0.55 = 9 350; revenues 47 850 (incl. Ardan
# 11 000) → other revenues 38 500; costs: staff 82 500 + teaching 36 000 = 118 500, premises
# 6 000, overheads 17 775 → 142 275; public aid needed 142 275 − 47 850 = 94 425.
PLAN_Y1 = {
    ev.TUITION: 9_350.0,
    ev.PUBLIC_AID: 94_425.0,
    ev.OTHER_REVENUES: 38_500.0,
    ev.STAFF: 118_500.0,
    ev.PREMISES: 6_000.0,
    ev.OTHER_COSTS: 17_775.0,
}


def good_values(**overrides):
    values = {
        ev.ENROLLED: 18, ev.COMPLETED: 15, ev.CERTIFIED: 12,
        ev.OUTCOME_JOB: 8, ev.OUTCOME_TRAINING: 3, ev.OUTCOME_SEEKING: 2, ev.OUTCOME_UNKNOWN: 2,
        ev.TUITION: 9_000, ev.PUBLIC_AID: 94_000, ev.OTHER_REVENUES: 37_000,
        ev.STAFF: 120_000, ev.PREMISES: 6_000, ev.OTHER_COSTS: 17_000,
    }  # fmt: skip
    values.update(overrides)
    return values


def test_project_plan_of_year_1_is_the_business_model(followup_world):
    plan, source = sel.project_plan(followup_world["project"])
    year1 = plan[plan[ev.YEAR] == 1].iloc[0]
    assert {line: float(year1[line]) for line in ev.FINANCE_FIELDS} == pytest.approx(PLAN_Y1)
    assert source.startswith("modèle économique par défaut")


def test_followup_year_save_writes_and_sets_the_actual_learners(followup_world):
    project = followup_world["project"]
    services.followup_year_save(
        project=project, year=1, values=good_values(), user=followup_world["delegate"]
    )
    item = ProjectFollowup.objects.get(project=project, year=1)
    assert (item.enrolled, item.completed, item.cost_staff) == (18, 15, 120_000)
    assert ProjectYear.objects.get(project=project, year=1).actual_learners == 18


def test_followup_year_save_refuses_and_writes_nothing(followup_world):
    project = followup_world["project"]
    with pytest.raises(services.FollowupError) as caught:
        services.followup_year_save(
            project=project,
            year=1,
            values=good_values(**{ev.COMPLETED: 19, ev.PREMISES: 9_000}),
            user=followup_world["delegate"],
        )
    errors = caught.value.extra["errors"]
    # 19 completers for 18 enrolled; premises +50 % (9 000 for 6 000) without an explanation
    assert set(errors) == {ev.COMPLETED, ev.explanation_field(ev.PREMISES)}
    assert "19 pour 18 inscrits" in errors[ev.COMPLETED]
    assert "+50 %" in errors[ev.explanation_field(ev.PREMISES)]
    assert ProjectFollowup.objects.count() == 0
    assert ProjectYear.objects.get(project=project, year=1).actual_learners is None


def test_followup_year_save_refuses_a_year_not_begun_and_another_region(followup_world):
    project = followup_world["project"]
    with pytest.raises(services.FollowupError) as caught:
        services.followup_year_save(project=project, year=3, values=good_values())  # 2027
    assert caught.value.extra["field"] == "year"
    assert "n'a pas commencé" in caught.value.message
    with pytest.raises(services.FollowupError) as caught:
        services.followup_year_save(
            project=project, year=1, values=good_values(), user=followup_world["other_delegate"]
        )
    assert caught.value.code == "forbidden"


def test_followup_replaced_keeps_its_history(followup_world):
    project = followup_world["project"]
    services.followup_year_save(
        project=project, year=1, values=good_values(), user=followup_world["delegate"]
    )
    services.followup_year_save(
        project=project,
        year=1,
        values=good_values(**{ev.ENROLLED: 17}),
        user=followup_world["delegate"],
    )
    assert ProjectFollowup.objects.get(project=project, year=1).enrolled == 17
    history = list(ProjectFollowup.history.filter(project_id=project.pk).order_by("history_id"))
    assert [(h.history_type, h.enrolled) for h in history] == [("+", 18), ("~", 17)]


# --- CSV -----------------------------------------------------------------------------------------
def csv_bytes(*rows: dict) -> bytes:
    lines = [";".join(services.CSV_HEADER)]
    for row in rows:
        lines.append(";".join(str(row.get(c, "")) for c in services.CSV_HEADER))
    return ("\n".join(lines) + "\n").encode("utf-8")


def csv_row(year: int, **values) -> dict:
    row = {services.YEAR_COLUMN: year}
    for name, value in good_values().items():
        row[services.CSV_COLUMNS[name]] = value
    for name, value in values.items():
        row[services.CSV_COLUMNS.get(name, name)] = value
    return row


def test_followup_template_lists_the_begun_years(followup_world):
    text = services.followup_template_csv(followup_world["project"]).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].split(";") == services.CSV_HEADER
    assert [line.split(";")[0] for line in lines[1:]] == ["2024", "2025", "2026"]


def test_followup_import_row_errors_and_nothing_written(followup_world):
    project = followup_world["project"]
    content = csv_bytes(
        csv_row(2025),
        csv_row(2026, **{ev.ENROLLED: "-3"}),
        csv_row(2026, **{ev.CERTIFIED: "abc"}),
        csv_row(2030),
    )
    with pytest.raises(services.FollowupError) as caught:
        services.followup_import(project=project, content=content, user=followup_world["delegate"])
    rows = caught.value.extra["rows"]
    as_tuples = [(r["row"], r["column"], r["value"]) for r in rows]
    # header = line 1: 2025 is line 2 (good), -3 enrolled line 3, "abc" line 4 (and 2026 twice),
    # 2030 line 5 (not begun)
    assert (3, "inscrits", "-3") in as_tuples
    assert (4, "certifies", "abc") in as_tuples
    assert (4, "annee", "2026") in as_tuples
    assert (5, "annee", "2030") in as_tuples
    messages = {(r["row"], r["column"]): r["message"] for r in rows}
    assert "négatif" in messages[(3, "inscrits")]
    assert "en double (déjà ligne 3)" in messages[(4, "annee")]
    assert ProjectFollowup.objects.count() == 0


def test_followup_import_then_reimport_replaces_with_history(followup_world):
    project = followup_world["project"]
    first = services.followup_import(
        project=project, content=csv_bytes(csv_row(2025), csv_row(2026, **{ev.ENROLLED: 30, ev.COMPLETED: "", ev.CERTIFIED: "", ev.OUTCOME_JOB: "", ev.OUTCOME_TRAINING: "", ev.OUTCOME_SEEKING: "", ev.OUTCOME_UNKNOWN: "", ev.TUITION: "", ev.PUBLIC_AID: "", ev.OTHER_REVENUES: "", ev.STAFF: "", ev.PREMISES: "", ev.OTHER_COSTS: ""})),
        user=followup_world["delegate"],
    )  # fmt: skip
    assert (first.years, first.replaced) == ([1, 2], [])
    year2 = ProjectFollowup.objects.get(project=project, year=2)
    assert (year2.enrolled, year2.completed, year2.cost_staff, year2.source) == (
        30,
        None,
        None,
        "csv",
    )
    again = services.followup_import(
        project=project,
        content=csv_bytes(csv_row(2025, **{ev.ENROLLED: 20, ev.PREMISES: "7 500,40",
                                            "explication_couts_locaux": "Travaux."})),
        user=followup_world["delegate"],
    )  # fmt: skip
    assert (again.years, again.replaced) == ([1], [1])
    year1 = ProjectFollowup.objects.get(project=project, year=1)
    assert (year1.enrolled, year1.cost_premises) == (20, 7_500)  # amounts rounded to the euro
    assert year1.explanation_cost_premises == "Travaux."
    history = ProjectFollowup.history.filter(project_id=project.pk, year=1).order_by("history_id")
    assert [h.enrolled for h in history] == [18, 20]


def test_followup_import_missing_column_is_named(followup_world):
    content = b"annee;inscrits\n2025;12\n"
    with pytest.raises(services.FollowupError) as caught:
        services.followup_import(project=followup_world["project"], content=content)
    assert caught.value.code == "missing_columns"
    assert "parcours_acheves" in caught.value.message


# --- Evaluation and flags ------------------------------------------------------------------------
def test_project_evaluation_flags_late_and_overrun(followup_world):
    project = followup_world["project"]
    # Year 1 plan: 20 learners, costs 142 275. 15 enrolled (75 % < 80 %) → « en retard »;
    # costs 160 000 (+12,5 % > +10 %) → « en dépassement ».
    services.followup_year_save(
        project=project,
        year=1,
        values=good_values(
            **{
                ev.ENROLLED: 15,
                ev.COMPLETED: 12,
                ev.CERTIFIED: 9,
                ev.STAFF: 136_225,
                ev.OUTCOME_SEEKING: 0,
                ev.OUTCOME_UNKNOWN: 1,
                ev.explanation_field(ev.STAFF): "Deux formateurs recrutés.",
            }
        ),  # fmt: skip
        user=followup_world["delegate"],
    )
    evaluation = sel.project_evaluation(project)
    # 136 225 + 6 000 + 17 000 = 159 225 → +11,9 %
    year1 = evaluation.year(1)
    assert year1.actual_costs == 159_225
    assert year1.planned_costs == pytest.approx(142_275)
    # (the project never changed to « ouverture »: its planned opening passed too)
    assert [(f.code, f.reason, f.year) for f in evaluation.flags] == [
        (evf.FLAG_LATE, "opening", None),
        (evf.FLAG_LATE, "enrolments", 1),
        (evf.FLAG_OVERRUN, "costs", 1),
    ]
    summary = sel.programme_evaluation(followup_world["mayor"])
    assert [s.project.pk for s in summary.flagged] == [project.pk]
    assert summary.counts[ev.ENROLLED] == 15
    # outcomes on 12 completers (≥ 10): 8 in a job → 8 / 12
    job = next(r for r in summary.rates if r.code == "job")
    assert job.value == pytest.approx(8 / 12)
    assert sel.programme_evaluation(followup_world["other_delegate"]).sites == []


def test_project_not_open_after_its_planned_opening_is_late(followup_world):
    # Planned learners from year 1 (2025): opening planned 1 January 2025; today 15 June 2026,
    # never opened → « en retard » (opening).
    evaluation = sel.project_evaluation(followup_world["project"])
    assert [(f.code, f.reason) for f in evaluation.flags] == [(evf.FLAG_LATE, "opening")]
    assert "01/01/2025" in evaluation.flags[0].detail


# --- The plan is the project's business model (funding split, top-up, services) ----------------
def _with_project_inputs(project, user, *, region_aid=30_000):
    from implantations.services import funding

    line = funding.FundingInput
    funding.project_funding_replace(
        project=project,
        user=user,
        lines=[line("region", region_aid, 1, 3), line("commune", 5_000, 1, 1)],
    )
    funding.topup_scenario_save(
        project=project, user=user, name="Abondement (50 %)", rate_percent=50, ceiling=500,
        learners=10, path_price=2500, retained=True,
    )  # fmt: skip
    funding.project_services_replace(
        project=project, user=user, values={"aioa": {"staff_time": 0.3, "revenue": 2_000}}
    )


# Turnkey defaults, year 1 (20 learners, maturity 0.55), with the project's inputs, by hand:
# - funding split: Région 30 000 + commune 5 000 → public aid 35 000 (not the need);
# - retained top-up: 50 % of (2 500 − CPF 1 500) = 500 € (ceiling 500) for min(10, 0.3 × 20 = 6)
#   learners = 3 000, plus the AIOA's revenue 2 000 → other revenues 38 500 + 5 000 = 43 500;
# - AIOA 0.3 FTE: staff (1 + 0.3) × 55 000 = 71 500 + teaching 36 000 = 107 500; premises 6 000;
#   overheads 0.15 × 107 500 = 16 125 → costs 129 625.
PLAN_Y1_WITH_INPUTS = {
    ev.TUITION: 9_350.0,
    ev.PUBLIC_AID: 35_000.0,
    ev.OTHER_REVENUES: 43_500.0,
    ev.STAFF: 107_500.0,
    ev.PREMISES: 6_000.0,
    ev.OTHER_COSTS: 16_125.0,
}


def test_evaluation_plan_is_the_project_business_model(followup_world):
    from implantations.analytics import business_model_columns as bmc
    from implantations.selectors.business_model import business_model_for_project

    project = followup_world["project"]
    _with_project_inputs(project, followup_world["delegate"])
    year1 = sel.project_evaluation(project).year(1)
    assert year1.plan == pytest.approx(PLAN_Y1_WITH_INPUTS)
    # … which are the business model page's figures for every year (revenues + the aid of the
    # split; costs).
    page = business_model_for_project(project).model
    assert page.aid_from_split
    evaluation = sel.project_evaluation(project)
    for row in page.years.itertuples(index=False):
        y = evaluation.year(int(getattr(row, bmc.YEAR)))
        revenues = sum(y.plan[line] for line in ev.REVENUE_LINES)
        page_revenues = getattr(row, bmc.REVENUES) + getattr(row, bmc.FUNDED_AID)
        assert revenues == pytest.approx(page_revenues, abs=0.01)
        assert y.planned_costs == pytest.approx(getattr(row, bmc.COSTS), abs=0.01)
    y1 = page.years[page.years[bmc.YEAR] == 1].iloc[0]
    assert float(y1[bmc.REVENUES] + y1[bmc.FUNDED_AID]) == pytest.approx(87_850)
    assert float(y1[bmc.COSTS]) == pytest.approx(129_625)
    # the programme summary reads the same plan
    summary = sel.programme_evaluation(followup_world["mayor"])
    assert summary.sites[0].year(1).plan == pytest.approx(PLAN_Y1_WITH_INPUTS)


def test_plan_without_scenario_takes_the_premises_lent_from_the_partnership(followup_world):
    from implantations.models import BasinPartnership

    BasinPartnership.objects.create(basin=followup_world["basin"], town_lends_premises=True)
    plan, source = sel.project_plan(followup_world["project"])
    year1 = plan[plan[ev.YEAR] == 1].iloc[0]
    # premises lent: no rent (6 000 in PLAN_Y1), the rest unchanged; the need falls by as much
    assert float(year1[ev.PREMISES]) == 0
    assert float(year1[ev.PUBLIC_AID]) == pytest.approx(94_425 - 6_000)
    assert source.startswith("modèle économique par défaut")


def _second_site(world, index):
    from implantations.services import projects as project_services
    from tests.factories.basins import BasinFactory, make_commune

    town = make_commune(f"5212{index}", name=f"Ville {index}", population=20_000,
                        region=world["basin"].region)  # fmt: skip
    basin = BasinFactory(name=f"Bassin {index}", region=world["basin"].region, communes=[town])
    return project_services.project_create(
        basin=basin, user=world["delegate"], name=f"Cnam {index}", concept="turnkey",
        start_year=2024, study_started_on=dt.date(2024, 1, 8),
    )  # fmt: skip


def test_programme_queries_do_not_grow_with_the_projects_and_flags_match_the_pages(
    followup_world,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from diagnostics.models import Role
    from implantations.models import BasinPartnership, BusinessScenario
    from tests.factories.basins import make_user

    admin = make_user("admin-national", role=Role.NATIONAL_ADMIN)
    world = followup_world
    _with_project_inputs(world["project"], world["delegate"])
    with CaptureQueriesContext(connection) as one:
        sel.programme_evaluation(admin)
    for index in (1, 2, 3):
        project = _second_site(world, index)
        _with_project_inputs(project, world["delegate"], region_aid=20_000 + index)
        explained = {ev.explanation_field(line): "Écart expliqué." for line in ev.LINES}
        services.followup_year_save(
            project=project, year=1, values=good_values(**explained), user=world["delegate"]
        )
    second = _second_site(world, 4).basin
    BasinPartnership.objects.create(basin=second, town_lends_premises=True)
    BusinessScenario.objects.create(
        basin=world["basin"], concept="turnkey", name="Prudent", assumptions={"investment": 0}
    )
    with CaptureQueriesContext(connection) as five:
        summary = sel.programme_evaluation(admin)
    assert len(summary.sites) == 5
    assert len(five.captured_queries) == len(one.captured_queries)
    for site in summary.sites:
        page = sel.project_evaluation(site.project)
        assert site.flags == page.flags
        assert [y.plan for y in site.years] == [y.plan for y in page.years]
        assert sel.project_flags_for([site.project])[site.project.pk] == page.flags
    assert {s.plan_source for s in summary.sites} == {
        sel.PLAN_SOURCE_DEFAULT,
        sel.PLAN_SOURCE_SCENARIO.format(name="Prudent"),
    }
