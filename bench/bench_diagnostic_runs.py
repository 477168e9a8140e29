"""Benchmark of diagnostic runs end to end (selectors + engine + storing), then through Celery.

    python bench/bench_diagnostic_runs.py [--source ../shared/data] [--database-url URL]
        [--broker redis://127.0.0.1:6379/13] [--reuse] [--runs 5]

It reads the REAL open data (../shared/data, or --source): the territories, the three BMO years
(2023-2025), the quarterly unemployment rates of every zone d'emploi (2003-T1 → 2023-T3, 20
years) and 60 months of job seekers (2020-01 → 2024-12), loaded into a scratch database
(a fresh SQLite file unless --database-url; with --reuse, an already loaded database is kept).

1. One basin (zone d'emploi 4404, Chaumont: an estimated basin spread over five bassins BMO, so
   every figure goes through the population apportioning) — `diagnostic_run_sync`: request,
   selectors, engine, maps, secrecy check, storing. Cold (first run of the process: the
   France-wide BMO and unemployment frames are read) and warm (median of --runs runs with other
   parameters, so each is a new run; frames cached per process by batch). Target < 2 s.
2. Every zone d'emploi of France registered as a basin (306), their diagnostics requested at
   once and computed by a real `celery worker --concurrency=2` (two processes) against the
   broker (Redis) and the database (must be PostgreSQL). Wall time from the first request to
   the last run done. Target < 3 minutes. Skipped without --broker or on SQLite.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path(os.environ.get("OPEN_DATA_DIR", ROOT.parent / "shared" / "data"))


def _setup(database_url: str, broker: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    if broker:
        os.environ["CELERY_BROKER_URL"] = broker
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()


def _load(source: Path, media: str) -> None:
    from django.core.management import call_command
    from django.test import override_settings

    from diagnostics.models import ImportBatch
    from diagnostics.services.import_requests import import_dataset
    from diagnostics.services.territories import territories_load
    from tests.factories.open_data import DIAGNOSTIC_SERIES

    call_command("migrate", verbosity=0)
    if ImportBatch.objects.filter(status="done", kind="bmo").count() >= 3:
        print("Données déjà chargées : réutilisées.")
        return
    started = time.perf_counter()
    with override_settings(MEDIA_ROOT=media, CELERY_TASK_ALWAYS_EAGER=True):
        for load in territories_load(source_dir=source):
            print(f"  territoires — {load.dataset} : {load.status}, {load.rows} lignes")
        for kind, relative, options in DIAGNOSTIC_SERIES:
            path = source / relative
            batch = import_dataset(
                kind=kind, path=path, file_name=path.name, sync=True, options=options
            )
            print(f"  import {path.name} : {batch.status}, {batch.rows_written} lignes")
    print(f"Chargement des données réelles : {time.perf_counter() - started:.1f} s")


def _ze_basins() -> list[int]:
    """One basin per zone d'emploi (created directly: the bench measures the diagnostics, not
    the registration and its geometry union)."""
    from django.db import transaction
    from django.db.models import Sum

    from diagnostics.models import Basin, BasinSource, Commune, ZoneEmploi

    existing = dict(
        Basin.objects.filter(
            source_kind=BasinSource.ZONE_EMPLOI, name__startswith="ZE "
        ).values_list("name", "pk")
    )
    ids = []
    with transaction.atomic():
        for zone in ZoneEmploi.objects.order_by("code"):
            name = f"ZE {zone.code} {zone.name}"[:150]
            if name in existing:
                ids.append(existing[name])
                continue
            communes = list(Commune.objects.filter(zone_emploi=zone).values_list("code", flat=True))
            if not communes:
                continue
            regions = (
                Commune.objects.filter(zone_emploi=zone, region__isnull=False)
                .values("region_id")
                .annotate(p=Sum("population"))
                .order_by("-p")
            )
            if not regions:
                continue
            population = (
                Commune.objects.filter(zone_emploi=zone).aggregate(p=Sum("population"))["p"] or 0
            )
            basin = Basin.objects.create(
                name=name,
                region_id=regions[0]["region_id"],
                source_kind=BasinSource.ZONE_EMPLOI,
                source_codes=[zone.code],
                population=population,
                communes_count=len(communes),
                geometry_status="none",
            )
            # Primary keys: the codes.
            basin.communes.set(communes)  # type: ignore[arg-type]
            ids.append(basin.pk)
    return ids


def _one_basin(runs: int) -> None:
    from diagnostics.models import Basin, BasinSource, DiagnosticRun
    from diagnostics.selectors import diagnostic_frames
    from diagnostics.services.diagnostics import diagnostic_run_sync

    basin = Basin.objects.filter(source_kind=BasinSource.ZONE_EMPLOI, source_codes=["4404"]).first()
    assert basin is not None
    DiagnosticRun.objects.filter(basin=basin).delete()
    diagnostic_frames.frames_cache_clear()

    def one(params: dict[str, object]) -> tuple[float, dict[str, float]]:
        started, cpu = time.perf_counter(), time.process_time()
        run = diagnostic_run_sync(basin_id=basin.pk, params=params)
        elapsed = time.perf_counter() - started
        assert run.status == "done", run.error_message
        return elapsed, {**run.step_durations, "cpu": round(time.process_time() - cpu, 3)}

    cold, steps = one({"top_n": 10})
    print(f"\n1. Un bassin ({basin.name}, {basin.communes_count} communes), de bout en bout")
    print(f"   à froid (lecture des faits de toute la France) : {cold:.2f} s — {steps}")
    warm = [one({"top_n": 11 + i}) for i in range(runs)]
    times = [w[0] for w in warm]
    print(
        f"   à chaud, médiane de {runs} : {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}) — {warm[len(warm) // 2][1]}"
    )
    print(f"   charge moyenne de la machine : {os.getloadavg()[0]:.1f} (2 cœurs)")
    verdict = "OK" if cold < 2 else "AU-DESSUS"
    print(
        f"   objectif < 2 s : {verdict} (à froid), {'OK' if max(times) < 2 else 'AU-DESSUS'} (à chaud)"
    )


def _celery(broker: str, database_url: str) -> None:
    from django.db import connection, transaction
    from django.db.models import Count
    from workers import celery_worker, tree_cpu

    from diagnostics.models import DiagnosticRun
    from diagnostics.services.diagnostics import diagnostic_request

    ids = _ze_basins()
    DiagnosticRun.objects.filter(basin_id__in=ids).delete()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_DEMO": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    # The worker's two processes start (Django, pandas, plotly imported).
    with celery_worker("bench", env, startup_s=8) as worker:
        print(f"\n2. {len(ids)} bassins « zone d'emploi », worker Celery à 2 processus ({broker})")
        cpu_before = tree_cpu(worker.pid)
        started = time.perf_counter()
        with transaction.atomic():
            run_ids = [diagnostic_request(basin_id=i).pk for i in ids]
        enqueued = time.perf_counter() - started
        print(f"   {len(run_ids)} diagnostics demandés et mis en file en {enqueued:.1f} s")
        deadline = started + 900
        done = failed = 0
        while time.perf_counter() < deadline:
            connection.close()
            counts = dict(
                DiagnosticRun.objects.filter(pk__in=run_ids)
                .values_list("status")
                .annotate(n=Count("id"))
            )
            done, failed = counts.get("done", 0), counts.get("failed", 0)
            if done + failed == len(run_ids):
                break
            time.sleep(1)
        wall = time.perf_counter() - started
        print(
            f"   terminés : {done}, en échec : {failed}, en {wall:.1f} s "
            f"({wall / max(done, 1):.2f} s par bassin, soit {2 * wall / max(done, 1):.2f} s "
            "de calcul par processus)"
        )
        cpu = tree_cpu(worker.pid) - cpu_before
        load = os.getloadavg()[0]
        print(
            f"   temps CPU des 2 processus du worker : {cpu:.1f} s ({cpu / max(done, 1):.2f} s par "
            f"bassin) ; sur 2 cœurs libres, cela ferait {cpu / 2:.0f} s de calcul "
            f"(charge moyenne de la machine pendant la mesure : {load:.1f})"
        )
        print(f"   objectif < 180 s : {'OK' if wall < 180 and failed == 0 else 'AU-DESSUS'}")
        for run in DiagnosticRun.objects.filter(pk__in=run_ids, status="failed")[:5]:
            print(f"   échec {run.basin_snapshot.get('name')} : {run.error_message[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--broker", default="")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (args.source / "README.md").exists():
        raise SystemExit(f"Données ouvertes absentes : {args.source}")
    with tempfile.TemporaryDirectory(prefix="bench-diag-") as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        _setup(database_url, args.broker or None)
        print(f"Données réelles lues dans {args.source} ; base : {database_url.split('@')[-1]}")
        _load(args.source, media=f"{tmp}/media")
        _ze_basins()
        _one_basin(args.runs)
        if args.broker and not database_url.startswith("sqlite"):
            _celery(args.broker, database_url)
        else:
            print("\n2. Celery : ignoré (il faut --broker et une base PostgreSQL).")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nMémoire maximale de ce processus : {peak:.0f} Mo")


if __name__ == "__main__":
    main()
