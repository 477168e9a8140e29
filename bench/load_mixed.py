"""Load held: 50 users browsing reports, the API and exports for two minutes while a batch of
diagnostics runs, on the production stack — gunicorn (2 workers) + PostgreSQL + Redis + a Celery
worker — all on 127.0.0.1, bounded in time. A bare Django view (/favicon.ico: a redirect through
the whole middleware stack, no query) is measured in the same run as the reference.

Targets (issue 15): zero errors, p99 page < 1 s, p99 API < 200 ms.

    PYTHONPATH=. DJANGO_DEMO=true .venv/bin/python bench/load_mixed.py            # defaults
    .venv/bin/python bench/load_mixed.py --users 50 --seconds 120 --port 8106 \\
        --pg postgres://postgres@127.0.0.1:5432/postgres --redis redis://127.0.0.1:6379/15

gunicorn runs with the production configuration (gunicorn.conf.py: gthread, its threads and
switch interval; --threads and --switch-interval-ms override them) and 2 workers. What it does: creates a database of its own
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
by default the broker's Redis database + 1, as in production).

Results: a table on stdout and var/bench/load_mixed.json (or --json PATH): latencies per kind (p50/p95/p99/max),
each kind's p99 over the bare view's, throughput, errors, the load average before/after, the CPU
seconds (and per answer) of gunicorn, the worker, PostgreSQL's backends of the bench's database
and the load generator itself; when the national batches were done, the p99 while they ran and
after; the URLs (digits as N) of the slowest 1 % of pages, API answers and exports.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import runpy
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SLOT = 10  # --versus: seconds on one server before the users move to the other
PASSWORD = "territoires-demo-2026"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def url_pattern(url: str) -> str:
    """/diagnostics/12/export/years.csv -> /diagnostics/N/export/years.csv: one line per page."""
    return re.sub(r"\d+", "N", url.split("?", 1)[0])


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # Every answer: (seconds since the start, kind, URL pattern, seconds).
    answers: list[tuple[float, str, str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None = None, url: str = "") -> None:
        at = time.monotonic() - self.started - seconds
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            self.answers.append((at, kind, url_pattern(url), seconds))
            if error:
                self.errors.append(f"{kind}: {error}")

    def slowest(self, kind: str, share: float = 0.01) -> dict[str, int]:
        """Which URL patterns make the slowest `share` of the answers of `kind` (where p99
        comes from)."""
        rows = sorted((a for a in self.answers if a[1] == kind), key=lambda a: -a[3])
        top = rows[: max(1, round(len(rows) * share))] if rows else []
        out: dict[str, int] = {}
        for _, _, pattern, _ in top:
            out[pattern] = out.get(pattern, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def p99_between(self, kind: str, start: float, end: float) -> tuple[int, float]:
        values = [a[3] for a in self.answers if a[1] == kind and start <= a[0] < end]
        return len(values), round(percentile(values, 99) * 1000, 1)


class Session:
    """One virtual user: a keep-alive connection, its cookies, its CSRF token."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = token

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1", "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, payload

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/connexion/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and match, f"page de connexion : HTTP {status}"
        status, _ = self.request(
            "POST",
            "/connexion/",
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            },
        )
        assert status == 302, f"connexion de {username} : HTTP {status}"


def run(cmd: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd[:4])}… a échoué :\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (from /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def postgres_cpu(db: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to `db` (from /proc: the server runs on
    this machine), by process id."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            if not cmdline.startswith(b"postgres: ") or f" {db} ".encode() not in cmdline:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            out[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return out


def main() -> None:
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
        "--json",
        default="",
        help="Fichier des résultats (par défaut var/bench/load_mixed.json).",
    )
    args = parser.parse_args()

    import psycopg

    db_url = args.pg.rsplit("/", 1)[0] + "/" + args.db
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
        template = (
            args.template
            and conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [args.template]
            ).fetchone()
        )
        # The demo as built before (same migrations): copied, not built again.
        conn.execute(
            f"CREATE DATABASE {args.db}" + (f" TEMPLATE {args.template}" if template else "")
        )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": args.redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{args.port}",
        "DJANGO_DEMO": "true",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_COOKIES": "false",  # plain http on 127.0.0.1
        "WHITENOISE_USE_FINDERS": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
        # One address for 50 users: the login throttles must not count them as an attack.
        "AXES_FAILURE_LIMIT": "1000",
    }
    if args.cache:
        env["CACHE_URL"] = args.cache
        import redis

        # The bench's own cache: emptied, so that no fragment of an earlier run is served.
        redis.Redis.from_url(args.cache).flushdb()
    if args.worker_niceness is not None:
        env["WORKER_NICENESS"] = str(args.worker_niceness)
    py = sys.executable
    bin_dir = Path(py).parent
    if template:
        print(f"Base copiée de {args.template}…", flush=True)
    else:
        print("Base, migrations, démo…", flush=True)
        run([py, "manage.py", "migrate", "--noinput"], env)
        run([py, "manage.py", "demo"], {**env, "CELERY_TASK_ALWAYS_EAGER": "true"})
        if args.template:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {args.template} TEMPLATE {args.db}")
    token = (
        run(
            [
                py,
                "manage.py",
                "shell",
                "-c",
                "from diagnostics.models import User\n"
                "from diagnostics.services.tokens import api_token_create, scopes_allowed_for\n"
                "u = User.objects.get(username='demo-api')\n"
                "print(api_token_create(user=u, name='bench', scopes=list(scopes_allowed_for(u))).key)",
            ],
            env,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    ids = json.loads(
        run(
            [
                py,
                "manage.py",
                "shell",
                "-c",
                "import json\nfrom diagnostics.models import Basin, DiagnosticRun\n"
                "b = list(Basin.objects.filter(region__code='99').order_by('pk').values_list('pk', flat=True))\n"
                "r = list(DiagnosticRun.objects.filter(status='done', basin_id__in=b).order_by('pk').values_list('pk', 'basin_id'))\n"
                "from diagnostics.models import SharedVersion\n"
                "v = list(SharedVersion.objects.filter(recipients__username='demo-mairie').order_by('pk').values_list('pk', flat=True))\n"
                "print(json.dumps({'basins': b, 'runs': r, 'versions': v}))",
            ],
            env,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    basins, runs = ids["basins"], ids["runs"]
    # A mayor reads the versions shared with it (/partages/<id>/), never /diagnostics/<id>/
    # (404 for a mayor since the shared diagnostic, issue 13).
    mayor_pages = ["/", "/diagnostics/"] + [f"/partages/{v}/" for v in ids["versions"]]
    if not ids["versions"]:
        raise SystemExit("La démo n'a partagé aucune version avec demo-mairie.")

    # What a deployment does once its data is loaded (and the worker does after each run):
    # fill the pages' cached fragments, so that no reader pays for a cold one.
    warm_seconds = None
    if not args.cold:
        started = time.perf_counter()
        print("Fragments des pages (warm_pages)…", flush=True)
        # The users below read the reference basins of the zones d'emploi too (region 99).
        warm_out = run([py, "manage.py", "warm_pages", "--references"], env).stdout
        warm_seconds = round(time.perf_counter() - started, 1)
        print(f"  {warm_out.strip().splitlines()[-1]}", flush=True)

    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    # The production configuration (gunicorn.conf.py: gthread, threads, switch interval),
    # with the bench's address and the 2 workers.
    gunicorn_env = dict(env)
    if args.switch_interval_ms is not None:
        gunicorn_env["GUNICORN_SWITCH_INTERVAL_MS"] = str(args.switch_interval_ms)
    threads_option = ["--threads", str(args.threads)] if args.threads else []
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    server = {
        "threads": args.threads or conf["threads"],
        "switch_interval_ms": args.switch_interval_ms
        if args.switch_interval_ms is not None
        else conf["switch_interval_ms"],
    }
    print(f"gunicorn : 2 workers, {server}", flush=True)

    def gunicorn_start(port: int, threads: list[str], env: dict[str, str]) -> subprocess.Popen:  # type: ignore[type-arg]
        return subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "cnam_territoires.wsgi:application",
                "--workers",
                "2",
                *threads,
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=open(logs / f"gunicorn-{port}.log", "w"),  # noqa: SIM115 - the server keeps it
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    gunicorn = gunicorn_start(args.port, threads_option, gunicorn_env)
    # --versus: the same application, database, cache and worker, another configuration; the
    # users alternate between the two every SLOT seconds, so both meet the same machine load.
    ports = [args.port]
    servers = [gunicorn]
    if args.versus:
        versus_threads, _, versus_switch = args.versus.partition(":")
        server["versus"] = {
            "threads": int(versus_threads),
            "switch_interval_ms": float(versus_switch),
        }
        print(f"comparée à (@B) : {server['versus']}", flush=True)
        ports.append(args.port + 1)
        servers.append(
            gunicorn_start(
                args.port + 1,
                ["--threads", versus_threads],
                {**env, "GUNICORN_SWITCH_INTERVAL_MS": versus_switch},
            )
        )
    worker = subprocess.Popen(
        [
            str(bin_dir / "celery"),
            "-A",
            "cnam_territoires",
            "worker",
            "--concurrency",
            "1",
            "--queues",
            env["CELERY_TASK_DEFAULT_QUEUE"],
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(logs / f"worker-{args.port}.log", "w"),  # noqa: SIM115 - the worker keeps it
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for port in ports:
            for _ in range(120):
                try:
                    if Session(port).request("GET", "/favicon.ico")[0] == 301:
                        break
                except OSError:
                    pass
                time.sleep(1)
        pages = ["/", "/bassins/", "/diagnostics/", "/catalogue/", "/implantations/"]
        pages += [f"/bassins/{b}/" for b in basins] + [f"/diagnostics/{r}/" for r, _ in runs]
        pages += [f"/catalogue/bassins/{b}/parcours-prioritaires/" for b in basins[:2]]
        if len(runs) >= 2:
            pages.append(f"/diagnostics/compare/?a={runs[0][0]}&b={runs[1][0]}")
        api = ["/api/v1/basins/"] + [f"/api/v1/basins/{b}/" for b in basins]
        api += [f"/api/v1/runs/{r}/" for r, _ in runs] + [
            f"/api/v1/runs/{r}/tables/" for r, _ in runs[:3]
        ]
        exports = [f"/diagnostics/{r}/export/years.csv" for r, _ in runs[:3]]
        exports += [f"/diagnostics/{r}/export/tout.xlsx" for r, _ in runs[:2]]
        stats = Stats()
        stop = time.monotonic() + args.seconds
        load_before = os.getloadavg()
        cpu_before = {
            "gunicorn": cpu_seconds(gunicorn.pid),
            "gunicorn_b": sum(cpu_seconds(p.pid) for p in servers[1:]),
            "worker": cpu_seconds(worker.pid),
            "load_generator": time.process_time(),
        }
        pg_before = postgres_cpu(args.db)

        # One login per demo account, shared by its users: 50 PBKDF2 checks at once would be a
        # login storm, not browsing (the login itself is not what is measured).
        logged: dict[str, dict[str, str]] = {}
        for who in ("demo-delegue", "demo-admin", "demo-mairie"):
            first = Session(args.port)
            first.login(who)
            logged[who] = dict(first.cookies)

        def on_server(sessions: list[Session]) -> tuple[Session, str]:
            """The session of the server in service now, and the suffix of its kinds."""
            slot = int((time.monotonic() - stats.started) / SLOT) % len(sessions)
            return sessions[slot], ("", "@B")[slot]

        def user(index: int) -> None:
            rng = random.Random(index)
            if index % 10 == 9:  # one user in ten is an API client
                sessions = [Session(port, token=token) for port in ports]
                mix = [("api", api, 1.0)]
            else:
                sessions = [Session(port) for port in ports]
                who = ["demo-delegue", "demo-admin", "demo-mairie"][index % 3]
                for session in sessions:
                    session.cookies = dict(logged[who])
                own_pages = pages if who != "demo-mairie" else mayor_pages
                mix = [
                    ("page", own_pages, 0.7),
                    ("api", api, 0.15),
                    ("export", exports, 0.1),
                    ("bare", ["/favicon.ico"], 0.05),
                ]
                if who == "demo-mairie":
                    mix = [("page", own_pages, 0.9), ("bare", ["/favicon.ico"], 0.1)]
            kinds = [m[0] for m in mix]
            weights = [m[2] for m in mix]
            while time.monotonic() < stop:
                kind = rng.choices(kinds, weights)[0]
                url = rng.choice(next(m[1] for m in mix if m[0] == kind))
                session, suffix = on_server(sessions)
                started = time.perf_counter()
                try:
                    status, _ = session.request("GET", url)
                    error = None if status < 400 else f"HTTP {status} {url}"
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    error = f"{type(exc).__name__} {url}"
                stats.add(kind + suffix, time.perf_counter() - started, error, url)
                time.sleep(rng.uniform(0.2, 1.0))

        def bare_probe() -> None:
            """The reference: the bare view, requested steadily by its own client."""
            sessions = [Session(port) for port in ports]
            while time.monotonic() < stop:
                session, suffix = on_server(sessions)
                started = time.perf_counter()
                try:
                    status, _ = session.request("GET", "/favicon.ico")
                    error = None if status == 301 else f"HTTP {status}"
                except Exception as exc:  # noqa: BLE001
                    error = type(exc).__name__
                stats.add("bare" + suffix, time.perf_counter() - started, error, "/favicon.ico")
                time.sleep(0.5)

        batches = {"requested": 0}

        def feeder() -> None:
            """The batch of diagnostics: every demo basin again, every 10 s, as its delegate."""
            session = Session(args.port)
            session.cookies = dict(logged["demo-delegue"])
            while time.monotonic() < stop:
                for b in basins:
                    try:
                        status, page = session.request("GET", f"/bassins/{b}/")
                        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                        if match:
                            session.request(
                                "POST",
                                f"/bassins/{b}/diagnostic/",
                                {"csrfmiddlewaretoken": match.group(1).decode()},
                            )
                            batches["requested"] += 1
                    except Exception as exc:  # noqa: BLE001 - counted, the feeder goes on
                        stats.add("feeder", 0.0, f"{type(exc).__name__} /bassins/{b}/")
                time.sleep(10)

        threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(args.users)]
        threads += [
            threading.Thread(target=bare_probe, daemon=True),
            threading.Thread(target=feeder, daemon=True),
        ]
        print(f"{args.users} utilisateurs pendant {args.seconds} s…", flush=True)
        load_started = time.time()
        # The national batches (issue 15: « while a national batch runs »): the demo computed
        # the zones d'emploi; the bassins BMO and the EPCI of the synthetic region are sent to
        # the worker now, in chunks, as `diagnostic_run --all` does.
        national = [
            subprocess.Popen(
                [py, "manage.py", "diagnostic_run", "--all", zoning],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
            for zoning in (() if args.no_national else ("bassin_bmo", "epci"))
        ]
        stats.started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 120)
        load_after = os.getloadavg()
        national_out = [
            (proc.communicate(timeout=120)[0] or "").strip().splitlines()[:2] for proc in national
        ]
        pg_after = postgres_cpu(args.db)
        cpu = {
            "gunicorn": round(cpu_seconds(gunicorn.pid) - cpu_before["gunicorn"], 1),
            "gunicorn_b": round(
                sum(cpu_seconds(p.pid) for p in servers[1:]) - cpu_before["gunicorn_b"], 1
            ),
            # Backends open at the end (gunicorn and the worker keep their connections).
            "postgres": round(sum(t - pg_before.get(pid, 0.0) for pid, t in pg_after.items()), 1),
            "worker": round(cpu_seconds(worker.pid) - cpu_before["worker"], 1),
            # The load generator shares the cores: its own cost, beside the server's.
            "load_generator": round(time.process_time() - cpu_before["load_generator"], 1),
        }
        done_runs = (
            run(
                [
                    py,
                    "manage.py",
                    "shell",
                    "-c",
                    "from diagnostics.models import DiagnosticRun as R\n"
                    "import json\nfrom diagnostics.models import DiagnosticBatch as B\n"
                    "print(json.dumps({'batches': [f'{b.zoning}:{b.status}:{b.items.count()}' for b in B.objects.order_by('pk')],"
                    " 'runs': [R.objects.filter(status='done').count(), R.objects.filter(status='failed').count(), R.objects.filter(status__in=['pending','running']).count()],"
                    " 'finished': [b.finished_at.timestamp() if b.finished_at else None for b in B.objects.exclude(zoning='zone_emploi')]}))",
                ],
                env,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        at_end = json.loads(done_runs)
    finally:
        for proc in (*servers, worker):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (*servers, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if not args.keep:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")

    # The national batches' time under load: from the start of the load to the last one done.
    finished = at_end.get("finished") or []
    batch_end = (
        round(max(finished) - load_started, 1) if finished and None not in finished else None
    )
    result: dict[str, object] = {
        "users": args.users,
        "seconds": args.seconds,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpu_seconds": cpu,
        "diagnostics_requested": batches["requested"],
        "national_batches_requested": national_out,
        "national_batches_at_end": at_end["batches"],
        "national_batches_done_after_s": batch_end,
        "warm_pages_s": warm_seconds,
        "worker_niceness": args.worker_niceness,
        "gunicorn": server,
        "runs_done_failed_live_at_end": at_end["runs"],
        "errors": len(stats.errors),
        "error_samples": sorted(set(stats.errors))[:20],
        "kinds": {},
    }
    print(f"\n{'type':<8}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, values in sorted(stats.latencies.items()):
        row = {
            "n": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        result["kinds"][kind] = row  # type: ignore[index]
        print(
            f"{kind:<8}{row['n']:>7}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}{row['max_ms']:>9}"
        )
    answers = sum(len(v) for k, v in stats.latencies.items() if k != "feeder")
    result["answers"] = answers
    result["answers_per_second"] = round(answers / args.seconds, 2)
    result["gunicorn_cpu_ms_per_answer"] = round(cpu["gunicorn"] * 1000 / max(answers, 1), 1)
    print(
        f"\nréponses : {answers} ({result['answers_per_second']}/s), CPU de gunicorn par réponse : "
        f"{result['gunicorn_cpu_ms_per_answer']} ms"
    )
    print(
        f"erreurs : {len(stats.errors)} ; charge {result['load_average_before']} → {result['load_average_after']} ; CPU {cpu}"
    )
    print(
        f"diagnostics demandés : {batches['requested']} ; fin (terminés, échecs, en cours) : {result['runs_done_failed_live_at_end']}"
    )
    print(
        f"lots nationaux : {national_out} ; à la fin (zonage:statut:bassins) : {at_end['batches']}"
    )
    # Per answer, where the cores went, and each kind's p99 against the bare view's: the ratio
    # holds better than the milliseconds on a machine shared with other work.
    result["cpu_ms_per_answer"] = {
        name: round(seconds * 1000 / max(answers, 1), 1) for name, seconds in cpu.items()
    }
    # (With --versus, each server's kinds against its own bare view.)
    kinds_rows: dict[str, dict[str, float]] = result["kinds"]  # type: ignore[assignment]
    bare_p99 = {
        suffix: kinds_rows[f"bare{suffix}"]["p99_ms"]
        for suffix in ("", "@B")
        if kinds_rows.get(f"bare{suffix}", {}).get("p99_ms")
    }
    result["p99_ratio_to_bare"] = {
        kind: round(row["p99_ms"] / bare_p99[suffix], 2)
        for kind, row in kinds_rows.items()
        if (suffix := "@B" if kind.endswith("@B") else "") in bare_p99
    }
    # Where p99 comes from: while the national batches run, after; the slowest 1 %'s URLs.
    phases: dict[str, dict[str, tuple[int, float]]] = {}
    if batch_end is not None and 0 < batch_end < args.seconds:
        for kind in stats.latencies:
            phases.setdefault("during_batch", {})[kind] = stats.p99_between(kind, 0, batch_end)
            phases.setdefault("after_batch", {})[kind] = stats.p99_between(
                kind, batch_end, args.seconds + 60
            )
    result["p99_by_phase_n_ms"] = phases
    if args.versus:
        # Slot by slot (A then B, 2 × SLOT s): each pair of neighbouring slots met about the
        # same machine load; the p95 of each server in each pair says whether a difference holds.
        pairs: dict[str, list[tuple[float, float]]] = {}
        for kind in ("page", "api", "bare"):
            for start in range(0, args.seconds, 2 * SLOT):
                a = [x[3] for x in stats.answers if x[1] == kind and start <= x[0] < start + SLOT]
                b = [
                    x[3]
                    for x in stats.answers
                    if x[1] == kind + "@B" and start + SLOT <= x[0] < start + 2 * SLOT
                ]
                if a and b:
                    pairs.setdefault(kind, []).append(
                        (round(percentile(a, 95) * 1000), round(percentile(b, 95) * 1000))
                    )
        result["versus_p95_by_slot_pair_ms"] = pairs
        result["versus_b_better"] = {
            kind: f"{sum(b < a for a, b in rows)}/{len(rows)}" for kind, rows in pairs.items()
        }
        print(f"p95 par paire de créneaux (A, B) : {pairs}")
        print(f"B meilleure (p95) : {result['versus_b_better']}")
    result["slowest_1pc"] = {
        kind + suffix: stats.slowest(kind + suffix)
        for suffix in ("", "@B")[: len(ports)]
        for kind in ("page", "api", "export")
    }
    print(f"CPU par réponse (ms) : {result['cpu_ms_per_answer']}")
    print(f"p99 / p99 de la vue nue : {result.get('p99_ratio_to_bare')}")
    print(f"lots nationaux terminés {batch_end} s après le début ; p99 (n, ms) : {phases}")
    for kind, patterns in result["slowest_1pc"].items():  # type: ignore[attr-defined]
        print(f"1 % le plus lent ({kind}) : {patterns}")
    Path(args.json or logs / "load_mixed.json").write_text(
        json.dumps(result, indent=1, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
