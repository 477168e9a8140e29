"""gunicorn's configuration in production (Dockerfile, docker-compose.yml's `web`) and in the load
bench (`bench/load_mixed.py`): `gunicorn -c gunicorn.conf.py cnam_territoires.wsgi:application`.
Every value can be changed by the environment (.env.example); a command-line option wins over
this file.

Issue 15 (« Load held »): the answers are of very different sizes — an API answer or a
redirect costs ~0.3–5 ms of CPU, a report page ~15 ms warm and ~400 ms when its fragment is
cold, an XLSX export ~100 ms cold. With few threads per worker, a cheap request that arrives
when every thread is busy waits in the worker's queue behind the renders (first come, first
served); and once it has a thread, each time it comes back from PostgreSQL or Redis it waits
for the interpreter lock, which a rendering thread keeps up to `sys.getswitchinterval()` (5 ms
by default). More threads and a shorter switch interval share the worker's core between the
requests in progress instead, so that short answers end quickly even behind long ones
(measured in docs/architecture.md, « Load »).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gunicorn's own variable; two per core is the usual start, each with its threads.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A report rendered cold and an XLSX export stay well below; a worker stuck past it is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# No keep-alive by default: every answer closes its connection (`Connection: close`), so that
# each request is accepted by whichever worker takes it first, the less busy one. A kept-alive
# connection stays with the worker that accepted it for as long as its client keeps sending:
# in the load bench (50 users, 0.2–1 s between requests) one worker got 76 % of the CPU in two
# runs of two — at most one core, the interpreter lock — while the other idled, and the API's
# median answer took 285–295 ms; without keep-alive the two shared it 50/50, the API's median
# 42–59 ms, p99 422–926 ms against 898–1,078 ms, 67–72 answers/s against 53–54 (docs/
# architecture.md, « Load »). What it costs: a TCP connection per request between gunicorn and
# the TLS proxy in front of it (`check --deploy` requires HTTPS): on the same host, a request
# on a new connection took 0.41–0.52 ms against 0.33 ms on a kept one (a bare WSGI app under
# this file, 2,000 requests, best of 3). A deployment that exposes gunicorn to distant clients
# directly can set a few seconds.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# Seconds a running thread keeps the interpreter lock when another thread wants it (Python's
# default: 5 ms).
switch_interval_ms = float(os.environ.get("GUNICORN_SWITCH_INTERVAL_MS", "1"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# Move the objects of the loaded application out of the garbage collector's reach once loaded
# (post_worker_init): see there. "false" leaves them in.
gc_freeze = os.environ.get("GUNICORN_GC_FREEZE", "true").lower() not in ("0", "false", "no")
# CPU priority of this gunicorn and its workers (0: the default). docker-compose.yml runs two
# services of this file, web (pages) and api (/api/): where they share the cores of one host as
# processes, a web lowered below the api lets a REST client's answer go before report renders
# (tried at 2 and 5 in the load bench, not kept: docs/architecture.md, « Load »). Containers are
# ranked by their CPU weights (`cpu_shares`), not by this. Never raised: an unprivileged
# process cannot.
niceness = int(os.environ.get("GUNICORN_NICENESS", "0"))


def on_starting(server: Any) -> None:
    """Before the workers are forked (they inherit it): this server's niceness, and its
    session's scheduling group's when it leads the session."""
    if niceness > 0:
        from cnam_territoires.priority import niceness_lower

        niceness_lower(niceness)


def post_fork(server: Any, worker: Any) -> None:
    sys.setswitchinterval(switch_interval_ms / 1000)


def post_worker_init(worker: Any) -> None:
    """Load the URLconf, hence every view module and what they import (pandas, plotly, DRF…),
    before the worker takes its first request: else the first requests of each new worker
    (a deployment, a worker replaced after a timeout) pay ~0.5 s of CPU of imports, and the
    requests that came with them wait for it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - a cached property, filled here
    if gc_freeze:
        # The ~180,000 objects of the loaded modules live as long as the worker: a full
        # collection walked them all (~40–90 ms of CPU with the interpreter lock held, every
        # thread of the worker stopped), whenever enough new objects had survived since the
        # last one (report renders make many). Frozen, a full collection walks only what the
        # requests left behind.
        gc.collect()
        gc.freeze()
