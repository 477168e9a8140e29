"""CPU per answer of every URL the load bench (`bench/load_mixed.py`) requests, beside a bare
Django view measured in the same run (issue 15, « Load held »).

    DJANGO_DEMO=true PYTHONPATH=. python bench/bench_pages.py --db bench_pages --setup
    DJANGO_DEMO=true PYTHONPATH=. python bench/bench_pages.py --db bench_pages [-n 10]
    DJANGO_DEMO=true PYTHONPATH=. python bench/bench_pages.py --db bench_pages \\
        --profile /diagnostics/3/ --as demo-delegue

On the synthetic demo (`--setup` migrates the database and builds it; `manage.py demo`), with
Django's test client (in process, no network, the whole middleware stack, DEBUG off), each
demo account (regional delegate, national admin, mayor's office, API client by token) requests
the URLs the load bench gives it. Per URL: the first answer after the cache is emptied (cold),
then the median wall time and the mean CPU time (`time.process_time`: this process only, not
PostgreSQL's) of `-n` answers (warm), the queries of one warm answer. The bare view
(/favicon.ico: a redirect through the whole middleware stack, no query) is measured in the
same run, between the URLs, as the reference. The last line is the mean CPU per answer of the
load bench's mix (its users, kinds and weights), warm and cold.

The cache is the project's default cache: per process (locmem) unless CACHE_URL names a Redis
database, which the bench EMPTIES (`cache.clear()`) before each URL: give it a database of its
own. `--profile URL` prints cProfile's top functions (cumulative, in CPU time) of `-n` warm
answers of URL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_DEMO", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="bench_pages", help="Base PostgreSQL (127.0.0.1:5432).")
    parser.add_argument("--setup", action="store_true", help="Migrer et construire la démo.")
    parser.add_argument("-n", type=int, default=10, help="Réponses chaudes par URL.")
    parser.add_argument("--profile", default="", help="URL à profiler (cProfile).")
    parser.add_argument("--as", dest="who", default="demo-delegue", help="Compte du profil.")
    parser.add_argument("--top", type=int, default=45, help="Lignes du profil.")
    parser.add_argument("--sort", default="cumulative", help="Ordre du profil (pstats).")
    parser.add_argument("--json", default="", help="Écrire les mesures dans ce fichier.")
    parser.add_argument("--only", default="", help="Seulement les URL contenant ce texte.")
    return parser.parse_args()


ARGS = parse()
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{ARGS.db}"

if ARGS.setup:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {ARGS.db} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {ARGS.db}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

# The load bench's mix (bench/load_mixed.py): 15 delegates, 15 national admins, 15 mayor's
# offices and 5 API clients; per account, (kind, weight).
MIX = {
    "demo-delegue": (15, [("page", 0.7), ("api", 0.15), ("export", 0.1), ("bare", 0.05)]),
    "demo-admin": (15, [("page", 0.7), ("api", 0.15), ("export", 0.1), ("bare", 0.05)]),
    "demo-mairie": (15, [("page", 0.9), ("bare", 0.1)]),
    "demo-api": (5, [("api", 1.0)]),
}


def urls() -> dict[str, dict[str, list[str]]]:
    """The URLs of each account and kind, as the load bench builds them."""
    from diagnostics.models import Basin, DiagnosticRun, SharedVersion

    basins = list(
        Basin.objects.filter(region__code="99").order_by("pk").values_list("pk", flat=True)
    )
    runs = list(
        DiagnosticRun.objects.filter(status="done", basin_id__in=basins)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    versions = list(
        SharedVersion.objects.filter(recipients__username="demo-mairie")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    pages = ["/", "/bassins/", "/diagnostics/", "/catalogue/", "/implantations/"]
    pages += [f"/bassins/{b}/" for b in basins] + [f"/diagnostics/{r}/" for r in runs]
    pages += [f"/catalogue/bassins/{b}/parcours-prioritaires/" for b in basins[:2]]
    if len(runs) >= 2:
        pages.append(f"/diagnostics/compare/?a={runs[0]}&b={runs[1]}")
    api = ["/api/v1/basins/"] + [f"/api/v1/basins/{b}/" for b in basins]
    api += [f"/api/v1/runs/{r}/" for r in runs] + [f"/api/v1/runs/{r}/tables/" for r in runs[:3]]
    exports = [f"/diagnostics/{r}/export/years.csv" for r in runs[:3]]
    exports += [f"/diagnostics/{r}/export/tout.xlsx" for r in runs[:2]]
    staff = {"page": pages, "api": api, "export": exports}
    mayor = {"page": ["/", "/diagnostics/"] + [f"/partages/{v}/" for v in versions]}
    return {
        "demo-delegue": staff,
        "demo-admin": staff,
        "demo-mairie": mayor,
        "demo-api": {"api": api},
    }


def clients() -> dict[str, Client]:
    from diagnostics.models import User
    from diagnostics.services.tokens import api_token_create, scopes_allowed_for

    out = {}
    for who in ("demo-delegue", "demo-admin", "demo-mairie"):
        client = Client()
        client.force_login(User.objects.get(username=who))
        out[who] = client
    api_user = User.objects.get(username="demo-api")
    key = api_token_create(user=api_user, name=f"bench-pages-{time.time_ns()}", scopes=list(scopes_allowed_for(api_user))).key  # fmt: skip
    out["demo-api"] = Client(HTTP_AUTHORIZATION=f"Token {key}")
    return out


def answer(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code < 400, f"{url} : HTTP {response.status_code}"
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)


def measure(call: Callable[[], None], n: int) -> dict[str, float]:
    cache.clear()
    cpu = time.process_time()
    started = time.perf_counter()
    call()
    cold_wall, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    walls, cpu_total = [], 0.0
    for _ in range(n):
        cpu = time.process_time()
        started = time.perf_counter()
        call()
        walls.append(time.perf_counter() - started)
        cpu_total += time.process_time() - cpu
    return {
        "cold_ms": round(cold_cpu * 1000, 1),
        "cold_wall_ms": round(cold_wall * 1000, 1),
        "wall_ms": round(statistics.median(walls) * 1000, 1),
        "cpu_ms": round(cpu_total / n * 1000, 1),
        "queries": len(queries),
    }


def profile(client: Client, url: str) -> None:
    import cProfile
    import pstats

    answer(client, url)
    # CPU time, not wall time: on a shared machine the waits for the cores would be counted.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(ARGS.n):
        answer(client, url)
    profiler.disable()
    print(f"--- profil : {url} ({ARGS.n} réponses chaudes)")
    pstats.Stats(profiler).sort_stats(ARGS.sort).print_stats(ARGS.top)


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_THROTTLE_RATES = dict.fromkeys(("token", "user", "anon"), "1000000/min")
    if ARGS.setup:
        call_command("migrate", "--noinput", verbosity=0)
        settings.CELERY_TASK_ALWAYS_EAGER = True
        call_command("demo", verbosity=0)
    per_account = urls()
    by_who = clients()
    if ARGS.profile:
        profile(by_who[ARGS.who], ARGS.profile)
        return
    bare = Client()
    backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[1]
    print(f"base {ARGS.db}, cache {backend}, "
          f"{ARGS.n} réponses chaudes par URL, charge {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'compte':<13}{'type':<7}{'URL':<52}{'froid':>8}{'CPU ms':>8}{'mur ms':>8}{'req':>5}"
          f"{'nue ms':>8}")  # fmt: skip
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    bare_cpu: list[float] = []
    done: dict[str, dict[str, float]] = {}
    for who, kinds in per_account.items():
        for kind, url_list in kinds.items():
            for url in url_list:
                if ARGS.only and ARGS.only not in url:
                    continue
                # Delegate and admin share one list: each URL once per account.
                client = by_who[who]
                row = measure(lambda client=client, url=url: answer(client, url), ARGS.n)  # type: ignore[misc]
                ref = measure(lambda: answer(bare, "/favicon.ico"), ARGS.n)
                bare_cpu.append(ref["cpu_ms"])
                results.setdefault(who, {}).setdefault(kind, {})[url] = row
                done[f"{who} {url}"] = row
                print(f"{who:<13}{kind:<7}{url[:51]:<52}{row['cold_ms']:>8}{row['cpu_ms']:>8}"
                      f"{row['wall_ms']:>8}{row['queries']:>5}{ref['cpu_ms']:>8}", flush=True)  # fmt: skip
    bare_ms = statistics.mean(bare_cpu)
    summary = {}
    for which in ("cpu_ms", "cold_ms"):
        total_weight, total_cpu = 0.0, 0.0
        for who, (users, mix) in MIX.items():
            for kind, weight in mix:
                if kind == "bare":
                    mean = bare_ms
                else:
                    rows = results.get(who, {}).get(kind) or {}
                    if not rows:
                        continue
                    mean = statistics.mean(r[which] for r in rows.values())
                total_weight += users * weight
                total_cpu += users * weight * mean
        summary[which] = total_cpu / total_weight
    print(f"\nvue nue : {bare_ms:.1f} ms CPU par réponse (moyenne des {len(bare_cpu)} mesures)")
    for who in results:
        for kind, rows in results[who].items():
            print(f"  {who:<13}{kind:<7} moyenne CPU {statistics.mean(r['cpu_ms'] for r in rows.values()):7.1f} ms"
                  f" (froid {statistics.mean(r['cold_ms'] for r in rows.values()):7.1f} ms)")  # fmt: skip
    print(f"mélange du banc de charge : {summary['cpu_ms']:.1f} ms CPU par réponse (chaud), "
          f"{summary['cold_ms']:.1f} ms (froid) ; vue nue {bare_ms:.1f} ms ; "
          f"charge {os.getloadavg()[0]:.2f}")  # fmt: skip
    if ARGS.json:
        Path(ARGS.json).write_text(
            json.dumps({"bare_cpu_ms": bare_ms, "mix": summary, "urls": done}, indent=1)
        )
    reset_queries()


if __name__ == "__main__":
    main()
