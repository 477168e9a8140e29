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
"""

from __future__ import annotations

import contextlib
import os
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
