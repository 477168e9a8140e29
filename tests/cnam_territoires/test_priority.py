"""Readers before batches (issue 15, « Load held »): a Celery worker lowers its CPU priority to
WORKER_NICENESS when it starts (`cnam_territoires.priority`, signal `worker_init`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from celery.signals import worker_init

from cnam_territoires import celery as celery_module

ROOT = Path(__file__).resolve().parents[2]


def _in_child(code: str) -> list[str]:
    """Run `code` in a fresh session (its own process and scheduling group: the test runner's
    priority is left alone) and return its printed lines."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,
    )
    return result.stdout.split()


def test_niceness_lower_sets_the_process_and_its_session_group(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-1 nice 0\n")

    printed = _in_child(
        "import os\nfrom pathlib import Path\n"
        "from cnam_territoires.priority import niceness_lower\n"
        f"print(niceness_lower(7, autogroup=Path({str(group)!r})))\n"
        "print(os.getpriority(os.PRIO_PROCESS, 0))"
    )

    assert printed == ["7", "7"]
    # The child led its session: its group's niceness was written too.
    assert group.read_text() == "7\n"


def test_niceness_lower_never_raises_the_priority_and_caps_at_19(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-1 nice 0\n")

    printed = _in_child(
        "import os\nfrom pathlib import Path\n"
        "from cnam_territoires.priority import niceness_lower\n"
        "os.nice(12)\n"
        f"print(niceness_lower(3, autogroup=Path({str(group)!r})))\n"
        f"print(niceness_lower(40, autogroup=Path({str(group)!r})))"
    )

    assert printed == ["12", "19"]


def test_niceness_zero_changes_nothing(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("untouched")

    printed = _in_child(
        "from pathlib import Path\n"
        "from cnam_territoires.priority import niceness_lower\n"
        f"print(niceness_lower(0, autogroup=Path({str(group)!r})))"
    )

    assert printed == ["0"]
    assert group.read_text() == "untouched"


def test_a_process_sharing_its_session_keeps_the_group_alone(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("untouched")

    # Not the leader of its session (a worker started from a terminal): the group is the
    # terminal's, left alone; the process's own niceness still drops.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path\nfrom cnam_territoires.priority import niceness_lower\n"
            f"print(niceness_lower(5, autogroup=Path({str(group)!r})))",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["5"]
    assert group.read_text() == "untouched"


def test_the_worker_lowers_its_priority_to_the_setting_when_it_starts(settings, monkeypatch):
    applied: list[int] = []
    monkeypatch.setattr(
        "cnam_territoires.priority.niceness_lower", lambda niceness: applied.append(niceness)
    )
    settings.WORKER_NICENESS = 13

    # Our receiver alone: sending the signal also ran Celery's Django fix-up, which warned
    # (« called without a sender ») and installed its worker hooks in this test process
    # (database connections closed then, and around every task this xdist worker runs next).
    assert celery_module.worker_priority in [r() for _, r in worker_init.receivers]
    celery_module.worker_priority(signal=worker_init, sender=None)

    assert applied == [13]


def test_batch_commands_lower_their_priority_to_the_setting(settings, monkeypatch):
    from cnam_territoires.priority import batch_command_priority

    applied: list[int] = []
    monkeypatch.setattr(
        "cnam_territoires.priority.niceness_lower",
        lambda niceness: applied.append(niceness) or niceness,
    )
    settings.WORKER_NICENESS = 12

    assert batch_command_priority(["manage.py", "diagnostic_run", "--all", "epci"]) == 12
    assert batch_command_priority(["manage.py", "warm_pages"]) == 12
    # Interactive or short commands keep the priority they were given.
    for argv in (["manage.py"], ["manage.py", "runserver"], ["manage.py", "migrate"]):
        assert batch_command_priority(argv) is None
    assert applied == [12, 12]


def test_manage_py_runs_a_national_batch_at_the_workers_niceness():
    """manage.py itself (a fresh process, as an operator starts it): the priority is lowered
    before the command runs; another command is left alone."""
    base = os.getpriority(os.PRIO_PROCESS, 0)
    code = (
        "import os, sys\nfrom unittest import mock\nimport manage\n"
        "sys.argv = ['manage.py', sys.argv[1]]\n"
        "with mock.patch('django.core.management.execute_from_command_line') as run:\n"
        "    manage.main()\n"
        "print(run.call_count, os.getpriority(os.PRIO_PROCESS, 0))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_DEMO": "true", "WORKER_NICENESS": "6"}
    printed = {
        command: subprocess.run(
            [sys.executable, "-c", code, command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            start_new_session=True,
        ).stdout.split()
        for command in ("diagnostic_run", "migrate")
    }

    assert printed == {
        "diagnostic_run": ["1", str(max(6, base))],
        "migrate": ["1", str(base)],
    }
