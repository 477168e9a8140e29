"""A page of the basin list as JSON written by PostgreSQL (issue 14): one statement reads the
page's rows already shaped as the API's document (`BasinOutputSerializer` without geometry)
and the total count beside them, so that Python only joins the rows.

The document is the concatenation of its pieces (`json_build_object` is 2–3 times slower), each
value written as JSON text by PostgreSQL, as the serializer writes it (the tests compare both,
key by key). A row the database could not write exactly comes back NULL and the caller shapes
the page in Python: a NaN or ±∞ float (the API answers a 400 naming it), or a session whose
`extra_float_digits` is below 1 (floats would lose digits). Timestamps are written in the
current zone, as DRF does.

SQLite is not served here: its JSON functions, two zone conversions per timestamp and a PRINTF
per float cost as much as shaping the rows in Python (measured with `bench/bench_api.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import F, Func, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone

# The columns read, as ORM paths (main_town__* joins the commune, LEFT OUTER: it may be null).
COLUMNS = (
    "id",
    "name",
    "region_id",
    "source_kind",
    "source_codes",
    "main_town_id",
    "main_town__code",
    "main_town__name",
    "population",
    "communes_count",
    "communes_without_population",
    "spans_regions",
    "eligible_population",
    "eligible_main_town",
    "nearest_site_km",
    "geometry_status",
    "created_at",
    "updated_at",
    "bbox_min_lon",
    "bbox_min_lat",
    "bbox_max_lon",
    "bbox_max_lat",
)
BBOX = ("bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat")
FLOATS = ("nearest_site_km", *BBOX)
BOOLEANS = ("spans_regions", "eligible_population", "eligible_main_town")
TIMESTAMPS = ("created_at", "updated_at")
ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")


def _string(sql: str) -> str:
    return f"COALESCE(CAST(TO_JSON(CAST({sql} AS TEXT)) AS TEXT), 'null')"


def _number(sql: str) -> str:
    # float8out writes the shortest text that reads back as the same double when
    # extra_float_digits ≥ 1 (the default), which `_exact` checks.
    return f"COALESCE(CAST({sql} AS TEXT), 'null')"


def _boolean(sql: str) -> str:
    return f"CASE WHEN {sql} THEN 'true' WHEN NOT {sql} THEN 'false' ELSE 'null' END"


def _two_digits(number: str) -> str:
    return f"LPAD(CAST({number} AS TEXT), 2, '0')"


def _offset_text(offset: dt.timedelta) -> str:
    text = dt.datetime(2000, 1, 1, tzinfo=dt.timezone(offset)).isoformat()[19:]
    return "Z" if text == "+00:00" else text


def _usual_offsets() -> dict[int, str]:
    """The current zone's offsets over this year (seconds → isoformat's text), and zero."""
    zone = timezone.get_current_timezone()
    year = timezone.now().year
    offsets = {dt.datetime(year, month, 1, tzinfo=zone).utcoffset() for month in range(1, 13)}
    return {0: "Z", **{int(o.total_seconds()): _offset_text(o) for o in offsets if o}}


def _offset(seconds: str) -> str:
    """An offset east of UTC in seconds as isoformat ends a timestamp (`Z` for 0, as DRF). The
    zone's usual offsets are matched first, computing `seconds` once."""
    usual = " ".join(f"WHEN {s} THEN '{text}'" for s, text in _usual_offsets().items())
    magnitude = f"ABS({seconds})"
    sign = f"CASE WHEN {seconds} < 0 THEN '-' ELSE '+' END"
    hours_minutes = (
        f"{_two_digits(f'{magnitude} / 3600')} || ':' || {_two_digits(f'{magnitude} %% 3600 / 60')}"
    )
    rest = f"CASE WHEN {magnitude} %% 60 = 0 THEN '' ELSE ':' || {_two_digits(f'{magnitude} %% 60')} END"  # fmt: skip
    return f"CASE {seconds} {usual} ELSE {sign} || {hours_minutes} || {rest} END"


def _stamp(sql: str) -> str:
    """DRF's DateTimeField: the local time in the current zone, microseconds only when not
    zero, and the offset."""
    zone = timezone.get_current_timezone_name()
    if not ZONE_NAME.fullmatch(zone):  # a literal, since the expression repeats it
        raise ValueError(f"unexpected time zone name: {zone!r}")
    local = f"({sql} AT TIME ZONE '{zone}')"
    seconds = f"CAST(EXTRACT(EPOCH FROM {local} - ({sql} AT TIME ZONE 'UTC')) AS INTEGER)"
    text = f"REPLACE(TO_CHAR({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
    return f"CASE WHEN {sql} IS NULL THEN 'null' ELSE '\"' || {text} || {_offset(seconds)} || '\"' END"  # fmt: skip


def _object(pairs: list[tuple[str, str]]) -> str:
    """`{"key":value,...}` from SQL texts that are JSON values (keys: plain ASCII)."""
    parts = [f"'{',' if i else '{'}\"{key}\":' || {value}" for i, (key, value) in enumerate(pairs)]  # fmt: skip
    return "(" + " || ".join(parts) + " || '}')"


def _document(col: dict[str, str], params: list[Any], api_root: str, page_root: str) -> str:
    """The row's document; `col` maps COLUMNS to their compiled SQL, `params` receives the
    parameters in the order of their placeholders (only the URLs take some)."""

    def url(root: str, suffix: str) -> str:
        # The root as the start of a JSON string, escaped here; the database adds the id.
        params.append(orjson.dumps(root).decode()[:-1])
        return f"%s || {col['id']} || '{suffix}\"'"

    town = _object([("code", _string(col["main_town__code"])), ("name", _string(col["main_town__name"]))])  # fmt: skip
    urls = _object(
        [("self", url(api_root, "/")), ("runs", url(api_root, "/runs/")),
         ("indicators", url(api_root, "/indicators/")), ("page", url(page_root, "/"))]
    )  # fmt: skip
    bbox = " || ',' || ".join(_number(col[c]) for c in BBOX)
    return _object(
        [
            ("id", _number(col["id"])),
            ("name", _string(col["name"])),
            ("region", _string(col["region_id"])),
            ("source_kind", _string(col["source_kind"])),
            ("source_codes", f"COALESCE(CAST({col['source_codes']} AS TEXT), 'null')"),
            ("main_town", f"CASE WHEN {col['main_town_id']} IS NULL THEN 'null' ELSE {town} END"),
            ("population", _number(col["population"])),
            ("communes_count", _number(col["communes_count"])),
            ("communes_without_population", _number(col["communes_without_population"])),
            *((name, _boolean(col[name])) for name in BOOLEANS),
            ("nearest_site_km", _number(col["nearest_site_km"])),
            ("geometry_status", _string(col["geometry_status"])),
            *((name, _stamp(col[name])) for name in TIMESTAMPS),
            ("urls", urls),
            (
                "bbox",
                f"CASE WHEN {col['bbox_min_lon']} IS NULL THEN 'null' ELSE '[' || {bbox} || ']' END",
            ),  # fmt: skip
        ]
    )


def _exact(col: dict[str, str]) -> str:
    """Whether float8out writes the row's floats exactly: finite (NaN - NaN and ∞ - ∞ are NaN,
    not 0), and extra_float_digits ≥ 1."""
    finite = " AND ".join(f"({col[c]} IS NULL OR {col[c]} - {col[c]} = 0)" for c in FLOATS)
    return f"{finite} AND CAST(CURRENT_SETTING('extra_float_digits') AS INTEGER) >= 1"


class BasinDocument(Func):
    """The row's document as JSON text, NULL where it could not be written exactly."""

    output_field = TextField()

    def __init__(self, api_root: str, page_root: str) -> None:
        super().__init__(*(F(c) for c in COLUMNS))
        self.api_root, self.page_root = api_root, page_root

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        if any(params for _, params in compiled):
            raise ValueError("basin columns compile without parameters")
        col = dict(zip(COLUMNS, (sql for sql, _ in compiled), strict=True))
        params: list[Any] = []
        document = _document(col, params, self.api_root, self.page_root)
        return f"CASE WHEN {_exact(col)} THEN {document} END", params

    def as_sql(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("basin documents are written by PostgreSQL only")


@dataclass(frozen=True)
class BasinJsonPage:
    """What the paginator asks of a queryset (`count()` and the page's slice), read at once.
    `exact`: every row was written (otherwise shape the page in Python)."""

    rows: list[str | None]
    total: int
    offset: int
    limit: int

    @property
    def exact(self) -> bool:
        return None not in self.rows

    def count(self) -> int:
        return self.total

    def __getitem__(self, item: slice) -> list[str | None]:
        if (item.start, item.stop) != (self.offset, self.offset + self.limit):
            raise IndexError("only the page read can be sliced")
        return self.rows


def basin_json_supported() -> bool:
    return connection.vendor == "postgresql" and settings.USE_TZ


def basin_json_page(
    queryset: QuerySet[Any], *, offset: int, limit: int, api_root: str, page_root: str
) -> BasinJsonPage | None:
    """The page `[offset:offset + limit]` of `queryset` (basins, filtered and ordered), each
    row the JSON text of its document; None where the database does not write them.

    `api_root` / `page_root`: the absolute URLs of the API's basin list and of the basins page,
    which the documents' `urls` extend with the basin's id."""
    if not basin_json_supported():
        return None
    # The total in the same statement: a scalar subquery, computed once (a window would write
    # every row's document before keeping the page's).
    counted, counted_params = queryset.order_by().values("pk").query.sql_with_params()
    rows = queryset.annotate(
        _document=BasinDocument(api_root, page_root),
        _total=RawSQL(f"SELECT COUNT(*) FROM ({counted}) AS counted", counted_params),
    ).values_list("_document", "_total")
    page = list(rows[offset : offset + limit])
    total = page[0][1] if page else queryset.count() if offset else 0
    return BasinJsonPage(rows=[row[0] for row in page], total=total, offset=offset, limit=limit)


def basin_json_documents(
    queryset: QuerySet[Any], *, api_root: str, page_root: str
) -> list[tuple[int, Any, str, str | None]] | None:
    """Each basin of `queryset` as (id, `updated_at`, main town's name or "", its document's
    JSON text or None where it could not be written exactly); None where the database does
    not write them. For the stored documents of the list (`BasinListDocument`)."""
    if not basin_json_supported():
        return None
    rows = queryset.annotate(_document=BasinDocument(api_root, page_root)).values_list(
        "pk", "updated_at", "main_town__name", "_document"
    )
    return [(pk, stamp, town or "", document) for pk, stamp, town, document in rows]
