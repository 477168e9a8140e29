"""Project-wide error pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from diagnostics.params import InvalidParameter


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: the French message of a refused parameter (diagnostics.params); a generic one for
    anything else (Django's suspicious operations say nothing useful to the visitor)."""
    message = exception.message if isinstance(exception, InvalidParameter) else ""
    return render(request, "400.html", {"message": message}, status=400)
