"""The one settings module (../shared/STYLE.md): every value comes from the environment
(django-environ). It reads top to bottom by concern: environment, apps, middleware, templates,
database, authentication, i18n, static files and logging; security (production defaults, cookies
and sessions, HSTS, Content-Security-Policy, login throttling); the shared cache, REST framework,
API tokens and throttles, the OpenAPI schema; Celery, time limits, the outbox and the periodic
sweepers; then e-mail, open data, import and request sizes, audit, PDF reports, follow-up.

Safe defaults: DEBUG is off unless set, and there is no default secret key outside the demo
(DJANGO_DEMO=true, which `make run` and the test suite set). Without DATABASE_URL the project runs
on SQLite under var/; without CELERY_BROKER_URL, Celery tasks run eagerly in-process.
"""

from pathlib import Path

import environ
import plotly
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
DEMO = env.bool("DJANGO_DEMO", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEMO or DEBUG):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (or DJANGO_DEMO=true for the local demo only)."
        )
    SECRET_KEY = "django-insecure-demo-only-never-use-in-production-cnam-territoires"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its `runserver` (static files served in DEBUG) without the 40 ms
    # delayed-ACK wait per answer (cnam_territoires/devserver).
    "cnam_territoires.devserver",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "dsfr",
    "import_export",
    "simple_history",
    "diagnostics",
    "implantations",
    "catalogue",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # An oversized body is refused (413) before it is read (issue 15).
    "cnam_territoires.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts and from where, for the security audit log (diagnostics.services.audit).
    "diagnostics.middleware.AuditRequestMiddleware",
    # Idle and absolute session lifetimes (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS).
    "diagnostics.middleware.SessionTimeoutMiddleware",
    # Login throttling per username (any address) and global; per address: django-axes.
    "diagnostics.middleware.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the catalogue history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (django-csp): see CONTENT_SECURITY_POLICY below.
    "cnam_territoires.middleware.CSPMiddleware",
    # Last, as django-axes asks: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
    # Innermost: a database error escaping a view answers 503 in French (issue 15).
    "cnam_territoires.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "cnam_territoires.urls"
WSGI_APPLICATION = "cnam_territoires.wsgi.application"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cnam_territoires.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the page read while an import or a run writes; IMMEDIATE avoids
            # "database is locked" upgrades inside write transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "diagnostics.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files (whitenoise; plotly.js from the plotly package, never a CDN) ---------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "cnam_territoires" / "static",
    ("plotly", Path(plotly.__file__).resolve().parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("DJANGO_MANIFEST_STATIC", default=not DEBUG and not DEMO)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG or DEMO)
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Security: production defaults whenever DEBUG and the demo are off -----------------------
# `check --deploy --fail-level WARNING` passes with nothing but a secret key and the hosts set
# (tests/test_deploy_settings.py). A local set-up over plain http says so explicitly
# (.env.example: DJANGO_SECURE_SSL_REDIRECT=false, DJANGO_SECURE_COOKIES=false…).
PRODUCTION_DEFAULTS = not DEBUG and not DEMO
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION_DEFAULTS)
# Cookies: Secure outside DEBUG, never readable by scripts, not sent on cross-site requests
# (SameSite=Lax: links from a mail still open the page logged in), and the __Host- prefix (the
# browser refuses them from http or with a Domain) when Secure.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Sessions end after SESSION_IDLE_MINUTES without a request (the expiry slides, refreshed at most
# once a minute) and SESSION_ABSOLUTE_HOURS after the login whatever the activity
# (diagnostics.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_MINUTES = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("DJANGO_SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_HSTS_SECONDS", default=31_536_000 if PRODUCTION_DEFAULTS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): scripts and styles from our own static files only —
# no inline <script>, no style="…" or on…= attributes in templates (tests/test_csp.py scans them),
# data for scripts in json_script blocks. DSFR sets styles through the CSSOM (element.style),
# which CSP allows. plotly.js's global <style> element is replaced by our stylesheet
# (templates/plotly_js.html); but plotly.js itself writes style *attributes* on the SVG it draws
# (text spans, colour bars): `style-src-attr 'unsafe-inline'` lets it, and only it — our
# templates hold none (tests/test_csp.py), and a style attribute runs no script. Nothing is
# fetched from another origin (plotly.js, DSFR and Swagger UI are our static files). DJANGO_CSP_REPORT_ONLY=true sends the
# same policy as Content-Security-Policy-Report-Only (to try a change in production first).
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env.bool("DJANGO_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Login throttling -----------------------------------------------------------------------
# django-axes: after AXES_FAILURE_LIMIT failures, lock the client address whatever the
# usernames tried (password spraying: one password over many accounts), and the username+address
# pair. Behind a reverse proxy the address must be the client's (docs/security.md).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Beyond axes (diagnostics.services.login_throttle, counted from the audit log): one username
# from any address, and the whole service.
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=10)
LOGIN_USERNAME_WINDOW_MINUTES = env.int("LOGIN_USERNAME_WINDOW_MINUTES", default=15)
LOGIN_GLOBAL_FAILURE_LIMIT = env.int("LOGIN_GLOBAL_FAILURE_LIMIT", default=200)
LOGIN_GLOBAL_WINDOW_SECONDS = env.int("LOGIN_GLOBAL_WINDOW_SECONDS", default=60)


# --- Cache ---
# The API's throttle counters and token cache live in the default cache. Several processes
# (web workers beside Celery workers) must share it: Redis when CACHE_URL says so, or by
# default when Celery runs real workers on a Redis broker (its database + 1); else per process
# (locmem: the embedded default, and the tests, where tasks run eagerly).
def _cache_url() -> str:
    explicit = env.str("CACHE_URL", default="")
    if explicit:
        return explicit
    broker = env.str("CELERY_BROKER_URL", default="")
    eager = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not broker)
    if broker.startswith(("redis://", "rediss://")) and not eager:
        base, _, db = broker.rpartition("/")
        return f"{base}/{int(db) + 1}" if db.isdigit() and int(db) < 15 else broker
    return "locmem://"


CACHE_URL = _cache_url()
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            # Django's, with one Redis client per pool instead of one per call (cache.py).
            "BACKEND": "cnam_territoires.cache.ReusedClientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "cnam",
            "TIMEOUT": 300,
        }
    }
    # Sessions read from the shared cache, written through to the database: no query per
    # request for the session (~0.25 ms of CPU; issue 15). Only with a cache every process
    # shares: with per-process caches a logout in one worker would not reach the others.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "diagnostics.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "diagnostics.api.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "diagnostics.api.pagination.ApiPagination",
    "DEFAULT_THROTTLE_CLASSES": ["diagnostics.api.auth.ApiRateThrottle"],
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "cnam_territoires.api_errors.exception_handler",
    # NaN / inf in an answer: a 400 with the error shape, never a 500 (api_renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "cnam_territoires.api_renderers.FiniteJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's three, JSON's answering 400 to a body nested too deep (cnam_territoires.api_parsers).
    "DEFAULT_PARSER_CLASSES": [
        "cnam_territoires.api_parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# API tokens found by their key are cached this many seconds (0: a query per request); a
# revocation or a change of the user forgets them (diagnostics.selectors.tokens).
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=30)
# Format of the cached pages of the API's lists (diagnostics.selectors.basin_list_cache): part
# of their keys, bumped when the documents change shape, so that no page of the old shape is read.
API_LIST_CACHE_VERSION = 1
# Per token (or session user) and per anonymous address; over the rate: 429 + Retry-After.
API_THROTTLE_RATES = {
    "token": env.str("API_THROTTLE_TOKEN", default="1200/min"),
    "user": env.str("API_THROTTLE_USER", default="1200/min"),
    "anon": env.str("API_THROTTLE_ANON", default="60/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cnam Territoires API",
    "DESCRIPTION": "Indicateurs territoriaux par bassin d'emploi.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Not public (issue 15's finding): the schema maps every operation, write endpoints and
    # import kinds included; only signed-in users and valid tokens read it (docs/api.md).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "DatasetKindEnum": "diagnostics.models.DatasetKind",
        "RunStatusEnum": "diagnostics.models.DiagnosticRun.Status",
        "ImportStatusEnum": "diagnostics.models.ImportBatch.Status",
        "PathStatusEnum": "catalogue.models.TrainingPath.Status",
        "HistoryChangeEnum": "catalogue.api.curation.HISTORY_KINDS",
        "ProjectStatusEnum": "implantations.models.projects.ProjectStatus",
        "ConceptEnum": "implantations.models.projects.Concept",
        "RecommendationConceptEnum": "implantations.api.serializers.CONCEPTS",
    },
    # Swagger UI served from our static files (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI puts them inside each operation's toggle button (axe
    # `nested-interactive`). The page's template is ours (templates/drf_spectacular/).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}

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
# One build of a page's fragment at a time (diagnostics.selectors.page_cache.cached): the other
# readers of the same page wait for it, at most this long (s), then build it themselves. 0: none.
PAGE_BUILD_WAIT_SECONDS = env.float("PAGE_BUILD_WAIT_SECONDS", default=5.0)
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
