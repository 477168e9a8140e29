"""The API's JSON renderer: a non-finite float (NaN, ±inf) never reaches the client.

Strict JSON has no NaN or Infinity, and DRF's renderer raises ValueError on them, which would
be a 500 after the view has returned. Parameters are checked before any computation (a bad
number is a 400 naming the parameter); if a non-finite value still comes out of a computation,
this renderer answers a 400 with the API's error shape (`cnam_territoires.api_errors`) naming
the fields that held it, and logs it as an error so that the cause gets fixed."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from typing import Any

from rest_framework.renderers import JSONRenderer

from diagnostics.api.prerendered import PreRenderedJSON

logger = logging.getLogger(__name__)

NON_FINITE_MESSAGE = (
    "Un calcul a produit une valeur non finie (infinie ou indéterminée) à partir des "
    "paramètres donnés : vérifiez les paramètres numériques de la requête."
)


def non_finite_paths(data: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths (`lines.0.score`) of the non-finite floats in `data`, in order."""
    if isinstance(data, float):
        if not math.isfinite(data):
            yield prefix or "."
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield from non_finite_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, (list, tuple)):
        for index, value in enumerate(data):
            yield from non_finite_paths(value, f"{prefix}.{index}" if prefix else str(index))


class FiniteJSONRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, PreRenderedJSON):
            return bytes(data)
        # Strict JSON first (DRF raises ValueError on NaN / inf): the path scan, which walks
        # every value, only runs when a non-finite number is there.
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except ValueError:
            paths = list(non_finite_paths(data)) if data is not None else []
            if not paths:
                raise
        context = renderer_context or {}
        request = context.get("request")
        logger.error(
            "non-finite number in an API answer (%s): %s",
            getattr(request, "path", "?"),
            ", ".join(paths[:20]),
        )
        response = context.get("response")
        if response is not None:
            response.status_code = 400
        data = {
            "error": {
                "code": "non_finite_number",
                "message": NON_FINITE_MESSAGE,
                "fields": {"fields": paths[:20]},
            }
        }
        return super().render(data, accepted_media_type, renderer_context)
