"""The load bench's stack (bench/load_mixed.py): its PostgreSQL database (a copy of a template or
migrated with the demo built), the server's environment, the demo's ids and API token, the pages'
warm-up, gunicorn (gunicorn.conf.py) and a Celery worker started and stopped, the CPU of each
process read from /proc, and the state of the runs and batches at the end."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from load_client import Session

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "var" / "bench"
PY = sys.executable
BIN_DIR = Path(PY).parent


def run(cmd: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd[:4])}… a échoué :\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return result


def _stat_cpu(stat: Path, *, reaped: bool = False) -> float | None:
    """User + system CPU seconds in a /proc stat file (`reaped`: with its waited-for children's),
    None when the process is gone."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if reaped:
            ticks += int(fields[13]) + int(fields[14])
    except (OSError, IndexError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (from /proc)."""
    seconds = (_stat_cpu(Path(f"/proc/{p}/stat"), reaped=True) for p in [pid, *_children(pid)])
    return sum(s for s in seconds if s is not None)


def children_cpu(pid: int) -> dict[int, float]:
    """User + system CPU of each child of a process (gunicorn's workers), by process id."""
    seconds = {child: _stat_cpu(Path(f"/proc/{child}/stat")) for child in _children(pid)}
    return {child: s for child, s in seconds.items() if s is not None}


def postgres_cpu(db: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to `db` (from /proc: the server runs on
    this machine), by process id."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if not cmdline.startswith(b"postgres: ") or f" {db} ".encode() not in cmdline:
            continue
        seconds = _stat_cpu(entry / "stat")
        if seconds is not None:
            out[int(entry.name)] = seconds
    return out


def database_prepare(args: argparse.Namespace) -> tuple[dict[str, str], bool]:
    """The bench's database (`args.db`, dropped then copied from `args.template` when it
    exists, else migrated with the demo built, and kept as the template if one is named), and
    the server's environment. Returns (environment, copied from the template)."""
    import psycopg

    db_url = args.pg.rsplit("/", 1)[0] + "/" + args.db
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
        template = bool(
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
    if template:
        print(f"Base copiée de {args.template}…", flush=True)
    else:
        print("Base, migrations, démo…", flush=True)
        run([PY, "manage.py", "migrate", "--noinput"], env)
        run([PY, "manage.py", "demo"], {**env, "CELERY_TASK_ALWAYS_EAGER": "true"})
        if args.template:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {args.template} TEMPLATE {args.db}")
    return env, template


def database_drop(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")


def shell_last_line(env: dict[str, str], code: str) -> str:
    """The last line that `manage.py shell -c code` prints."""
    return run([PY, "manage.py", "shell", "-c", code], env).stdout.strip().splitlines()[-1]


def api_token(env: dict[str, str]) -> str:
    """A token of the demo's API client with every scope it may have."""
    return shell_last_line(
        env,
        "from diagnostics.models import User\n"
        "from diagnostics.services.tokens import api_token_create, scopes_allowed_for\n"
        "u = User.objects.get(username='demo-api')\n"
        "print(api_token_create(user=u, name='bench', scopes=list(scopes_allowed_for(u))).key)",
    )


def demo_ids(env: dict[str, str]) -> dict[str, list]:  # type: ignore[type-arg]
    """The synthetic region's basins, their done runs (run, basin) and the versions shared
    with demo-mairie."""
    ids = json.loads(
        shell_last_line(
            env,
            "import json\nfrom diagnostics.models import Basin, DiagnosticRun\n"
            "b = list(Basin.objects.filter(region__code='99').order_by('pk').values_list('pk', flat=True))\n"
            "r = list(DiagnosticRun.objects.filter(status='done', basin_id__in=b).order_by('pk').values_list('pk', 'basin_id'))\n"
            "from diagnostics.models import SharedVersion\n"
            "v = list(SharedVersion.objects.filter(recipients__username='demo-mairie').order_by('pk').values_list('pk', flat=True))\n"
            "print(json.dumps({'basins': b, 'runs': r, 'versions': v}))",
        )
    )
    if not ids["versions"]:
        raise SystemExit("La démo n'a partagé aucune version avec demo-mairie.")
    return ids


def pages_warm(env: dict[str, str]) -> float:
    """What a deployment does once its data is loaded (and the worker does after each run):
    fill the pages' cached fragments, so that no reader pays for a cold one. Returns seconds."""
    started = time.perf_counter()
    print("Fragments des pages (warm_pages)…", flush=True)
    # The users read the reference basins of the zones d'emploi too (region 99).
    warm_out = run([PY, "manage.py", "warm_pages", "--references"], env).stdout
    print(f"  {warm_out.strip().splitlines()[-1]}", flush=True)
    return round(time.perf_counter() - started, 1)


def gunicorn_start(
    port: int, threads: list[str], env: dict[str, str], workers: int = 2
) -> subprocess.Popen:  # type: ignore[type-arg]
    """The production configuration (gunicorn.conf.py), with the bench's address and the
    issue's 2 workers (`threads`: a --threads option, or none for the configuration's)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(BIN_DIR / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "cnam_territoires.wsgi:application",
            "--workers",
            str(workers),
            *threads,
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(LOGS / f"gunicorn-{port}.log", "w"),  # noqa: SIM115 - the server keeps it
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker_start(port: int, env: dict[str, str]) -> subprocess.Popen:  # type: ignore[type-arg]
    """One Celery worker process on the bench's own queue."""
    LOGS.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(BIN_DIR / "celery"),
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
        stdout=open(LOGS / f"worker-{port}.log", "w"),  # noqa: SIM115 - the worker keeps it
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(ports: list[int]) -> None:
    """Until each server answers its bare view (a 301), two minutes at most each."""
    for port in ports:
        for _ in range(120):
            try:
                if Session(port).request("GET", "/favicon.ico")[0] == 301:
                    break
            except OSError:
                pass
            time.sleep(1)


def processes_stop(processes: list[subprocess.Popen]) -> None:  # type: ignore[type-arg]
    """SIGTERM to each process group, SIGKILL after 30 s."""
    for proc in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def national_batches_start(zonings: tuple[str, ...], env: dict[str, str]) -> list[subprocess.Popen]:  # type: ignore[type-arg]
    """The national batches (issue 15: « while a national batch runs »), sent to the worker in
    chunks as `diagnostic_run --all` does."""
    return [
        subprocess.Popen(
            [PY, "manage.py", "diagnostic_run", "--all", zoning],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for zoning in zonings
    ]


def state_at_end(env: dict[str, str]) -> dict[str, list]:  # type: ignore[type-arg]
    """The batches (zoning:status:basins), the runs (done, failed, pending or running) and when
    each batch of another zoning than the zones d'emploi finished."""
    return json.loads(  # type: ignore[no-any-return]
        shell_last_line(
            env,
            "from diagnostics.models import DiagnosticRun as R\n"
            "import json\nfrom diagnostics.models import DiagnosticBatch as B\n"
            "print(json.dumps({'batches': [f'{b.zoning}:{b.status}:{b.items.count()}' for b in B.objects.order_by('pk')],"
            " 'runs': [R.objects.filter(status='done').count(), R.objects.filter(status='failed').count(), R.objects.filter(status__in=['pending','running']).count()],"
            " 'finished': [b.finished_at.timestamp() if b.finished_at else None for b in B.objects.exclude(zoning='zone_emploi')]}))",
        )
    )
