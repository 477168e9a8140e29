"""The API's JSON parser: a body nested too deep is a 400, never a 500.

DRF's JSONParser turns a ValueError of the decoder into a 400 « JSON parse error », but not the
RecursionError that Python's decoder raises on deeply nested input (`[` × 5,000 then `]` ×
5,000): every JSON write of the API answered 500 to it (fuzzing, 2026-12-07). The message is in
French and names the problem; nothing is read or written."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                "Corps JSON trop imbriqué : des tableaux ou objets emboîtés sur des milliers de "
                "niveaux ne sont pas lus."
            ) from None
