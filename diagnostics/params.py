"""Numbers read from a page's query string or form: a value that is not a plain number in its
range is a 400 with a French message naming the parameter (never a 500, never silently
ignored). Pages call these instead of int()/float() on request data.

    page = int_param(request.GET, "page", minimum=1)        # None when absent or empty
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import BadRequest

# Primary keys and page numbers: PostgreSQL's bigint, far above any real value.
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
# An integer as typed: ASCII digits only. str.isdigit() also accepts « ² » or « ① », which int()
# then refuses (a ValueError, once a 500 on every page reading a number).
INTEGER = re.compile(r"-?[0-9]+")


def is_integer_text(text: str) -> bool:
    """Whether `text` is a plain integer in ASCII digits (a leading minus allowed)."""
    return INTEGER.fullmatch(text) is not None


class InvalidParameter(BadRequest):
    """A query-string or form parameter out of shape: answered 400 with `message` shown
    (cnam_territoires.views.bad_request)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def id_or_none(value: Any) -> int | None:
    """A posted id as an int, or None when it is not one or out of the bigint range (which
    would overflow the database query, a 500): the caller answers « not found »."""
    text = str(value).strip() if value is not None else ""
    if not is_integer_text(text) or len(text) > 20:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _shown(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:40] + "…"


def int_param(
    data: Mapping[str, Any], name: str, *, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """The integer `data[name]`, None when absent or empty; InvalidParameter otherwise."""
    raw = str(data.get(name) or "").strip()
    if not raw:
        return None
    if not is_integer_text(raw):
        raise InvalidParameter(
            f"Paramètre « {name} » : un nombre entier est attendu, pas « {_shown(raw)} »."
        )
    if len(raw) > 20 or not minimum <= int(raw) <= maximum:
        raise InvalidParameter(
            f"Paramètre « {name} » : {_shown(raw)} est hors des valeurs permises "
            f"({minimum} à {maximum})."
        )
    return int(raw)


def page_param(data: Mapping[str, Any], name: str = "page") -> int | None:
    """A page number (1 to MAX_PAGE); past the last page, the paginator shows the last one."""
    return int_param(data, name, minimum=1, maximum=MAX_PAGE)


def float_param(
    data: Mapping[str, Any], name: str, *, minimum: float, maximum: float
) -> float | None:
    """A finite decimal (comma or point) within [minimum, maximum], None when absent."""
    raw = str(data.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise InvalidParameter(
            f"Paramètre « {name} » : un nombre est attendu, pas « {_shown(raw)} »."
        ) from None
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise InvalidParameter(
            f"Paramètre « {name} » : {_shown(raw)} est hors des valeurs permises "
            f"({minimum:g} à {maximum:g})."
        )
    return value
