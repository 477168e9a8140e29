"""CPU priority of the Celery workers (issue 15, « Load held »): readers first, batches second.

A worker computing a national batch and the web workers share the machine's cores. Without a
rule the scheduler splits them evenly, so every page waits behind the batch's arithmetic. A
worker started with WORKER_NICENESS > 0 lowers its own priority (`worker_init`, before the
pool's processes are forked, so they inherit it): interactive requests are served first and the
batch takes the cores they leave. The batch is slower only while readers are busy.

On Linux with automatic process groups (`/proc/sys/kernel/sched_autogroup_enabled`, the default
of most distributions) the scheduler first splits the cores between sessions, and a process's
niceness only ranks it against the processes of its own session: a worker started in its own
session (systemd, `setsid`, the load bench) would keep an even share with the web server
whatever its niceness. When the worker leads its own session, its group's niceness
(`/proc/self/autogroup`) is set too; a worker sharing a terminal's session keeps the plain
niceness (setting the group's would lower the whole terminal). Containers are ranked by their
control group instead: `cpu_shares` in docker-compose.yml.

The management commands that compute or load in bulk (`BATCH_COMMANDS`: a national batch with
`diagnostic_run --all`, `warm_pages`, the loaders, backups) are batches too: `manage.py` lowers
their priority to the same WORKER_NICENESS before Django loads the applications, which is most
of their CPU when they only queue work for the worker (`diagnostic_run --all`: ~2 s of the
~2.5 s of CPU it took in the load bench, where two of them started with the load and competed
with its first answers at full priority).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")
NICENESS_MAX = 19


def niceness_lower(niceness: int, *, autogroup: Path = AUTOGROUP) -> int:
    """Lower this process's CPU priority to `niceness` (never raise it: an unprivileged process
    cannot), and its session's group's when it leads the session. Returns the niceness now in
    force."""
    niceness = max(0, min(int(niceness), NICENESS_MAX))
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > current:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    if niceness > 0 and os.getsid(0) == os.getpid() and autogroup.exists():
        # Not Linux's autogroup, or refused: the plain niceness still applies.
        with contextlib.suppress(OSError):
            autogroup.write_text(f"{niceness}\n")
    return os.getpriority(os.PRIO_PROCESS, 0)


# `manage.py` commands run at WORKER_NICENESS: bulk computation or loading, never interactive.
BATCH_COMMANDS = frozenset(
    {
        "diagnostic_run",
        "warm_pages",
        "import_dataset",
        "load_territories",
        "load_open_data",
        "backup",
        "audit_purge",
    }
)


def batch_command_priority(argv: Sequence[str]) -> int | None:
    """When `argv` (manage.py's) runs a batch command, lower this process's priority to
    WORKER_NICENESS (read from the settings module only: the applications are not loaded yet)
    and return the niceness now in force; None for any other command."""
    if len(argv) < 2 or argv[1] not in BATCH_COMMANDS:
        return None
    from django.conf import settings

    return niceness_lower(settings.WORKER_NICENESS)
