"""Pagination of every API list: `limit` (at most MAX_LIMIT) and `offset`; a bad value is a 400
naming the parameter, never silently replaced."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


def _non_negative(request: Any, name: str, *, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise exceptions.ValidationError(
            {name: [f"« {raw[:40]} » n'est pas un nombre entier."]}
        ) from exc
    if value < 0 or (name == "limit" and value == 0):
        raise exceptions.ValidationError({name: ["Valeur positive attendue."]})
    if maximum is not None and value > maximum:
        what = "éléments par page" if name == "limit" else "(position dans la liste)"
        raise exceptions.ValidationError({name: [f"Au plus {maximum} {what}."]})
    return value


class ApiPagination(LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request: Any) -> int:
        value = _non_negative(request, self.limit_query_param, maximum=self.max_limit)
        return self.default_limit if value is None else value

    def get_offset(self, request: Any) -> int:
        # Capped: a huge offset would overflow PostgreSQL's bigint (a 500).
        return _non_negative(request, self.offset_query_param, maximum=MAX_OFFSET) or 0
