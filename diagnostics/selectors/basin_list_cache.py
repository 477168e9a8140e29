"""Cached pages of the basin list (issue 14): a page of `GET /api/v1/basins/` (without
geometry), once written, is kept in the default cache under a key made of everything that
changes the answer, so that the next reader of the same page in the same scope reads it back
instead of writing 500 documents again.

The key (`basin_list_page_key`) holds:

- the reader: a national admin's role (all basins), or a regional delegate's or an API
  client's role and user id (the basins of their regions: one user's pages are never another's);
  other roles are not cached (a mayor's office reads the basins shared with it: its pages are
  written each time);
- the request: scheme and host (the documents' URLs are absolute), the path and its query
  string as sent (filters, ordering, limit and offset: they are in the `next` and `previous`
  links too), and the current time zone (timestamps are written in it);
- the data (`basins_list_stamp`, one query): over the basins the reader may see (their regions
  read at that moment: a region given or taken changes them), their number, the
  sums of their ids and of their squares (a basin deleted and another created keep the number,
  not the sums: new ids are larger) and the latest `updated_at` (every write through the services saves the basin;
  `auto_now` moves it past every other); the last territory load (the main towns' names);
- `settings.API_LIST_CACHE_VERSION` (the documents' format: bumped when it changes).

Not cached: the `commune` filter (a basin's communes may change without its row), geometry.
A stale page is never served: any change of an input changes the key; an old entry ages out
(`PAGE_SECONDS`)."""

from __future__ import annotations

import hashlib
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from diagnostics.models import Basin, TerritoryLoad, User

PAGE_SECONDS = 600
UNCACHED_PARAMS = frozenset({"commune", "geometry"})


def reader_scope(user: User) -> tuple[tuple[Any, ...], str, list[Any]] | None:
    """The reader's part of the key, and the basins it may read as an SQL condition on
    `diagnostics_basin` (alias `b`) with its parameters: all of them for a national admin,
    those of the reader's regions for a regional delegate or an API client (`basin_list_for`'s
    scopes: a test checks they agree). None for a role whose pages are not cached."""
    if not user.is_authenticated:
        return None
    if user.is_national_admin:
        return ("national",), "1 = 1", []
    if user.is_regional_delegate or user.is_api_client:
        through = User.regions.through._meta.db_table
        condition = f"b.region_id IN (SELECT r.region_id FROM {through} r WHERE r.user_id = %s)"
        return (str(user.role), user.pk), condition, [user.pk]
    return None


def basins_list_stamp(condition: str, params: list[Any]) -> tuple[Any, ...]:
    """What changes when a basin the reader may see (`condition`, see `reader_scope`) or a
    main town's name does: the basins' number, the sums of their ids and of the squares of
    their ids, the latest `updated_at`, and the last territory load. One statement, written
    here: the ORM takes longer to build it than the database to run it."""
    basins, loads = Basin._meta.db_table, TerritoryLoad._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(b.id), SUM(CAST(b.id AS BIGINT) * b.id), MAX(b.updated_at), "
            f"(SELECT MAX(t.id) FROM {loads} t) FROM {basins} b WHERE {condition}",
            params,
        )
        row = cursor.fetchone()
    return (*row[:3], str(row[3]), row[4])


class PageKey(NamedTuple):
    """A page's cache key and the number of basins the reader may see, read with the key's
    stamp: a page written on a miss counts them from here (the same number as its key's)."""

    key: str
    total: int


def basin_list_page_key(*, user: User, root: str, full_path: str, params: Any) -> PageKey | None:
    """The cache key of a page of the basin list, None when it is not cached.

    `root`: the absolute URL of the site's root (scheme and host); `full_path`: the request's
    path and query string; `params`: its query parameters."""
    if UNCACHED_PARAMS & set(params):
        return None
    scope = reader_scope(user)
    if scope is None:
        return None
    reader, condition, condition_params = scope
    stamp = basins_list_stamp(condition, condition_params)
    parts = (
        getattr(settings, "API_LIST_CACHE_VERSION", 1),
        reader,
        root,
        full_path,
        timezone.get_current_timezone_name(),
        stamp,
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    return PageKey(f"api:basin-list:{digest}", int(stamp[0]))


def basin_list_page_cached(key: str) -> bytes | None:
    page = cache.get(key)
    return page if isinstance(page, bytes) else None


def basin_list_page_keep(key: str, page: bytes) -> None:
    cache.set(key, page, PAGE_SECONDS)
