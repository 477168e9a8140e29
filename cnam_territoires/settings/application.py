"""Application settings: e-mail, open data, imports and request sizes, audit retention, PDF
reports, follow-up thresholds, the site's title."""

from pathlib import Path

from cnam_territoires.settings.base import DEBUG, DEMO, VAR_DIR, env

# --- E-mail (notifications of the shared diagnostic) ------------------------------------------
# The demo and DEBUG print e-mails on the console; elsewhere SMTP from EMAIL_HOST & co.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if (DEMO or DEBUG)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Cnam Territoires <ne-pas-repondre@territoires.invalid>"
)
# Absolute links in the e-mails (the pages' addresses).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Application settings -------------------------------------------------------------------
# Where the official open data lies (see README "Données réelles"); the demo loads it when set.
_open_data_dir = env.str("OPEN_DATA_DIR", default="")
OPEN_DATA_DIR = Path(_open_data_dir).resolve() if _open_data_dir else None
# Dataset imports (issue 3): uploads larger than this, or XLSX whose zip directory declares more
# uncompressed bytes than that, are refused before any parsing.
IMPORT_MAX_FILE_MB = env.int("IMPORT_MAX_FILE_MB", default=50)
IMPORT_MAX_UNCOMPRESSED_MB = env.int("IMPORT_MAX_UNCOMPRESSED_MB", default=500)
# Row errors kept in a batch's report (the total is always counted).
IMPORT_MAX_REPORTED_ERRORS = env.int("IMPORT_MAX_REPORTED_ERRORS", default=20000)
# Request sizes (issue 15): a body over REQUEST_MAX_BODY_MB is refused (413) before it is read;
# form fields (not files) are capped at DATA_UPLOAD_MAX_MEMORY_SIZE; an uploaded file over
# FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file rather than memory.
REQUEST_MAX_BODY_MB = env.float("REQUEST_MAX_BODY_MB", default=IMPORT_MAX_FILE_MB + 1)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Security audit log (diagnostics.models.audit): entries older than this are deleted daily by
# beat and by `manage.py audit_purge`. One year: long enough to investigate an incident.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# PDF reports (issue 15): at most PDF_MAX_CONCURRENT Chromium processes on a machine (lock
# files under PDF_SLOTS_DIR); a request waits its turn up to PDF_QUEUE_WAIT_S, then is told to
# try again.
PDF_MAX_CONCURRENT = env.int("PDF_MAX_CONCURRENT", default=2)
PDF_QUEUE_WAIT_S = env.float("PDF_QUEUE_WAIT_S", default=60.0)
PDF_SLOTS_DIR = env.path("PDF_SLOTS_DIR", default=VAR_DIR / "pdf-slots")
# PDF reports are jobs (issue 15): a worker renders them (waiting up to PDF_JOB_SLOT_WAIT_S for a
# Chromium slot), the page shows their progress; each job is kept PDF_JOB_RETENTION_H hours.
PDF_JOB_SLOT_WAIT_S = env.float("PDF_JOB_SLOT_WAIT_S", default=300.0)
PDF_JOB_TIME_LIMIT = env.int("PDF_JOB_TIME_LIMIT", default=600)
PDF_JOB_RETENTION_H = env.float("PDF_JOB_RETENTION_H", default=24.0)
# Follow-up and evaluation of implantation projects (issue 18, docs/followup.md): a site is
# « en retard » when its enrolments fall below FOLLOWUP_LATE_ENROLMENT_SHARE of the plan, or when
# it is not open FOLLOWUP_OPENING_GRACE_DAYS after the opening its plan implies; « en dépassement »
# when its costs exceed the plan by more than FOLLOWUP_OVERRUN_SHARE. A line off its plan by more
# than FOLLOWUP_EXPLAIN_SHARE must be explained; no rate is shown on fewer learners than
# FOLLOWUP_MIN_LEARNERS.
FOLLOWUP_LATE_ENROLMENT_SHARE = env.float("FOLLOWUP_LATE_ENROLMENT_SHARE", default=0.8)
FOLLOWUP_OPENING_GRACE_DAYS = env.int("FOLLOWUP_OPENING_GRACE_DAYS", default=90)
FOLLOWUP_OVERRUN_SHARE = env.float("FOLLOWUP_OVERRUN_SHARE", default=0.10)
FOLLOWUP_EXPLAIN_SHARE = env.float("FOLLOWUP_EXPLAIN_SHARE", default=0.10)
FOLLOWUP_MIN_LEARNERS = env.int("FOLLOWUP_MIN_LEARNERS", default=10)
SITE_TITLE = "Cnam Territoires"
SITE_TAGLINE = (
    "Diagnostics territoriaux de compétences et implantations « Au cœur des territoires »"
)
