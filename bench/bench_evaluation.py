"""Benchmark of the programme evaluation (issue 18), beside its reference measured in the same run.

    DJANGO_DEMO=true python bench/bench_evaluation.py [--sites 100] [--repeat 5]

`programme_evaluation(admin)` over `--sites` projects (three concepts, each basin with a saved
scenario for one site in three, years 1 and 2 followed) — scenarios, partnerships and the
projects' inputs read in one query each, each distinct (concept, assumptions, inputs) model computed
once — against the reference: the same rows read bare
(projects, their years and follow-ups, the projects' funding lines, top-ups and services and the
basins' partnerships, `values_list`) plus one business model per concept and one per saved
scenario (the plan of each scenario; the evaluation computes each distinct model once). Target: ≤ 3× the reference, and under 1 s for 100 sites.
Fresh SQLite file under var/, migrated; wall-clock medians over `--repeat` runs after a warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_DEMO", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
DB = ROOT / "var" / "bench_evaluation.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args()


ARGS = parse()
DB.parent.mkdir(exist_ok=True)
DB.unlink(missing_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from diagnostics.models import Basin, Region, Role, User  # noqa: E402
from implantations.analytics import business_model as bm  # noqa: E402
from implantations.analytics import evaluation as ev  # noqa: E402
from implantations.models import (  # noqa: E402
    BasinPartnership,
    BusinessScenario,
    CpfTopUpScenario,
    ImplantationProject,
    ProjectFollowup,
    ProjectFundingLine,
    ProjectService,
    ProjectYear,
)
from implantations.selectors.followup import programme_evaluation  # noqa: E402

CONCEPTS = ("turnkey", "fab_id", "progressive")


def build(n: int) -> User:
    region = Region.objects.create(code="44", name="Grand Est")
    admin = User.objects.create(username="bench-admin", role=Role.NATIONAL_ADMIN)
    for i in range(n):
        basin = Basin.objects.create(name=f"Bassin {i}", region=region)
        concept = CONCEPTS[i % 3]
        if i % 3 == 0:
            BusinessScenario.objects.create(
                basin=basin, concept=concept, name="prudent", assumptions={"staff_fte": 1.2}
            )
        project = ImplantationProject.objects.create(
            basin=basin,
            name=f"Site {i}",
            concept=concept,
            start_year=2024,
            study_started_on=dt.date(2024, 1, 8),
            opened_on=dt.date(2024, 9, 2),
            status="ouverture",
        )
        ProjectYear.objects.bulk_create(
            [ProjectYear(project=project, year=y, planned_learners=20 * y) for y in range(6)]
        )
        ProjectFollowup.objects.bulk_create(
            [
                ProjectFollowup(
                    project=project,
                    year=y,
                    enrolled=15 + i % 10,
                    completed=12,
                    certified=9,
                    outcome_job=6,
                    outcome_training=2,
                    cost_staff=90_000,
                    cost_premises=6_000,
                    cost_other=14_000,
                )  # fmt: skip
                for y in (1, 2)
            ]
        )
    return admin


def reference() -> int:
    rows = list(ImplantationProject.objects.values_list("pk", "basin_id", "concept", "start_year"))
    years = list(ProjectYear.objects.values_list("project_id", "year", "planned_learners"))
    followups = list(ProjectFollowup.objects.values_list("project_id", "year", "enrolled"))
    # what a project's business model adds (issue 18): funding split, top-ups, services, and
    # the basins' partnerships (premises lent)
    inputs = [
        list(model.objects.values_list("pk", flat=True))
        for model in (ProjectFundingLine, CpfTopUpScenario, ProjectService, BasinPartnership)
    ]
    for concept in CONCEPTS:
        ev.plan_lines(bm.business_model(concept).years)
    for concept, assumptions in BusinessScenario.objects.values_list("concept", "assumptions"):
        ev.plan_lines(bm.business_model(concept, overrides=assumptions).years)
    return len(rows) + len(years) + len(followups) + sum(map(len, inputs))


def measure(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    admin = build(ARGS.sites)
    ours = measure(lambda: programme_evaluation(admin), ARGS.repeat)
    ref = measure(reference, ARGS.repeat)
    summary = programme_evaluation(admin)
    print(f"sites: {len(summary.sites)}, flagged: {len(summary.flagged)}")
    print(f"programme_evaluation : {ours * 1000:8.1f} ms (median of {ARGS.repeat})")
    print(f"reference (bare reads + one plan per concept and scenario) : {ref * 1000:8.1f} ms")
    print(f"ratio : {ours / ref:.2f} (target ≤ 3) ; under 1 s: {'yes' if ours < 1 else 'no'}")


if __name__ == "__main__":
    main()
