"""A page of the basin list read from the stored row documents (issue 14, `BasinListDocument`).

One statement reads, for the page `[offset:offset + limit]` of a filtered and ordered queryset of
basins, each basin's id and its stored document where it is still good (the basin's
`updated_at` is the document's stamp, its main town's name the document's town, and the format
key the caller's), NULL otherwise, and the queryset's total (a scalar subquery, computed once).
Each document is stored without its URLs (they name the request's scheme and host): its head,
its URLs and its tail are joined here.
The caller writes the NULL rows again (`diagnostics.api.basin_rows`) and stores them
(`diagnostics.services.basin_documents`): a page read twice is read as stored JSON, whatever
the reader, the filter or the order, and a basin changed since is the only row written again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection
from django.db.models import F, Func, IntegerField, QuerySet
from django.db.models.expressions import RawSQL

from diagnostics.models import Basin, BasinListDocument, Commune


@dataclass
class StoredPage:
    """What the paginator asks of a queryset (`count()` and the page's slice), read at once:
    the page's basin ids and their stored documents (None: to write again)."""

    ids: list[int]
    documents: list[str | None]
    total: int
    offset: int
    limit: int

    @property
    def stale(self) -> list[int]:
        return [
            pk for pk, document in zip(self.ids, self.documents, strict=True) if document is None
        ]

    def count(self) -> int:
        return self.total

    def __getitem__(self, item: slice) -> list[str | None]:
        if (item.start, item.stop) != (self.offset, self.offset + self.limit):
            raise IndexError("only the page read can be sliced")
        return self.documents


class DocumentGood(Func):
    """1 while the basin's stored document is good for `key` (its stamp is the basin's
    `updated_at`, its town the main town's name, its key `key`), else 0, also without one (the
    join is a LEFT OUTER one). Written out: a Case of Q objects takes the ORM ~0.4 ms more to
    build, a fifth of the page's cost."""

    output_field = IntegerField()

    def __init__(self, key: str) -> None:
        super().__init__(
            F("list_document__stamp"), F("updated_at"), F("list_document__key"),
            F("list_document__town"), F("main_town__name"),
        )  # fmt: skip
        self.key = key

    def as_sql(self, compiler: Any, *args: Any, **kwargs: Any) -> Any:
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        if any(params for _, params in compiled):
            raise ValueError("document columns compile without parameters")
        stamp, updated, key, town, name = (sql for sql, _ in compiled)
        return (
            f"CASE WHEN {stamp} = {updated} AND {key} = %s AND {town} = COALESCE({name}, '') "
            "THEN 1 ELSE 0 END",
            [self.key],
        )


def document_join(pk: int, head: str, tail: str, *, api: str, page: str) -> str:
    """A stored document's head, its URLs (`api` and `page`: the roots as the inside of a JSON
    string, extended with the id) and its tail. Joined here: ~2 times faster than by SQLite."""
    urls = (
        f'"self":"{api}{pk}/","runs":"{api}{pk}/runs/",'
        f'"indicators":"{api}{pk}/indicators/","page":"{page}{pk}/"'
    )
    return f'{head},"urls":{{{urls}}}{tail}'


def json_inside(text: str) -> str:
    """`text` as the inside of a JSON string."""
    return orjson.dumps(text).decode()[1:-1]


def _stored_page(
    fetched: list[Any], *, total: int, offset: int, limit: int, api_root: str, page_root: str
) -> StoredPage:
    api, page = json_inside(api_root), json_inside(page_root)
    return StoredPage(
        ids=[row[0] for row in fetched],
        documents=[
            document_join(pk, head, tail, api=api, page=page) if good else None
            for pk, good, head, tail, _ in fetched
        ],
        total=int(total),
        offset=offset,
        limit=limit,
    )


def _fetch(sql: str, params: Any) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def basin_documents_page(
    queryset: QuerySet[Any], *, key: str, offset: int, limit: int, api_root: str, page_root: str
) -> StoredPage:
    """The page `[offset:offset + limit]` of `queryset` (basins, filtered and ordered): ids,
    stored documents good for `key` (else None) with their URLs extending `api_root` and
    `page_root` (absolute: the request's), and the total. A page past the end counts apart."""
    counted, counted_params = queryset.order_by().values("pk").query.sql_with_params()
    rows = queryset.annotate(
        _good=DocumentGood(key),
        _head=F("list_document__head"),
        _tail=F("list_document__tail"),
        _total=RawSQL(f"SELECT COUNT(*) FROM ({counted}) AS counted", counted_params),
    ).values_list("pk", "_good", "_head", "_tail", "_total")[offset : offset + limit]
    fetched = _fetch(*rows.query.sql_with_params())
    total = fetched[0][4] if fetched else queryset.count() if offset else 0
    return _stored_page(
        fetched, total=total, offset=offset, limit=limit, api_root=api_root, page_root=page_root
    )


# The ordering filter's names that are not the column's (`pk`: its last tiebreaker).
_COLUMN_OF = {"pk": "id"}


def basin_documents_page_in_scope(
    *, condition: str, params: list[Any], ordering: list[str], key: str, offset: int,
    limit: int, api_root: str, page_root: str, total: int | None = None,
) -> StoredPage:  # fmt: skip
    """`basin_documents_page` of the basins a reader may see, unfiltered, in one statement
    written here: `condition` on `diagnostics_basin` (alias `b`) with its `params`
    (`basin_list_cache.reader_scope`: a test checks it is `basin_list_for`'s), `ordering` the
    list's (basin columns, « - » for descending, as the ordering filter checked them). The ORM
    takes ~0.8 ms per page to build the same statement, a quarter of a page's cost.

    The basins are sorted and sliced without their documents (a subquery of the columns the
    order and the check need), then only the page's rows are joined to their documents and
    sorted again: sorting every basin of the scope with its document (~0.6 KB each) took
    SQLite ~0.3 ms more per page of 500. `total`: the basins' number when the caller has just
    counted them (`basin_list_cache.PageKey`): the statement does not count them again."""
    quote = connection.ops.quote_name
    columns = [
        (quote(_COLUMN_OF.get(field.lstrip("-"), field.lstrip("-"))), field.startswith("-"))
        for field in ordering
    ]
    inner_order = ", ".join(f"b.{c} {'DESC' if desc else 'ASC'}" for c, desc in columns)
    outer_order = ", ".join(f"p.{c} {'DESC' if desc else 'ASC'}" for c, desc in columns)
    pk, stamp, town = (quote(name) for name in ("id", "updated_at", "main_town_id"))
    selected = ", ".join(
        f"b.{c}" for c in dict.fromkeys([pk, stamp, town, *(c for c, _ in columns)])
    )
    basins, documents = Basin._meta.db_table, BasinListDocument._meta.db_table
    communes = Commune._meta.db_table
    key_column = quote("key")
    page = (
        f"SELECT {selected} FROM {basins} b WHERE {condition} "
        f"ORDER BY {inner_order} LIMIT %s OFFSET %s"
    )
    counted = "" if total is not None else f"(SELECT COUNT(*) FROM {basins} b WHERE {condition})"
    sql = (
        f"SELECT p.{pk}, CASE WHEN d.stamp = p.{stamp} AND d.{key_column} = %s "
        "AND d.town = COALESCE(c.name, '') THEN 1 ELSE 0 END, d.head, d.tail, "
        f"{counted or 'NULL'} "
        f"FROM ({page}) p LEFT OUTER JOIN {documents} d ON d.basin_id = p.{pk} "
        f"LEFT OUTER JOIN {communes} c ON c.code = p.{town} ORDER BY {outer_order}"
    )
    count_params = params if counted else []
    fetched = _fetch(sql, [key, *count_params, *params, limit, offset])
    if total is None and (fetched or not offset):
        total = fetched[0][4] if fetched else 0
    elif total is None:
        total = _fetch(f"SELECT COUNT(*) FROM {basins} b WHERE {condition}", params)[0][0]
    return _stored_page(
        fetched, total=total, offset=offset, limit=limit, api_root=api_root, page_root=page_root
    )
