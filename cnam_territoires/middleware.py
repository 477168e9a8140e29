"""Project-wide request guards (issue 15, docs/security.md « Pannes »).

- `RequestSizeLimitMiddleware`: a request body larger than REQUEST_MAX_BODY_MB (by default the
  import limit plus 1 Mo for the form) is refused with 413 and a French page before any byte of
  it is read: an oversized upload never fills the disk nor holds a worker.
- `DatabaseUnavailableMiddleware`: a database error escaping a view (the PostgreSQL connection
  terminated mid-request, the server restarting) answers 503 with a French page saying that
  nothing was saved and to try again, instead of a bare 500; the broken connection is closed
  so that the next request opens a new one. The view's transaction was rolled back by the
  database, so nothing is half-written.
- `CSPMiddleware`: django-csp's, with each policy header built once per settings object instead
  of for every answer (django-csp copies and joins the directives each time: ~0.1 ms of CPU, a
  tenth of a cheap API answer's). A nonce or a per-view policy (none today) goes through
  django-csp's own code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def _page(template: str, status: int, **context: object) -> HttpResponse:
    # Rendered without the request: no user, no database access (like 500.html).
    return HttpResponse(render_to_string(template, context), status=status)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit_mb = float(settings.REQUEST_MAX_BODY_MB)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit_mb * 1024 * 1024:
            logger.warning("request body of %s bytes refused on %s", length, request.path)
            return _page(
                "413.html",
                413,
                size_mb=f"{length / 1024 / 1024:.1f}".replace(".", ","),
                limit_mb=settings.IMPORT_MAX_FILE_MB,
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable on %s: %s", request.path, exception)
        if not connection.in_atomic_block:
            connection.close()
        response = _page("503_database.html", 503)
        response["Retry-After"] = "10"
        return response


# What a view or decorator may set on a response to change its policy (django-csp).
_PER_RESPONSE = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)
# (header, setting, the response attribute that exempts it)
_POLICIES = (
    (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
    (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
)


class CSPMiddleware(BaseCSPMiddleware):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # setting -> (the settings value it was built from, the header)
        self._built: dict[str, tuple[object, str]] = {}

    def _policy(self, setting: str) -> tuple[object, str]:
        value = getattr(settings, setting, None)
        built = self._built.get(setting)
        if built is None or built[0] is not value:  # override_settings gives a new object
            built = (value, build_policy(report_only=setting.endswith("_REPORT_ONLY")))
            self._built[setting] = built
        return built

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # django-csp leaves the debug pages alone
        for header, setting, exempt in _POLICIES:
            value, policy = self._policy(setting)
            excluded = tuple((value or {}).get("EXCLUDE_URL_PREFIXES") or ())  # type: ignore[attr-defined]
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
