"""The base of every API view (issue 14): token scopes, throttle before permissions, and
conditional reads (ETag and Last-Modified, 304 Not Modified)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from diagnostics.api.auth import HasTokenScope
from diagnostics.models import Basin


class ApiViewMixin:
    """Every API view: its role permission classes plus the token's scope; the throttle checked
    before them, so that guessing tokens or probing without one is throttled too; on a 200 GET,
    an ETag and, when the view sets `self.last_modified`, Last-Modified, answered 304 when the
    client already has it.

    The ETag is the hash of the body, unless the view sets `self.etag_version`: a value that
    changes whenever its body does (the stored version of what it serves, e.g. a run's id, data
    key and end time). The ETag is then derived from it, the request's host, path and query and
    the media type, without rendering the body first (a 304 renders nothing)."""

    last_modified: dt.datetime | None = None
    etag_version: Any = None

    def get_permissions(self) -> list[BasePermission]:
        return [*super().get_permissions(), HasTokenScope()]  # type: ignore[misc]

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        # APIView.initial, with the throttle moved before the permissions (DRF: after).
        view: Any = self
        view.format_kwarg = view.get_format_suffix(**kwargs)
        neg = view.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = view.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        try:
            view.perform_authentication(request)
        except exceptions.AuthenticationFailed:
            view.check_throttles(request)  # a failed token counts against the address
            raise
        view.check_throttles(request)
        view.check_permissions(request)
        self.check_query_params(request)

    # Query parameters the view reads; None: the filter set's, ordering, search and pagination.
    query_params_allowed: frozenset[str] | None = None
    COMMON_PARAMS = frozenset({"format"})
    PAGINATION_PARAMS = frozenset({"limit", "offset"})

    def allowed_query_params(self) -> frozenset[str]:
        if self.query_params_allowed is not None:
            return self.query_params_allowed | self.COMMON_PARAMS
        view: Any = self
        names = set(self.COMMON_PARAMS)
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            names |= set(filterset_class.base_filters)
        if getattr(view, "ordering_fields", None):
            names.add("ordering")
        if getattr(view, "pagination_class", None) is not None:
            names |= self.PAGINATION_PARAMS
        names |= set(getattr(view, "extra_query_params", ()))
        return frozenset(names)

    def check_query_params(self, request: Any) -> None:
        """An unknown parameter is a 400 naming it (a typo never silently widens a query)."""
        if request.method not in ("GET", "HEAD"):
            return
        unknown = sorted(set(request.query_params) - self.allowed_query_params())
        if unknown:
            allowed = ", ".join(sorted(self.allowed_query_params() - self.COMMON_PARAMS))
            raise exceptions.ValidationError(
                {
                    name: [f"Paramètre inconnu (paramètres possibles : {allowed or 'aucun'})."]
                    for name in unknown
                }
            )

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        etag = quote_etag(self._etag(request, response))
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Accept, Authorization, Cookie"
        last_modified = self.last_modified
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            if etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*":
                return self._not_modified(response)
        elif last_modified is not None:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
            if since is not None and int(last_modified.timestamp()) <= since:
                return self._not_modified(response)
        return response

    def _etag(self, request: Any, response: Any) -> str:
        if self.etag_version is None:
            response.render()
            return hashlib.blake2b(response.content, digest_size=16).hexdigest()
        version = repr(
            (
                self.etag_version,
                request.get_host(),
                request.get_full_path(),
                getattr(request, "accepted_media_type", ""),
            )
        )
        return "v" + hashlib.blake2b(version.encode(), digest_size=16).hexdigest()

    @staticmethod
    def _not_modified(response: Any) -> HttpResponseNotModified:
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
            if header in response:
                not_modified[header] = response[header]
        return not_modified


def basin_or_404(basins: QuerySet[Basin], pk: int) -> Basin:
    """The basin `pk` among `basins` (a queryset of the caller's scope), else a 404 « Bassin
    n° … introuvable. »: another region's basin is not found, as one that does not exist."""
    basin = basins.filter(pk=pk).first()
    if basin is None:
        raise exceptions.NotFound(f"Bassin n° {pk} introuvable.")
    return basin
