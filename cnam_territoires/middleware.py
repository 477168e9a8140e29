"""Project-wide request guards (issue 15, docs/security.md « Pannes »).

- `RequestSizeLimitMiddleware`: a request body larger than REQUEST_MAX_BODY_MB (by default the
  import limit plus 1 Mo for the form) is refused with 413 and a French page before any byte of
  it is read: an oversized upload never fills the disk nor holds a worker.
- `DatabaseUnavailableMiddleware`: a database error escaping a view (the PostgreSQL connection
  terminated mid-request, the server restarting) answers 503 with a French page saying that
  nothing was saved and to try again, instead of a bare 500; the broken connection is closed
  so that the next request opens a new one. The view's transaction was rolled back by the
  database, so nothing is half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
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
