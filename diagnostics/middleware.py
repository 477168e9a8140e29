"""Request-scoped context for the audit log (diagnostics.services.audit)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from diagnostics.services.audit import audit_request_reset, audit_request_set


class AuditRequestMiddleware:
    """Lets `audit_record` find who acts and from which address without the request being
    passed down to services. After AuthenticationMiddleware (request.user is read lazily)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit_request_set(request)
        try:
            return self.get_response(request)
        finally:
            audit_request_reset(token)
