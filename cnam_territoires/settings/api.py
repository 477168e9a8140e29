"""The shared cache, Django REST framework, API tokens and throttles, the OpenAPI schema."""

from cnam_territoires.settings.base import env


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
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "cnam",
            "TIMEOUT": 300,
        }
    }
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
