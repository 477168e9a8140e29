"""The default cache's Redis backend (`cnam_territoires.cache`): Django's, with one Redis client
per connection pool instead of one per call (issue 15, « Load held »: a tenth of a cached API
answer's CPU went to building clients). On a private redis-server, never the shared one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnam_territoires.cache import ReusedClientRedisCache
from tests.integration.processes import RedisServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server absent")
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_reused_client_redis_cache_builds_one_client(redis_url: str) -> None:
    cache = ReusedClientRedisCache(redis_url, {"KEY_PREFIX": "t", "TIMEOUT": 60})

    first = cache._cache.get_client(write=True)
    cache.set("a", {"x": 1})
    assert cache.get("a") == {"x": 1}
    assert cache.add("n", 1) and cache.incr("n") == 2
    cache.delete("a")

    assert cache.get("a") is None
    assert cache._cache.get_client() is first
    assert cache._cache.get_client(write=True) is first


def _settings_with(cache_url: str, name: str) -> str:
    code = f"from cnam_territoires import settings\nprint(getattr(settings, {name!r}, ''))"
    env = {**os.environ, "CACHE_URL": cache_url, "DJANGO_DEMO": "true"}
    env.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_reused_client_redis_cache_is_the_backend_whenever_the_cache_is_redis() -> None:
    backend = _settings_with("redis://127.0.0.1:1/9", "CACHES")

    assert "'BACKEND': 'cnam_territoires.cache.ReusedClientRedisCache'" in backend


def test_sessions_are_cached_only_when_the_cache_is_shared() -> None:
    shared = _settings_with("redis://127.0.0.1:1/9", "SESSION_ENGINE")
    per_process = _settings_with("", "SESSION_ENGINE")

    assert shared == "django.contrib.sessions.backends.cached_db"
    assert per_process == ""  # Django's default: the database
