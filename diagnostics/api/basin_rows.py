"""The basin list's rows shaped in Python (issue 14), where the database does not build them
(`diagnostics.selectors.basin_json`): the same document as `BasinOutputSerializer` without
geometry, from the raw rows, without a model instance and a serializer per row."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from typing import Any

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import F, Func, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from diagnostics.api.prerendered import prerendered_fast
from diagnostics.selectors.basin_json import COLUMNS

# The columns the documents are made of (basin_json's, but the town's key: its code says it).
LIST_FIELDS = [column for column in COLUMNS if column != "main_town_id"]


class _DriverText(Func):
    """A column as the driver reads it without conversion: on SQLite, an expression (a column
    has a declared type, and the connection converts `datetime` and `bool` values in Python,
    ~1 µs each: timestamps stay text, booleans integers); elsewhere the column itself."""

    def __init__(self, column: str, cast: str) -> None:
        super().__init__(F(column))
        self.cast = cast

    def as_sql(self, compiler: Any, *args: Any, **kwargs: Any) -> Any:
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} AS {self.cast})", params


def basin_list_values(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset.values_list(*LIST_FIELDS)`, read without the driver's conversions where it
    has some (SQLite): `basin_rows` takes timestamps as text and booleans as integers."""
    from diagnostics.selectors.basin_json import BOOLEANS, TIMESTAMPS

    casts = {**dict.fromkeys(TIMESTAMPS, "TEXT"), **dict.fromkeys(BOOLEANS, "INTEGER")}
    columns = {f"_{name}": _DriverText(name, cast) for name, cast in casts.items()}
    return queryset.annotate(**columns).values_list(
        *(f"_{name}" if name in casts else name for name in LIST_FIELDS)
    )


class RawRows:
    """The rows of a `values_list` queryset as the database driver returns them, for the
    paginator (`count()` and slicing): no Django converter per value — `basin_rows` converts
    the few columns that need it (timestamps, booleans, JSON) itself, several times faster."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, item: slice) -> list[tuple[Any, ...]]:
        sql, params = self.queryset[item].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


class RawPage:
    """The page `[offset:offset + limit]` of a `values_list` queryset and the queryset's total,
    read in one statement (the total as a scalar subquery, computed once), as the driver
    returns them; what the paginator asks (`count()` and that slice). A page past the end
    counts apart."""

    def __init__(self, queryset: QuerySet[Any], *, offset: int, limit: int) -> None:
        counted, counted_params = queryset.order_by().values("pk").query.sql_with_params()
        total = RawSQL(f"SELECT COUNT(*) FROM ({counted}) AS counted", counted_params)
        sliced = queryset.annotate(_total=total)[offset : offset + limit]
        sql, params = sliced.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        self.rows = [row[:-1] for row in fetched]
        self.total = fetched[0][-1] if fetched else queryset.count() if offset else 0
        self.offset, self.limit = offset, limit

    def count(self) -> int:
        return int(self.total)

    def __getitem__(self, item: slice) -> list[tuple[Any, ...]]:
        if (item.start, item.stop) != (self.offset, self.offset + self.limit):
            raise IndexError("only the page read can be sliced")
        return self.rows


def finite_row(row: dict[str, Any]) -> bool:
    numbers = [row["nearest_site_km"], *(row["bbox"] or ())]
    return all(math.isfinite(v) for v in numbers if isinstance(v, float))


def _json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _boolean(value: Any) -> bool | None:
    return None if value is None else bool(value)


HOUR_END = dt.timedelta(minutes=59, seconds=59, microseconds=999_999)


def basin_rows(
    request: Any, rows: Any, *, for_orjson: bool = False, roots: tuple[str, str] | None = None
) -> list[dict[str, Any]]:
    """BasinOutputSerializer's document (without geometry) from the raw LIST_FIELDS tuples.

    `for_orjson`: for `prerendered_fast` — the stored JSON of `source_codes` is passed through
    as it is (an orjson Fragment, not parsed) and timestamps stay datetimes in the current
    zone's offset, which orjson writes as DateTimeField.to_representation does. `roots`: the
    URLs of the API's basin list and of the basins page that `urls` extend (default: the
    request's, absolute)."""
    zone = timezone.get_current_timezone()
    # The current zone's offset per quarter of an hour (offsets change on a quarter at most):
    # converting to a fixed offset is several times cheaper than through the zone's rules.
    offsets: dict[dt.datetime, dt.tzinfo] = {}
    # Text timestamps (SQLite: « YYYY-MM-DD HH:MM:SS[.ffffff] » in UTC) per hour: the local
    # date and hour, and the offset, when the zone keeps one whole-hour offset over that hour
    # (then the minutes, seconds and microseconds are the UTC text's).
    hours: dict[str, tuple[str, str] | None] = {}

    def local(value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        quarter = value.replace(minute=value.minute // 15 * 15, second=0, microsecond=0)
        fixed = offsets.get(quarter)
        if fixed is None:
            offset = quarter.astimezone(zone).utcoffset() or dt.timedelta(0)
            fixed = offsets[quarter] = dt.timezone(offset)
        return value.astimezone(fixed)

    def hour_of(text: str) -> tuple[str, str] | None:
        start = dt.datetime.fromisoformat(text[:13] + ":00:00").replace(tzinfo=dt.UTC)
        first, last = start.astimezone(zone), (start + HOUR_END).astimezone(zone)
        offset = first.utcoffset() or dt.timedelta(0)
        if offset != last.utcoffset() or offset.total_seconds() % 3600:
            return None
        stamp = first.isoformat()
        return stamp[:13], "Z" if not offset else stamp[-6:]

    def as_datetime(value: Any) -> str | None:
        # DateTimeField.to_representation's output, from the driver's value.
        if value is None:
            return None
        if isinstance(value, str):
            if len(value) in (19, 26) and value[10] == " ":
                hour = value[:13]
                if hour not in hours:
                    hours[hour] = hour_of(value)
                known = hours[hour]
                if known is not None:
                    return known[0] + value[13:] + known[1]
            value = dt.datetime.fromisoformat(value)
        moved = local(value)
        if for_orjson:
            return moved  # type: ignore[return-value]
        text = moved.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def codes(value: Any) -> Any:
        if for_orjson and isinstance(value, (str, bytes)):
            return orjson.Fragment(value)
        return _json_value(value)

    if roots is None:
        roots = (
            request.build_absolute_uri(reverse("api-basin-list")),
            request.build_absolute_uri(reverse("basin-list")),
        )
    api_root, page_root = roots
    out = []
    for (
        pk,
        name,
        region,
        source_kind,
        source_codes,
        town_code,
        town_name,
        population,
        communes_count,
        without_population,
        spans_regions,
        eligible_population,
        eligible_main_town,
        nearest_site_km,
        geometry_status,
        created_at,
        updated_at,
        min_lon,
        min_lat,
        max_lon,
        max_lat,
    ) in rows:
        out.append(
            {
                "id": pk,
                "name": name,
                "region": region,
                "source_kind": source_kind,
                "source_codes": codes(source_codes),
                "main_town": {"code": town_code, "name": town_name} if town_code else None,
                "population": population,
                "communes_count": communes_count,
                "communes_without_population": without_population,
                "spans_regions": _boolean(spans_regions),
                "eligible_population": _boolean(eligible_population),
                "eligible_main_town": _boolean(eligible_main_town),
                "nearest_site_km": nearest_site_km,
                "geometry_status": geometry_status,
                "created_at": as_datetime(created_at),
                "updated_at": as_datetime(updated_at),
                "urls": {
                    "self": f"{api_root}{pk}/",
                    "runs": f"{api_root}{pk}/runs/",
                    "indicators": f"{api_root}{pk}/indicators/",
                    "page": f"{page_root}{pk}/",
                },
                "bbox": [min_lon, min_lat, max_lon, max_lat] if min_lon is not None else None,
            }
        )
    return out


# --- Stored row documents (`BasinListDocument`) ----------------------------------------------

# Bumped whenever a document's keys, values or their writing change: every stored document is
# then written again at its next read.
DOCUMENT_VERSION = 1
_STAMP = LIST_FIELDS.index("updated_at")
_TOWN = LIST_FIELDS.index("main_town__name")


def basin_document_key() -> str:
    """What a stored document is written for besides its basin's row: the documents' version
    and the time zone of its timestamps."""
    parts = (DOCUMENT_VERSION, settings.USE_TZ, timezone.get_current_timezone_name())
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def basin_document_parts(document: str) -> tuple[str, str]:
    """A document's JSON text without its `urls` (they name the request's scheme and host):
    what comes before them and what comes after (from `,"bbox":`). Each start is found once:
    a quote inside a JSON string is escaped. U+2028 / U+2029 escaped as DRF does (PostgreSQL
    leaves them): a page of stored documents is written without scanning them again."""
    if "\u2028" in document or "\u2029" in document:
        document = document.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    start = document.index(',"urls":{')
    end = document.index('},"bbox":', start)
    return document[:start], document[end + 1 :]


def basin_documents(rows: Any) -> list[tuple[int, Any, str, str, str]] | None:
    """The stored documents of the raw LIST_FIELDS tuples `rows` (`basin_list_values`), as
    `prerendered_fast` writes them: (id, `updated_at` as read, main town's name or "", head,
    tail). None if a row holds a non-finite number (the API then answers the 400 that names
    it)."""
    rows = list(rows)
    shaped = basin_rows(None, rows, for_orjson=True, roots=("", ""))
    if not all(finite_row(row) for row in shaped):
        return None
    return [
        (row[0], row[_STAMP], row[_TOWN] or "", *basin_document_parts(prerendered_fast(document).decode()))
        for row, document in zip(rows, shaped, strict=True)
    ]  # fmt: skip
