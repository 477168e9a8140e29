"""Benchmark of the API v1 (issue 14), each figure beside its reference measured in the same run.

    DJANGO_DEMO=true python bench/bench_api.py [--requests 300] [--database sqlite|postgres]

1. Indicators of one basin: `GET /api/v1/basins/{id}/indicators/` with a token (authentication,
   scope, throttle, scoping, ETag) against a bare Django view returning the same stored JSON
   (`JsonResponse(run.results)`), both through the whole middleware stack with Django's test
   client (in process, no network): requests per second and p99. Target: ratio ≥ 0.7, p99 < 50 ms.
2. Listing 1,000 basins: every page of `GET /api/v1/basins/?limit=500` against one SELECT of the
   same rows and columns (`cursor.execute` + `fetchall`). Target: ≤ 2×. Measured four times:
   « à froid », every page written again (the cached pages' format version changes before each
   listing, so each page is a miss, then kept) from the basins' stored row documents
   (`BasinListDocument`, good while a basin's `updated_at` and main town's name are the ones
   they were written from); « à froid, documents à réécrire », the stored documents' version
   changing too, so that every row is read, written by the database or Python, and stored
   again (what the first listing after a change of every basin costs); « à chaud », the pages
   read back from the cache (`diagnostics.selectors.basin_list_cache`: same scope, request and
   data). These decode each page's JSON as a client does (to follow `next`); « à froid, sans
   décoder » and « à chaud, sans décoder » read the same two pages without decoding them: the
   server's share.

The database is a fresh test database (SQLite: Django's in-memory test database, whatever the
file named; or PostgreSQL on 127.0.0.1:5432 with trust
authentication: `--database postgres` creates `test_postgres`, or `test_NAME` with
`--postgres-db NAME`), migrated, with the small world
of the tests (`tests.factories.diagnostic_runs.diagnostic_world`, one done diagnostic) and
1,000 basins. Timings are wall-clock medians and p99 over `--requests` requests after a warm-up;
CPU time is reported beside them (the machine may be shared). The loaded objects are frozen out
of the garbage collector once the world is built, as gunicorn's workers do (`--no-gc-freeze`:
not; the client's decoding then pays for full passes over the server's objects, which a client
in its own process would not).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_DEMO", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-db",
        default="postgres",
        help="PostgreSQL database to connect to (the bench creates test_NAME beside it)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile of the API requests (indicators, a basin, a run, the list warm and cold; "
        "top 35)",
    )
    parser.add_argument("--sort", default="cumulative", help="pstats order (cumulative, tottime)")
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="Do not freeze the loaded objects out of the garbage collector (as a gunicorn "
        "worker does, gunicorn.conf.py)",
    )
    return parser.parse_args()


ARGS = parse()
if ARGS.database == "postgres":
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{ARGS.postgres_db}"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench_api.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare_indicators(request: HttpRequest, pk: int) -> JsonResponse:
    """The reference: the stored document, as it is, with nothing else."""
    from diagnostics.models import DiagnosticRun

    run = DiagnosticRun.objects.only("results").get(pk=pk)
    return JsonResponse(run.results)


urlpatterns = [
    path("bench/runs/<int:pk>/", bare_indicators),
    path("", include("cnam_territoires.urls")),
]


def timed(call, n: int) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    for _ in range(min(20, n)):
        call()  # warm-up
    times = []
    cpu = time.process_time()
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times, time.process_time() - cpu


def timed_pair(  # type: ignore[no-untyped-def]
    call_a, call_b, n: int
) -> tuple[tuple[list[float], float], tuple[list[float], float]]:
    """Both measured in the same loop, one request of each in turn: on a shared machine they
    see the same load (measured one after the other, a burst of load on the other processes
    lands on one side only)."""
    for _ in range(min(20, n)):
        call_a()
        call_b()
    times_a: list[float] = []
    times_b: list[float] = []
    cpu_a, cpu_b = 0.0, 0.0
    for _ in range(n):
        for call, times, is_a in ((call_a, times_a, True), (call_b, times_b, False)):
            cpu = time.process_time()
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
            if is_a:
                cpu_a += time.process_time() - cpu
            else:
                cpu_b += time.process_time() - cpu
    return (times_a, cpu_a), (times_b, cpu_b)


def profile(call, n: int, name: str) -> None:  # type: ignore[no-untyped-def]
    import cProfile
    import pstats

    for _ in range(min(20, n)):
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    print(f"--- profil : {name} ({n} requêtes)")
    pstats.Stats(profiler).sort_stats(ARGS.sort).print_stats(35)


def p99(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.99) - 1)]


def describe(name: str, times: list[float], cpu: float) -> str:
    return (
        f"{name:<34} {len(times) / sum(times):8.1f} req/s  médiane {statistics.median(times) * 1000:6.2f} ms"
        f"  p99 {p99(times) * 1000:6.2f} ms  CPU {cpu * 1000 / len(times):6.2f} ms/req"
    )


def main() -> None:
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["*"]
    # The throttle counts (its cost is measured) but never refuses: the bench measures the
    # API, not its 429s.
    settings.API_THROTTLE_RATES = {
        "token": "1000000/min",
        "user": "1000000/min",
        "anon": "1000000/min",
    }
    settings.DEBUG = False
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        run_bench(db_name)
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


def run_bench(db_name: str) -> None:
    from diagnostics.api import basin_rows
    from diagnostics.models import Basin, BasinSource
    from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
    from diagnostics.services.tokens import api_token_create
    from tests.factories.diagnostic_runs import diagnostic_world

    world = diagnostic_world()
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    Basin.objects.bulk_create(
        Basin(
            name=f"Bassin de banc {i:04d}",
            region=world.region,
            source_kind=BasinSource.COMMUNES,
            source_codes=["52004"],
            population=5_000 + i,
            communes_count=1,
        )
        for i in range(999)
    )
    assert Basin.objects.filter(region=world.region).count() == 1000
    key = api_token_create(user=world.delegate, name="banc", scopes=["indicators:read"]).key
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    bare = Client()
    n = ARGS.requests
    print(f"base : {connection.vendor} ({db_name}), {n} requêtes par mesure, "
          f"document du diagnostic : {len(str(run.results)) // 1024} Ko")  # fmt: skip

    if not ARGS.no_gc_freeze:
        # As a production web worker does once the application is loaded (gunicorn.conf.py,
        # post_worker_init): the collector's full passes no longer walk the loaded modules and
        # the world built above (~240,000 objects). Both sides of each comparison run in this
        # process: the client's decoding and the SELECT's rows allocate as much as the pages.
        gc.collect()
        gc.freeze()
    print(f"objets gelés hors du ramasse-miettes : {gc.get_freeze_count()}")
    api_url = f"/api/v1/basins/{world.basin.pk}/indicators/"
    assert client.get(api_url).status_code == 200
    assert bare.get(f"/bench/runs/{run.pk}/").status_code == 200
    if ARGS.profile:
        profile(lambda: client.get(api_url), n, "indicateurs")
        # The slowest API answers of the load bench (bench/load_mixed.py).
        profile(lambda: client.get(f"/api/v1/basins/{world.basin.pk}/"), n, "un bassin")
        profile(lambda: client.get(f"/api/v1/runs/{run.pk}/"), n, "un diagnostic")
        profile(
            lambda: client.get("/api/v1/basins/?limit=500&ordering=id"), max(10, n // 10), "liste"
        )
        cold_versions = iter(range(1_000_000))

        def first_page_cold() -> object:
            settings.API_LIST_CACHE_VERSION = ("profil", next(cold_versions))
            return client.get("/api/v1/basins/?limit=500&ordering=id")

        profile(first_page_cold, max(10, n // 10), "liste à froid (page écrite des documents)")
        return
    (api_times, api_cpu), (bare_times, bare_cpu) = timed_pair(
        lambda: client.get(api_url), lambda: bare.get(f"/bench/runs/{run.pk}/"), n
    )
    print(describe("API indicateurs d'un bassin", api_times, api_cpu))
    print(describe("vue Django nue (même JSON)", bare_times, bare_cpu))
    ratio = (len(api_times) / sum(api_times)) / (len(bare_times) / sum(bare_times))
    print(f"  rapport req/s API / vue nue : {ratio:.2f} (cible ≥ 0,70 ; en CPU : "
          f"{bare_cpu / api_cpu:.2f}) ; p99 API {p99(api_times) * 1000:.1f} ms (cible < 50 ms)")  # fmt: skip

    def list_all() -> int:
        url, rows = "/api/v1/basins/?limit=500&ordering=id", 0
        while url:
            page = client.get(url).json()
            rows += len(page["results"])
            url = page["next"]
        return rows

    columns = [str(f.column) for f in Basin._meta.concrete_fields if f.column != "geometry"]
    sql = f"SELECT {', '.join(columns)} FROM diagnostics_basin WHERE region_id = %s ORDER BY id"

    def one_select() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, [world.region.pk])
            return len(cursor.fetchall())

    assert list_all() == one_select() == 1000
    runs = max(10, n // 10)
    versions = iter(range(1_000_000))

    def list_cold() -> int:
        # A new format version of the cached pages: every page is written (and kept) again.
        settings.API_LIST_CACHE_VERSION = ("banc", next(versions))
        return list_all()

    def list_rewritten() -> int:
        # A new version of the stored row documents too: every row is written again.
        basin_rows.DOCUMENT_VERSION = 1_000_000 + next(versions)
        return list_cold()

    # The pages' URLs as the API links them (the second is the first page's `next`), to list
    # them without decoding each page's JSON on the client's side (~1 ms CPU per 500 rows):
    # the server's share.
    first = "/api/v1/basins/?limit=500&ordering=id"
    pages = [first, client.get(first).json()["next"]]

    def list_undecoded() -> int:
        return sum(len(client.get(url).content) > 0 for url in pages)

    def list_cold_undecoded() -> int:
        settings.API_LIST_CACHE_VERSION = ("banc", next(versions))
        return list_undecoded()

    for name, listing in (
        ("à froid", list_cold),
        ("à froid, documents à réécrire", list_rewritten),
        ("à froid, sans décoder", list_cold_undecoded),
        ("à chaud", list_all),
        ("à chaud, sans décoder", list_undecoded),
    ):
        (list_times, list_cpu), (select_times, select_cpu) = timed_pair(listing, one_select, runs)
        print(
            describe(f"API : 1 000 bassins, {name}", list_times, list_cpu).replace(
                "req/s", "list/s"
            )
        )
        print(
            describe("un SELECT des mêmes lignes", select_times, select_cpu).replace(
                "req/s", "list/s"
            )
        )
        print(f"  rapport API {name} / SELECT : {statistics.median(list_times) / statistics.median(select_times):.2f}× "
              f"(cible ≤ 2× ; en CPU : {list_cpu / select_cpu:.2f}×)")  # fmt: skip


if __name__ == "__main__":
    main()
