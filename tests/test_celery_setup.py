"""Security review, finding 5: the periodic sweepers run in the simple set-up.

`make worker` starts the beat embedded in the worker (`-B`), so that runs stuck by a killed
worker are marked failed instead of staying « en cours »; production runs the worker without it
and one `make beat` (docker-compose.yml), never two beats."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
SWEEPERS = {
    "diagnostics.tasks.outbox_dispatch": 30.0,
    "diagnostics.tasks.diagnostic_fail_stuck": 30.0,
    "diagnostics.tasks.import_batches_fail_stale": 30.0,
    # PDF jobs whose worker died, and the deletion of those past PDF_JOB_RETENTION_H.
    "diagnostics.tasks.pdf_jobs_sweep": 30.0,
    # Not a sweeper: the daily purge of the security audit log (AUDIT_RETENTION_DAYS).
    "diagnostics.tasks.audit_purge": 86400.0,
}


def _recipe(target: str) -> str:
    """The command lines of a Makefile target, with the variables they use expanded."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^([A-Z_]+) \?= ?(.*)$", text, flags=re.MULTILINE))
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, flags=re.MULTILINE)
    assert match, f"no `{target}` target in the Makefile"
    recipe = match.group(1)
    for name, value in variables.items():
        recipe = recipe.replace(f"$({name})", value)
    return recipe


def test_beat_schedule_holds_the_sweepers():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    assert schedule == SWEEPERS


def test_every_scheduled_task_is_registered():
    from cnam_territoires.celery import app

    app.loader.import_default_modules()

    for task in SWEEPERS:
        assert task in app.tasks, task


def test_make_worker_embeds_the_beat():
    recipe = _recipe("worker")

    assert "celery -A cnam_territoires worker" in recipe
    assert re.search(r"\s-B(\s|$)", recipe), recipe
    assert "--schedule=var/celerybeat-schedule" in recipe


def test_make_beat_and_compose_run_one_separate_beat():
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")

    assert "celery -A cnam_territoires beat" in _recipe("beat")
    assert compose.count('"beat"') == 1
    worker_line = next(line for line in compose.splitlines() if '"worker"' in line)
    assert "-B" not in worker_line  # the compose worker leaves the schedule to its beat


def test_readme_says_how_the_sweepers_run():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "make worker WORKER_BEAT=" in readme
    assert "make beat" in readme
