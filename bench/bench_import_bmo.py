"""Benchmark of the dataset import pipeline on PostgreSQL, with its reference side by side.

    python bench/bench_import_bmo.py [--source ../shared/data] [--database-url URL] [--repeat 3]

1. BMO 2025 (50,076 rows), alternately, `--repeat` times, each run in its own process:
   - reference: the fastest bare path any importer has to pay — `pandas.read_excel` with the
     calamine engine (every column as text), the three counts turned into numbers, then a raw
     COPY of the same rows into a scratch table shaped like the fact table (`LIKE
     diagnostics_bmofact INCLUDING ALL`: same columns, types and indexes);
   - import: `import_dataset(kind=None, …, sync=True)` end to end: hash, keep the file, detect
     the kind, build the validation context, read, validate every row, COPY in one transaction,
     supersede, mark done.
   Target: import ≤ 2 × reference (compared on the medians). Peak memory: max RSS of each
   process, and the Python heap peak of one more import run under tracemalloc.
2. The series: the three BMO years, the unemployment series and the job seekers (when that
   importer exists), imported one after the other on an empty fact set. Target: < 2 minutes.

The database must be PostgreSQL. Without --database-url, a scratch database `bench_import` is
created on postgres://postgres@127.0.0.1:5432 (and reused). It is migrated, the territories it
needs are loaded once, and import batches are deleted between runs. Uploaded files go to a
temporary MEDIA_ROOT.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path(os.environ.get("OPEN_DATA_DIR", ROOT.parent / "shared" / "data"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_import"
BMO_2025 = "bmo/Base_open_data_BMO_2025.xlsx"
TERRITORIES = [
    "regions",
    "departements",
    "epci",
    "zones_emploi",
    "bassins_bmo",
    "communes",
    "code_changes",
]


def _setup(database_url: str, media_root: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_MEDIA_ROOT"] = media_root
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    import django

    django.setup()


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clear_batches() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "diagnostics_bmofact",
            "diagnostics_chomagezefact",
            "diagnostics_indicatorfact",
        ):
            cursor.execute(f"TRUNCATE {table}")
    from diagnostics.models import ImportBatch

    ImportBatch.objects.all().delete()


# --- Steps (each in its own process) -------------------------------------------------------------


def step_prepare(source: Path) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("Ce banc d'essai mesure PostgreSQL : donnez --database-url postgres://…")
    call_command("migrate", verbosity=0)
    from diagnostics.models import BassinBmo, Commune

    loaded: dict[str, Any] = {}
    if not (BassinBmo.objects.exists() and Commune.objects.exists()):
        from diagnostics.services.territories import territories_load

        t0 = time.perf_counter()
        loads = territories_load(source_dir=source, only=TERRITORIES)
        loaded = {load.dataset: load.status for load in loads}
        loaded["seconds"] = round(time.perf_counter() - t0, 1)
    _clear_batches()
    return {"territories": loaded}


def step_reference(source: Path) -> dict[str, Any]:
    import pandas as pd
    from django.db import connection, transaction

    path = source / BMO_2025
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bmo_reference")
        cursor.execute("CREATE TABLE bench_bmo_reference (LIKE diagnostics_bmofact INCLUDING ALL)")
    t0 = time.perf_counter()
    frame = pd.read_excel(path, sheet_name="BMO_2025_open_data", dtype=str, engine="calamine")
    t_read = time.perf_counter() - t0
    columns = {
        "batch_id": [1] * len(frame),
        "year": frame["annee"].astype(int).tolist(),
        "bassin_code": frame["BE25"].tolist(),
        "bassin_name": frame["NOMBE25"].tolist(),
        "departement_code": frame["Dept"].tolist(),
        "region_code": frame["REG"].tolist(),
        "metier_code": frame["Code métier BMO"].tolist(),
        "metier_label": frame["Nom métier BMO"].tolist(),
        "famille_code": frame["Famille_met"].tolist(),
        "famille_label": frame["Lbl_fam_met"].tolist(),
    }
    for measure in ("met", "xmet", "smet"):
        numbers = pd.to_numeric(frame[measure], errors="coerce").astype("Int64")
        columns[measure] = numbers.astype(object).where(numbers.notna(), None).tolist()
        columns[f"{measure}_masked"] = (frame[measure] == "*").tolist()
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY bench_bmo_reference ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    total = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_bmo_reference")
        count = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_bmo_reference")
    return {"seconds": total, "read_seconds": t_read, "rows": count, "max_rss_mb": _max_rss_mb()}


def _import_one(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    from diagnostics.services.import_requests import import_dataset

    t0 = time.perf_counter()
    batch = import_dataset(kind=None, path=path, file_name=path.name, sync=True, options=options)
    seconds = time.perf_counter() - t0
    return {
        "file": path.name,
        "kind": batch.kind,
        "status": batch.status,
        "rows_read": batch.rows_read,
        "rows_written": batch.rows_written,
        "seconds": seconds,
        "steps": batch.step_durations,
        "message": batch.error_message[:300],
    }


def step_import(source: Path) -> dict[str, Any]:
    _clear_batches()
    out = _import_one(source / BMO_2025, {"register_bassins": True})
    out["max_rss_mb"] = _max_rss_mb()
    return out


def step_import_tracemalloc(source: Path) -> dict[str, Any]:
    import tracemalloc

    _clear_batches()
    tracemalloc.start()
    out = _import_one(source / BMO_2025, {"register_bassins": True})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"python_heap_peak_mb": peak / 1024 / 1024, "status": out["status"]}


def step_series(source: Path) -> dict[str, Any]:
    from diagnostics.importers.registry import available_kinds
    from tests.factories.open_data import DIAGNOSTIC_SERIES

    _clear_batches()
    kinds = set(available_kinds())
    results = []
    t0 = time.perf_counter()
    for kind, relative, options in DIAGNOSTIC_SERIES:
        path = source / relative
        if kind not in kinds or not path.exists():
            results.append({"file": relative, "status": "absent", "seconds": 0.0})
            continue
        results.append(_import_one(path, options))
    return {"files": results, "seconds": time.perf_counter() - t0, "max_rss_mb": _max_rss_mb()}


STEPS = {
    "prepare": step_prepare,
    "reference": step_reference,
    "import": step_import,
    "import_tracemalloc": step_import_tracemalloc,
    "series": step_series,
}


def _run_child(step: str, args: argparse.Namespace, media_root: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--step",
        step,
        "--source",
        str(args.source),
        "--database-url",
        args.database_url,
        "--media-root",
        media_root,
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"étape {step} en échec")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ensure_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--media-root", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        _setup(args.database_url, args.media_root)
        print(json.dumps(STEPS[args.step](args.source.resolve()), default=str))
        return

    if not args.database_url.startswith("postgres"):
        raise SystemExit("Ce banc d'essai mesure PostgreSQL : --database-url postgres://…")
    _ensure_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="bench-import-media-") as media_root:
        prepared = _run_child("prepare", args, media_root)
        print(f"Préparation : {prepared}")
        references, imports = [], []
        for _ in range(args.repeat):
            references.append(_run_child("reference", args, media_root))
            imports.append(_run_child("import", args, media_root))
        heap = _run_child("import_tracemalloc", args, media_root)
        series = _run_child("series", args, media_root)

    ref_median = statistics.median(r["seconds"] for r in references)
    imp_median = statistics.median(r["seconds"] for r in imports)
    print()
    print(f"BMO 2025 ({imports[-1]['rows_written']} lignes), PostgreSQL, {args.repeat} passages")
    print(f"{'':44} {'médiane':>9} {'min':>8} {'max RSS':>9}")
    print(
        f"{'référence : read_excel(calamine) + COPY brut':44} {ref_median:8.2f}s "
        f"{min(r['seconds'] for r in references):7.2f}s "
        f"{max(r['max_rss_mb'] for r in references):7.0f}Mo"
    )
    print(
        f"{'  dont lecture pandas':44} {statistics.median(r['read_seconds'] for r in references):8.2f}s"
    )
    print(
        f"{'import_dataset de bout en bout':44} {imp_median:8.2f}s "
        f"{min(r['seconds'] for r in imports):7.2f}s "
        f"{max(r['max_rss_mb'] for r in imports):7.0f}Mo"
    )
    for step, seconds in imports[-1]["steps"].items():
        print(f"{'  ' + step:44} {seconds:8.2f}s")
    ratio = imp_median / ref_median
    verdict = "OK" if ratio <= 2 else "AU-DELÀ DE 2×"
    print(f"rapport import / référence : {ratio:.2f}× (objectif ≤ 2×) — {verdict}")
    print(f"pic du tas Python (tracemalloc, un import) : {heap['python_heap_peak_mb']:.0f} Mo")
    print()
    print("Série complète, l'un après l'autre (PostgreSQL) :")
    for item in series["files"]:
        print(
            f"  {item['file']:58} {item.get('status', ''):10} "
            f"{item.get('rows_written', 0):>8} lignes {item['seconds']:7.2f}s"
        )
    verdict = "OK" if series["seconds"] < 120 else "AU-DELÀ DE 2 MIN"
    print(
        f"  total {series['seconds']:.1f}s (objectif < 120 s) — {verdict}; max RSS {series['max_rss_mb']:.0f} Mo"
    )


if __name__ == "__main__":
    main()
