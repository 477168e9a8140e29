"""JSON of the stored diagnostic documents (`DiagnosticRun.results` and `tables`), by orjson.

A national batch writes about 350 kB of JSON per basin (issue 16): the standard library took
3.5 ms of CPU per run to write it, orjson 0.4 ms; reading it back is faster too. The text is
the same JSON: keys that are not strings become strings and numpy scalars plain numbers, as
before; a NaN or ±inf (which PostgreSQL's jsonb refuses anyway) is written as null. Text that
orjson does not read (NaN written by the standard library into an old SQLite row) is read by
the standard library, as before.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


class StoredJSONEncoder(json.JSONEncoder):
    """`json.dumps(value, cls=StoredJSONEncoder)`, as Django's JSONField calls it, by orjson."""

    def encode(self, o: Any) -> str:
        return orjson.dumps(o, option=_OPTIONS).decode()


class StoredJSONDecoder(json.JSONDecoder):
    """`json.loads(text, cls=StoredJSONDecoder)`, as Django's JSONField calls it, by orjson."""

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            return super().decode(s, *args, **kwargs)
