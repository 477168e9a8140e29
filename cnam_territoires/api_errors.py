"""One exception handler for the API: every error has the same JSON shape.

{"error": {"code": "...", "message": "...", "fields": {...}}}
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from diagnostics.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApplicationError):
        fields = exc.extra
        if isinstance(fields, dict) and isinstance(fields.get("field"), str):
            fields = {fields["field"]: [exc.message]}  # the field in error, named
        return Response(
            {"error": {"code": exc.code, "message": exc.message, "fields": fields}},
            status=400,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        message = "Données invalides."
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    else:
        message = str(getattr(exc, "detail", exc))
        fields = {}
    code = getattr(exc, "default_code", "error")
    exc_detail = getattr(exc, "detail", None)
    if isinstance(exc_detail, ErrorDetail) and exc_detail.code:
        code = exc_detail.code
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response
