"""Load held: 50 users browsing reports, the API and exports for two minutes while a batch of
diagnostics runs, on the production stack — gunicorn (web: 2 workers, api: 1) + PostgreSQL + Redis + a Celery
worker — all on 127.0.0.1, bounded in time. A bare Django view (/favicon.ico: a redirect through
the whole middleware stack, no query) is measured in the same run as the reference.

Targets (issue 15): zero errors, p99 page < 1 s, p99 API < 200 ms.

    PYTHONPATH=. DJANGO_DEMO=true .venv/bin/python bench/load_mixed.py            # defaults
    .venv/bin/python bench/load_mixed.py --users 50 --seconds 120 --port 8106 \\
        --pg postgres://postgres@127.0.0.1:5432/postgres --redis redis://127.0.0.1:6379/15

gunicorn runs with the production configuration (gunicorn.conf.py: gthread, its threads and
switch interval; --threads and --switch-interval-ms override them), as docker-compose.yml runs
it: a gunicorn of 2 workers for the pages, exports and the bare view (service web, --workers;
--web-niceness N lowers its CPU priority), and a gunicorn of 1 worker on --port + 2 for the
API's answers (service api, --api-workers; 0: one gunicorn for everything, the configuration
before 2026-12-07). What it does: creates a database of its own
(`bench_load`, dropped at the end unless --keep; --template NAME copies a demo built before
instead of migrating and building it again); migrates it and builds the synthetic demo; fills
the pages' cached fragments as a deployment does once its data is loaded (`manage.py
warm_pages --references`; --cold leaves them to the first readers); starts gunicorn and a Celery worker on it
(the worker at WORKER_NICENESS, the setting's default unless --worker-niceness: readers before
batches); logs in each virtual user (demo accounts: delegate, mayor, national admin; API client
by token); then for --seconds each user loops over a weighted mix — report pages (home, basin
lists and pages, diagnostic reports, comparison, catalogue, planning), API answers (basins,
runs, tables, gap) and exports (CSV, XLSX) — with 0.2–1 s of think time, while the national
batches of two zonings run on the worker and a feeder asks for the diagnostic of every demo
basin every 10 s (up to date: no new computation). Every answer other than 2xx/3xx, and every
exception, is an error. --cache URL gives the server a cache of its own (emptied at the start;
by default the broker's Redis database + 1, as in production). The users all start in the same
instant (`--ramp-seconds N`: one after the other over N seconds instead).

Results: a table on stdout and var/bench/load_mixed.json (or --json PATH): latencies per kind (p50/p95/p99/max),
each kind's p99 over the bare view's, throughput, errors, the load average before/after, the CPU
seconds (and per answer) of gunicorn, the worker, PostgreSQL's backends of the bench's database
and the load generator itself; when the national batches were done, the p99 while they ran and
after; the URLs (digits as N) of the slowest 1 % of pages, API answers and exports.

Comparing two gunicorn configurations on a machine shared with other work: two runs one after
the other meet different loads. `--versus THREADS:SWITCH_MS` serves the same application,
database, cache and worker with a second gunicorn (on --port + 1, that configuration) and the
users move from one server to the other every 10 s: the second's kinds are suffixed @B, and the
p95 of each server in each pair of neighbouring slots (about the same machine load) says in how
many pairs B was better.

    .venv/bin/python bench/load_mixed.py --threads 4 --switch-interval-ms 5 --versus 8:1 …

`--versus-env NAME=VALUE` sets a variable of the second server only (the same configuration
otherwise: `--versus 8:1 --versus-env GUNICORN_GC_FREEZE=false`). `--versus-workers N` gives it
N workers; `--versus-api-only` sends it only the API answers of its slots (pages, exports and
the bare view stay on the first server): the API served by a pool of its own (`api@B`) against
the API served among the pages (`api`), under the same page load.

The bench is split by what each part does: bench/load_stack.py (database, environment, gunicorn,
worker, CPU from /proc), bench/load_traffic.py (the virtual users, the probe, the feeder),
bench/load_client.py (a user's HTTP session, the latencies), bench/load_report.py (the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_report import report  # noqa: E402 - the bench's own modules, beside this file
from load_stack import (  # noqa: E402
    LOGS,
    ROOT,
    api_token,
    children_cpu,
    cpu_seconds,
    database_drop,
    database_prepare,
    demo_ids,
    gunicorn_start,
    national_batches_start,
    pages_warm,
    postgres_cpu,
    processes_stop,
    state_at_end,
    wait_ready,
    worker_start,
)
from load_traffic import Traffic  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="bench_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--keep", action="store_true", help="Garder la base à la fin.")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="Fils par worker gunicorn (par défaut ceux de gunicorn.conf.py).",
    )
    parser.add_argument(
        "--switch-interval-ms",
        type=float,
        default=None,
        help="sys.setswitchinterval des workers gunicorn, en ms (par défaut celui de "
        "gunicorn.conf.py).",
    )
    parser.add_argument(
        "--no-national", action="store_true", help="Sans les lots nationaux pendant la charge."
    )
    parser.add_argument(
        "--ramp-seconds",
        type=float,
        default=0.0,
        help="Les utilisateurs démarrent l'un après l'autre sur cette durée (0 : tous à la fois, "
        "la méthode du banc).",
    )
    parser.add_argument(
        "--cache",
        default="",
        help="CACHE_URL du serveur (vidé au départ) ; par défaut celui des réglages "
        "(la base Redis du broker + 1).",
    )
    parser.add_argument(
        "--worker-niceness",
        type=int,
        default=None,
        help="WORKER_NICENESS du worker (par défaut celui des réglages).",
    )
    parser.add_argument(
        "--template",
        default="",
        help="Base PostgreSQL modèle : copiée au départ si elle existe (ni migrations ni "
        "démo), sinon faite de la démo construite (à supprimer quand les migrations changent).",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="Sans `manage.py warm_pages` avant la charge : les fragments se remplissent "
        "pendant la charge.",
    )
    parser.add_argument(
        "--versus",
        default="",
        metavar="THREADS:SWITCH_MS",
        help="Comparer à une 2e configuration de gunicorn (fils:intervalle en ms), servie sur "
        "--port + 1 : les utilisateurs passent d'un serveur à l'autre toutes les 10 s (types "
        "suffixés @B), à charge de la machine égale.",
    )
    parser.add_argument(
        "--versus-workers",
        type=int,
        default=2,
        help="Avec --versus : nombre de workers du 2e gunicorn (2 par défaut).",
    )
    parser.add_argument(
        "--versus-api-only",
        action="store_true",
        help="Avec --versus : dans ses créneaux, le 2e gunicorn ne sert que l'API (un pool à "
        "part pour l'API) ; pages, exports et vue nue restent sur le 1er.",
    )
    parser.add_argument(
        "--versus-env",
        action="append",
        default=[],
        metavar="NOM=VALEUR",
        help="Avec --versus : variable d'environnement du 2e gunicorn seulement (répétable), "
        "ex. GUNICORN_GC_FREEZE=false.",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="Workers du gunicorn des pages (service web de docker-compose.yml).",
    )
    parser.add_argument(
        "--web-niceness",
        type=int,
        default=0,
        help="GUNICORN_NICENESS du gunicorn des pages seulement (0 : comme docker-compose.yml) ; "
        "au-dessus, l'API passe avant les rendus quand les cœurs sont pris (essayé à 2 et 5 : "
        "docs/architecture.md, « Load »).",
    )
    parser.add_argument(
        "--api-workers",
        type=int,
        default=1,
        help="Le gunicorn de l'API (service api de docker-compose.yml), de N workers, sur "
        "--port + 2 : les réponses de l'API y vont, comme le mandataire inverse envoie /api/ "
        "à son service ; 0 : un seul serveur pour tout (la configuration d'avant).",
    )
    parser.add_argument(
        "--json",
        default="",
        help="Fichier des résultats (par défaut var/bench/load_mixed.json).",
    )
    return parser.parse_args()


def main() -> None:
    args = arguments()
    env, _ = database_prepare(args)
    token = api_token(env)
    ids = demo_ids(env)
    warm_seconds = None if args.cold else pages_warm(env)

    # The production configuration (gunicorn.conf.py: gthread, threads, switch interval),
    # with the bench's address and the 2 workers.
    gunicorn_env = dict(env)
    if args.switch_interval_ms is not None:
        gunicorn_env["GUNICORN_SWITCH_INTERVAL_MS"] = str(args.switch_interval_ms)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    server: dict[str, object] = {
        "threads": args.threads or conf["threads"],
        "switch_interval_ms": args.switch_interval_ms
        if args.switch_interval_ms is not None
        else conf["switch_interval_ms"],
    }
    server["workers"] = args.workers
    if args.api_workers:
        server["api_workers"] = args.api_workers
    threads_option = ["--threads", str(args.threads)] if args.threads else []
    web_env = dict(gunicorn_env)
    if args.api_workers and args.web_niceness:  # one gunicorn: nothing to rank it against
        web_env["GUNICORN_NICENESS"] = str(args.web_niceness)
        server["web_niceness"] = args.web_niceness
    print(f"gunicorn : {server}", flush=True)
    servers = [gunicorn_start(args.port, threads_option, web_env, workers=args.workers)]
    ports = [args.port]
    # --versus: the same application, database, cache and worker, another configuration; the
    # users alternate between the two every SLOT seconds, so both meet the same machine load.
    if args.versus:
        versus_threads, _, versus_switch = args.versus.partition(":")
        server["versus"] = {
            "threads": int(versus_threads),
            "switch_interval_ms": float(versus_switch),
        }
        versus_env = dict(item.split("=", 1) for item in args.versus_env)
        if versus_env:
            server["versus"]["env"] = versus_env  # type: ignore[index]
        server["versus"]["workers"] = args.versus_workers  # type: ignore[index]
        server["versus"]["api_only"] = args.versus_api_only  # type: ignore[index]
        print(f"comparée à (@B) : {server['versus']}", flush=True)
        ports.append(args.port + 1)
        servers.append(
            gunicorn_start(
                args.port + 1,
                ["--threads", versus_threads],
                {**env, "GUNICORN_SWITCH_INTERVAL_MS": versus_switch, **versus_env},
                workers=args.versus_workers,
            )
        )
    api_port = None
    if args.api_workers:
        api_port = args.port + 2
        servers.append(
            gunicorn_start(api_port, threads_option, gunicorn_env, workers=args.api_workers)
        )
    worker = worker_start(args.port, env)
    try:
        wait_ready(ports + ([api_port] if api_port else []))
        traffic = Traffic(
            ports=ports,
            token=token,
            basins=ids["basins"],
            runs=ids["runs"],
            versions=ids["versions"],
            api_only_b=bool(args.versus) and args.versus_api_only,
            ramp_seconds=args.ramp_seconds,
            api_port=api_port,
        )
        load_before = os.getloadavg()
        cpu_before = {
            "gunicorn": cpu_seconds(servers[0].pid),
            "gunicorn_b": sum(cpu_seconds(p.pid) for p in servers[1:]),
            "worker": cpu_seconds(worker.pid),
            "load_generator": time.process_time(),
        }
        pg_before = postgres_cpu(args.db)
        workers_before = children_cpu(servers[0].pid)
        traffic.log_in()
        print(f"{args.users} utilisateurs pendant {args.seconds} s…", flush=True)
        load_started = time.time()
        # The national batches (issue 15: « while a national batch runs »): the demo computed
        # the zones d'emploi; the bassins BMO and the EPCI of the synthetic region are sent to
        # the worker now, in chunks, as `diagnostic_run --all` does.
        national = national_batches_start(() if args.no_national else ("bassin_bmo", "epci"), env)
        traffic.run(args.users, args.seconds)
        load_after = os.getloadavg()
        national_out = [
            (proc.communicate(timeout=120)[0] or "").strip().splitlines()[:2] for proc in national
        ]
        pg_after = postgres_cpu(args.db)
        # Each gunicorn worker's share: a keep-alive connection stays with the worker that
        # accepted it, so the load can sit on one worker (one core at most: the interpreter
        # lock) while the other idles.
        workers_cpu = [
            round(t - workers_before.get(pid, 0.0), 1)
            for pid, t in sorted(children_cpu(servers[0].pid).items())
        ]
        cpu = {
            "gunicorn": round(cpu_seconds(servers[0].pid) - cpu_before["gunicorn"], 1),
            "gunicorn_b": round(
                sum(cpu_seconds(p.pid) for p in servers[1:]) - cpu_before["gunicorn_b"], 1
            ),
            # Backends open at the end (gunicorn and the worker keep their connections).
            "postgres": round(sum(t - pg_before.get(pid, 0.0) for pid, t in pg_after.items()), 1),
            "worker": round(cpu_seconds(worker.pid) - cpu_before["worker"], 1),
            # The load generator shares the cores: its own cost, beside the server's.
            "load_generator": round(time.process_time() - cpu_before["load_generator"], 1),
        }
        at_end = state_at_end(env)
    finally:
        processes_stop([*servers, worker])
        if not args.keep:
            database_drop(args)

    result = report(
        args,
        traffic,
        at_end=at_end,
        load_started=load_started,
        load_before=load_before,
        load_after=load_after,
        cpu=cpu,
        national_out=national_out,
        workers_cpu=workers_cpu,
        warm_seconds=warm_seconds,
        server=server,
    )
    Path(args.json or LOGS / "load_mixed.json").write_text(
        json.dumps(result, indent=1, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
