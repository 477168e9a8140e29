"""Benchmark of the national batch (issue 16), with its reference measured in the same run.

    python bench/national_batch.py --database-url postgres://…/nat_bench \
        --broker redis://127.0.0.1:6379/13 [--sqlite-url sqlite:///var/db.sqlite3] [--runs 3]

Both databases must hold the real open data (`manage.py load_open_data --source
../shared/data`, ≈ 1-5 min each); the bench registers the reference basins (once) and
deletes their runs, batches and shared references before every measured run.

1. References: every basin (306 zones d'emploi and ≈ 400 bassins BMO) in one vectorised pass,
   no database write (`bench/national_reference.py`), measured two ways: « BMO et chômage »,
   the BMO totals and the unemployment series only (the bench's reference until 2026-12-07),
   and « complète », every grouped pass the engine has (those two, the BMO section tables,
   the tension index, the job seekers, the pools of published tensions and saturated métiers,
   the age groups, the sectors); the batch's ratio is printed against both.
2. One basin alone, warm (a lone `diagnostic_run_sync`, new parameters each time).
3. PostgreSQL + Redis, a `celery worker --concurrency=2`: `--all ze` and `--all bassin_bmo`
   requested together, wall clock from the request to the last run written; `--runs` times
   (min / median / max); CPU of the worker's processes per basin; peak memory of a worker
   process (VmHWM).
4. SQLite, one process: `manage.py diagnostic_run --all ze --sync` from no run, then again with
   unchanged data.

The machine is shared (2 cores, other agents): the load average is printed beside each
figure; CPU seconds and the ratio to the reference are steadier than wall clock.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _setup(database_url: str, broker: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    os.environ["CELERY_BROKER_URL"] = broker
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()


def _load() -> str:
    return f"charge {os.getloadavg()[0]:.1f}"


def _reset(zonings: list[str]) -> None:
    from diagnostics.models import Basin, DiagnosticBatch, DiagnosticRun, SharedReference
    from diagnostics.selectors.diagnostic_frames import frames_cache_clear
    from diagnostics.services.references import references_memory_clear

    basins = Basin.objects.filter(is_reference=True, source_kind__in=zonings)
    DiagnosticBatch.objects.all().delete()
    DiagnosticRun.objects.filter(basin__in=basins).delete()
    SharedReference.objects.all().delete()
    references_memory_clear()
    frames_cache_clear()


def _register(zonings: list[str]) -> None:
    from cnam_territoires.celery import app
    from diagnostics.models import Basin
    from diagnostics.services.reference_basins import reference_basins_register

    app.conf.task_always_eager = True  # geometries computed here, once, not during the runs
    try:
        for zoning in zonings:
            started = time.perf_counter()
            created = reference_basins_register(zoning=zoning)
            count = Basin.objects.filter(is_reference=True, source_kind=zoning).count()
            print(
                f"   {zoning} : {count} bassins de référence ({len(created)} enregistrés en "
                f"{time.perf_counter() - started:.1f} s)"
            )
    finally:
        app.conf.task_always_eager = False


def _single_basin(runs: int = 5) -> float:
    from diagnostics.models import Basin, DiagnosticRun
    from diagnostics.services.diagnostics import diagnostic_run_sync

    basin = Basin.objects.get(is_reference=True, source_kind="zone_emploi", source_codes=["4404"])
    DiagnosticRun.objects.filter(basin=basin).delete()
    diagnostic_run_sync(basin_id=basin.pk, params={"top_n": 9})  # cold: frames read
    times, cpus = [], []
    for i in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        run = diagnostic_run_sync(basin_id=basin.pk, params={"top_n": 20 + i})
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        assert run.status == "done", run.error_message
    DiagnosticRun.objects.filter(basin=basin).delete()
    print(
        f"\n2. Un bassin seul ({basin.name}), à chaud : médiane {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}), CPU médian "
        f"{statistics.median(cpus):.2f} s — objectif ≤ 0,3 s — {_load()}"
    )
    return statistics.median(cpus)


def _peak_rss_mb(pid: int) -> float:
    from workers import proc_children

    peak = 0.0
    for one in proc_children(pid):
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except FileNotFoundError:
            continue
    return peak


def _documents_size(batches: list) -> str:
    """Mean stored size (compressed, as PostgreSQL keeps it) of the batches' documents."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT avg(pg_column_size(r.results)), avg(pg_column_size(r.tables)), "
            "avg(octet_length(r.results::text)), avg(octet_length(r.tables::text)) "
            "FROM diagnostics_diagnosticrun r JOIN diagnostics_diagnosticbatchitem i "
            "ON i.run_id = r.id WHERE i.batch_id = ANY(%s) AND r.status = 'done'",
            [[b.pk for b in batches]],
        )
        row = cursor.fetchone()
    if not row or row[0] is None:
        return "aucun document"
    res, tab, res_text, tab_text = (float(v) / 1024 for v in row)
    return (
        f"document {res:.0f} ko stockés ({res_text:.0f} ko de JSON), tableaux {tab:.0f} ko "
        f"({tab_text:.0f} ko)"
    )


def _celery(
    broker: str,
    database_url: str,
    runs: int,
    references: dict[str, float],
    limit_s: float = 1200,
) -> None:
    from django.db import connection
    from workers import celery_worker, tree_cpu

    from diagnostics.models import DiagnosticBatch
    from diagnostics.services.national import national_batch_request
    from diagnostics.services.national_progress import batch_progress

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    zonings = ["zone_emploi", "bassin_bmo"]
    walls: list[float] = []
    with celery_worker("bench-national", env, startup_s=10) as worker:
        print("\n3. PostgreSQL + Redis, worker Celery à 2 processus : --all ze et --all bassin_bmo")
        for attempt in range(1, runs + 1):
            _reset(zonings)
            cpu_before = tree_cpu(worker.pid)
            started = time.perf_counter()
            outcomes = [national_batch_request(zoning=z) for z in zonings]
            requested = time.perf_counter() - started
            batches = [o.batch for o in outcomes if o.batch is not None]
            total = sum(o.created_runs for o in outcomes)
            deadline = started + limit_s
            while time.perf_counter() < deadline:
                connection.close()
                if not DiagnosticBatch.objects.filter(
                    pk__in=[b.pk for b in batches], status__in=["pending", "running"]
                ).exists():
                    break
                time.sleep(0.5)
            wall = time.perf_counter() - started
            cpu = tree_cpu(worker.pid) - cpu_before
            progress = [batch_progress(b) for b in batches]
            done = sum(p.done for p in progress)
            failed = sum(p.failed for p in progress)
            walls.append(wall)
            print(
                f"   essai {attempt} : {done} terminés, {failed} en échec sur {total} en "
                f"{wall:.1f} s (demande {requested:.1f} s) ; CPU du worker {cpu:.1f} s, soit "
                f"{cpu / max(done, 1):.3f} s par bassin — {_load()}"
            )
            print(f"     taille moyenne par bassin : {_documents_size(batches)}")
            for p in progress:
                for failure in p.failures[:3]:
                    print(f"     échec {failure['basin']} : {failure['error'][:160]}")
        median = statistics.median(walls)
        print(
            f"   temps total : min {min(walls):.1f} s, médiane {median:.1f} s, "
            f"max {max(walls):.1f} s — objectif < 60 s"
        )
        for name, seconds in references.items():
            print(
                f"   rapport à la référence vectorisée sans écriture {name} ({seconds:.1f} s) : "
                f"{median / seconds:.1f}× la médiane (de {min(walls) / seconds:.1f}× à "
                f"{max(walls) / seconds:.1f}×) — objectif ≤ 5×"
            )
        print(f"   mémoire maximale d'un processus du worker : {_peak_rss_mb(worker.pid):.0f} Mo")


def _sqlite(sqlite_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_url, "DJANGO_LOG_LEVEL": "WARNING"}
    env.pop("CELERY_BROKER_URL", None)
    env["CELERY_TASK_ALWAYS_EAGER"] = "true"
    reset = (
        "from diagnostics.models import Basin, DiagnosticBatch, DiagnosticRun, SharedReference;"
        "DiagnosticBatch.objects.all().delete();"
        "DiagnosticRun.objects.filter(basin__is_reference=True).delete();"
        "SharedReference.objects.all().delete()"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "shell", "-c", reset], env=env, check=True, cwd=ROOT)
    print("\n4. SQLite, un seul processus : manage.py diagnostic_run --all ze --sync")
    for label in ("premier passage (aucun diagnostic)", "second passage (données inchangées)"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [*manage, "diagnostic_run", "--all", "ze", "--sync"],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        last = [line for line in done.stdout.splitlines() if line.strip()][-2:]
        print(f"   {label} : {wall:.1f} s, CPU {cpu:.1f} s — {_load()}")
        for line in last:
            print(f"     {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--sqlite-url", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-celery", action="store_true")
    parser.add_argument(
        "--limit-s", type=float, default=1200, help="attente maximale d'un essai (machine chargée)"
    )
    args = parser.parse_args()
    _setup(args.database_url, args.broker)
    from national_reference import full_reference_pass, reference_pass

    print(f"Base : {args.database_url.split('@')[-1]} ; courtier : {args.broker}")
    print("0. Bassins de référence")
    _register(["zone_emploi", "bassin_bmo"])
    references: dict[str, float] = {}
    print("\n1. Références vectorisées sans écriture (national_reference.py)")
    for name, timing in (
        ("BMO et chômage", reference_pass()),
        ("complète", full_reference_pass()),
    ):
        references[name] = timing.seconds
        print(
            f"   {name} ({timing.basins} bassins) : {timing.seconds:.2f} s (lecture des faits "
            f"{timing.read_seconds:.2f} s non comptée), soit "
            f"{timing.seconds / timing.basins * 1000:.1f} ms par bassin — {_load()}"
        )
    _single_basin()
    if not args.skip_celery:
        _celery(args.broker, args.database_url, args.runs, references, args.limit_s)
    if args.sqlite_url:
        _sqlite(args.sqlite_url)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nMémoire maximale de ce processus : {peak:.0f} Mo")


if __name__ == "__main__":
    main()
