"""Celery: broker, time limits of tasks and runs, the outbox and the sweepers beat runs."""

from cnam_territoires.settings.base import TIME_ZONE, env

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker: run tasks in-process (embedded default). With a broker, separate workers.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1800)
# The soft limit raises in the task (which writes « délai dépassé » on its row) before the hard
# limit kills the process.
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT", default=max(CELERY_TASK_TIME_LIMIT - 60, 1)
)
# The visibility timeout must exceed the hard time limit, or Redis redelivers running tasks.
# A broker that does not answer fails a send within seconds (the row stays in the outbox) instead
# of holding the request for the OS connect timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 600,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT_S", default=3.0),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Cached fragments of the pages (issue 15, diagnostics.views.page_warm): after each run it
# computes, the worker renders the run's report for its readers (off by default without a
# broker: the request that computed the run renders it). Each app's warmer, by dotted path.
PAGES_WARM_AFTER_RUN = env.bool("PAGES_WARM_AFTER_RUN", default=not CELERY_TASK_ALWAYS_EAGER)
PAGE_WARMERS = [
    "diagnostics.views.page_warm.diagnostic_reports_warm",
    "implantations.views.page_warm.shared_versions_warm",
]
# CPU priority of the Celery workers (nice, 0–19; cnam_territoires.priority): above 0, pages and
# API answers are served before a batch's computation, which takes the cores they leave.
WORKER_NICENESS = env.int("WORKER_NICENESS", default=10)
# Diagnostic runs (issue 4): hard time limit of one run's task; a run still « en cours » past
# it (worker killed) is marked failed by the sweeper, run by beat and before each new request.
DIAGNOSTIC_RUN_TIME_LIMIT = env.int("DIAGNOSTIC_RUN_TIME_LIMIT", default=600)
# The soft limit lets the run write its failure before the hard limit kills the process.
DIAGNOSTIC_RUN_SOFT_TIME_LIMIT = env.int(
    "DIAGNOSTIC_RUN_SOFT_TIME_LIMIT", default=max(DIAGNOSTIC_RUN_TIME_LIMIT - 30, 1)
)
# A task interrupted inside a query (soft time limit) cancels it on the server before writing its
# failure; the cancel request waits at most this long (diagnostics.services.claims).
QUERY_CANCEL_TIMEOUT_S = env.float("QUERY_CANCEL_TIMEOUT_S", default=5.0)
# Work that survives its infrastructure (issue 15, docs/security.md « Pannes »). The committed
# row (run, import batch, basin to refresh) is the outbox: a periodic dispatcher sends again
# the rows never handed to the broker (older than OUTBOX_MIN_AGE_S) or handed long ago
# (OUTBOX_RESEND_AFTER_S: the message may have been lost with the broker). A worker claims a
# row by writing its identity and proves it is alive every TASK_HEARTBEAT_S; a row whose
# heartbeat stopped for TASK_STALE_AFTER_S is taken back by the sweeper (queued again, at most
# TASK_MAX_ATTEMPTS tries, then failed with « relancer » offered).
TASK_HEARTBEAT_S = env.float("TASK_HEARTBEAT_S", default=10.0)
TASK_STALE_AFTER_S = env.float("TASK_STALE_AFTER_S", default=60.0)
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)
OUTBOX_MIN_AGE_S = env.float("OUTBOX_MIN_AGE_S", default=5.0)
OUTBOX_RESEND_AFTER_S = env.float("OUTBOX_RESEND_AFTER_S", default=300.0)
OUTBOX_DISPATCH_INTERVAL_S = env.float("OUTBOX_DISPATCH_INTERVAL_S", default=30.0)
WORK_SWEEP_INTERVAL_S = env.float("WORK_SWEEP_INTERVAL_S", default=30.0)
# Embedded default only (no broker): compute a run in a thread beside the request, so the page
# shows its progress as with a worker (off: computed inline before the redirect).
DIAGNOSTIC_EAGER_IN_THREAD = env.bool("DIAGNOSTIC_EAGER_IN_THREAD", default=False)
CELERY_BEAT_SCHEDULE = {
    # Pending work never sent (broker down) or whose message was lost is sent again.
    "outbox-dispatch": {
        "task": "diagnostics.tasks.outbox_dispatch",
        "schedule": OUTBOX_DISPATCH_INTERVAL_S,
    },
    # Runs and import batches whose worker stopped beating (killed) are queued again or
    # failed; runs past their time limit are failed: never left « en cours ».
    "diagnostic-fail-stuck": {
        "task": "diagnostics.tasks.diagnostic_fail_stuck",
        "schedule": WORK_SWEEP_INTERVAL_S,
    },
    # The security audit log keeps AUDIT_RETENTION_DAYS days (docs/security.md, GDPR register).
    "audit-purge": {"task": "diagnostics.tasks.audit_purge", "schedule": 86400.0},
    "import-batches-fail-stale": {
        "task": "diagnostics.tasks.import_batches_fail_stale",
        "schedule": WORK_SWEEP_INTERVAL_S,
    },
    # PDF jobs whose worker died are queued again or failed; jobs past PDF_JOB_RETENTION_H deleted.
    "pdf-jobs-sweep": {
        "task": "diagnostics.tasks.pdf_jobs_sweep",
        "schedule": WORK_SWEEP_INTERVAL_S,
    },
}
