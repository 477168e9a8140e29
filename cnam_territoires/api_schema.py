"""The OpenAPI schema served at /api/schema/, generated once per process (issue 14).

drf-spectacular's view generates the whole schema on every request: every endpoint, serializer
and enum inspected again, ≈ 0.35 s of CPU warm and 0.75 s cold for each signed-in user who
opens « Documentation de l'API » (the Swagger page fetches it) or each client that reads it.
The schema depends on the code and the settings only: with `SERVE_PUBLIC` (drf-spectacular's
default, kept) the endpoints are not filtered by the caller's permissions, and no view of ours
builds its serializers from the user (tests/test_api_schema_cache.py generates it for every role
and compares). So the first request of a process generates it, keyed by API version and
language, and later ones reuse it. Who may read it does not change: `SERVE_PERMISSIONS` is
checked on every request before the schema is looked up.

A change of the settings the schema is made from (the URLconf, drf-spectacular's or DRF's
settings, the installed apps, the language) empties the store (`setting_changed`: tests).
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

# (version, language) → the schema (a dict, read-only once stored: the renderers only read it).
_SCHEMAS: dict[tuple[str | None, str | None], dict[str, Any]] = {}
_LOCK = threading.Lock()
SCHEMA_SETTINGS = frozenset(
    {"ROOT_URLCONF", "SPECTACULAR_SETTINGS", "REST_FRAMEWORK", "INSTALLED_APPS", "LANGUAGE_CODE"}
)


@receiver(setting_changed)
def _forget_schemas(*, setting: str, **_: Any) -> None:
    if setting in SCHEMA_SETTINGS:
        schemas_forget()


def schemas_forget() -> None:
    with _LOCK:
        _SCHEMAS.clear()


def _supported_language(language: str | None) -> str:
    """The site's language that `language` (a request's `?lang=`, any text) is served in."""
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return str(settings.LANGUAGE_CODE)


class StoredSchemaView(SpectacularAPIView):
    """SpectacularAPIView whose schema is generated once per process, version and language."""

    def _get_schema_response(self, request: Request) -> Response:
        # The API is versioned by its path (/api/v1/), not by a parameter: `?version=` is read
        # only among DRF's ALLOWED_VERSIONS (none are set), and `?lang=` counts as the language
        # it falls back to. Any value used to key a schema of its own, generated (1–1.6 s) and
        # kept for the life of the process.
        version = self.api_version or request.version
        if api_settings.ALLOWED_VERSIONS:
            version = version or self._get_version_parameter(request)
        key = (version, _supported_language(translation.get_language()))
        schema = _SCHEMAS.get(key)
        if schema is None:
            # Generated under the lock: drf-spectacular's generation is not thread-safe (its
            # extensions load on first use). Two first requests at once in a new process failed
            # with AttributeError inside it (5 of 6 in a fuzzing run); the later ones wait.
            with _LOCK:
                schema = _SCHEMAS.get(key)
                if schema is None:
                    generator = self.generator_class(
                        urlconf=self.urlconf, api_version=version, patterns=self.patterns
                    )
                    schema = generator.get_schema(request=request, public=self.serve_public)
                    _SCHEMAS[key] = schema
        return Response(
            data=schema,
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'
            },
        )
