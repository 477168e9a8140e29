"""The default cache's Redis backend: Django's, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every operation, and
redis-py 5+ fills a table of ~170 response callbacks in each constructor: ~0.1 ms of CPU per
cache call, four calls or more per API answer (token, throttle window and counter, the cached
page) — about a tenth of a cached API answer's CPU (issue 15, « Load held », measured with
`bench/bench_pages.py --profile`). A `redis.Redis` holds no connection of its own (it takes one
from the pool for each command), so one per pool is enough. Django keeps a cache object per
thread, so each thread keeps its own clients too.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # the private helpers are not in django-stubs
        pool = django_client._get_connection_pool(write)  # kept for the client's lifetime
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = django_client._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with `ReusedRedisCacheClient`."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
