"""Send Celery tasks by name, so that services never import `tasks` (which import services).

The row a service commits (a pending diagnostic run, a pending import batch, a basin to refresh)
is the outbox; a service calls `task_send` inside `transaction.on_commit`. With a broker the task
goes out by name (`send_task`); ANY error while sending (broker down, refused, timing out) is
logged and `task_send` returns False: the row stays pending, the page says it is queued, and the
periodic dispatcher (`diagnostics.services.outbox`, beat) sends it again once the broker is
back. Enqueueing never fails a request whose data is already committed. Without a broker
(CELERY_TASK_ALWAYS_EAGER, the embedded default) `send_task` would not run anything in-process,
so the task object is imported by name and called eagerly exactly as `.delay()` did before.

A message carries no time limit: the worker applies those of its own settings. (Celery 5.7's
`send_task` copies the limits of the task as registered in the SENDING process — once anything
there has imported `diagnostics.tasks` and finalized the app — into the message, and the worker
obeys the message over its own configuration.)
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as BrokerOperationalError

logger = logging.getLogger(__name__)

# Task names, the only coupling between services and `diagnostics.tasks` (checked by a test).
BASIN_REFRESH = "diagnostics.tasks.basin_refresh"
BASINS_REFRESH_ALL = "diagnostics.tasks.basins_refresh_all"
IMPORT_BATCH_PROCESS = "diagnostics.tasks.import_batch_process"
DIAGNOSTIC_EXECUTE = "diagnostics.tasks.diagnostic_execute"
DIAGNOSTIC_BATCH_CHUNK = "diagnostics.tasks.diagnostic_batch_chunk"
OUTBOX_DISPATCH = "diagnostics.tasks.outbox_dispatch"
PDF_JOB_RENDER = "diagnostics.tasks.pdf_job_render"
PAGES_WARM = "diagnostics.tasks.pages_warm"


def task_send(name: str, *args: Any, **kwargs: Any) -> bool:
    """Run the task `name` now in eager mode, else send it to the broker (after commit).
    Returns whether the task was run or handed to the broker."""
    if current_app.conf.task_always_eager:
        import_string(name).delay(*args, **kwargs)
        return True
    try:
        # The time limits are the worker's (its settings, read when it loads the tasks): a
        # sender that has the task registered would otherwise write its own into the message,
        # which the worker obeys over its own.
        current_app.send_task(name, args=args, kwargs=kwargs, time_limit=None, soft_time_limit=None)
    except BrokerOperationalError:
        logger.error("broker unreachable: %s%s left pending", name, args)
        return False
    except Exception:  # redis/socket errors kombu did not wrap: still never fail the caller
        logger.exception("sending %s%s failed: left pending", name, args)
        return False
    return True
