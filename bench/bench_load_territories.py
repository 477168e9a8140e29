"""Benchmark of `load_territories` on the real open data, with its reference side by side.

    python bench/bench_load_territories.py [--source ../shared/data] [--database-url URL]

Each step runs in its own process, so that its peak memory (max RSS) is its own:
- baseline: Python + Django + pandas/shapely imported, nothing read (the floor of every step);
- pandas (reference): the bare reading of the same files with pandas / json, no validation,
  no database: what any loader has to pay;
- readers: our readers (validation, code normalisation, old codes moved to current ones, the
  communes frame), still no database;
- load: the full load into an empty database (upserts, ZE repair, Voronoi commune cells);
- reload: the same load again (idempotent: compares, writes nothing).
Wall time and CPU time are both shown: on a busy machine the CPU time is the steadier figure
(the database's own work is in the wall time only, it runs in another process on PostgreSQL).

Without --database-url the database is a fresh SQLite file in a temporary folder. With one (e.g.
postgres://postgres@127.0.0.1:5432/scratch), use a SCRATCH database: it is migrated and its
territory tables are emptied before the load step.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path(os.environ.get("OPEN_DATA_DIR", ROOT.parent / "shared" / "data"))
STEPS = ["baseline", "pandas", "readers", "load", "reload"]
LABELS = {
    "baseline": "base (imports seuls)",
    "pandas": "référence : lecture pandas seule",
    "readers": "lecteurs (validation, remappage)",
    "load": "chargement complet (base vide)",
    "reload": "second chargement (rien à écrire)",
}


def _setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    import django

    django.setup()


def _read_with_pandas(source: Path) -> int:
    """The same files as the load, read as plainly as possible."""
    import pandas as pd

    from diagnostics.importers.territories import FILES

    rows = 0
    for key in ("regions", "departements", "cog_communes", "populations", "bassins_bmo"):
        rows += len(pd.read_csv(source / FILES[key], dtype=str))
    for key in ("centroids", "code_changes"):
        rows += len(pd.read_csv(source / FILES[key], dtype=str, sep=";", encoding="utf-8-sig"))
    for sheet in ("ZE2020", "Composition_communale"):
        rows += len(
            pd.read_excel(
                source / FILES["zones_emploi"],
                sheet_name=sheet,
                header=5,
                dtype=str,
                engine="calamine",
            )
        )
    for key in ("ze_geometry", "epci_json"):
        data = json.loads((source / FILES[key]).read_text(encoding="utf-8"))
        rows += len(data["features"] if isinstance(data, dict) else data)
    return rows


def _clear_territories() -> None:
    from django.db import connection

    from diagnostics.models import (
        BassinBmo,
        Commune,
        CommuneCodeChange,
        Departement,
        Epci,
        Region,
        TerritoryLoad,
        ZoneEmploi,
    )

    with connection.cursor() as cursor:
        for model in (
            Commune,
            CommuneCodeChange,
            BassinBmo,
            ZoneEmploi,
            Epci,
            Departement,
            Region,
            TerritoryLoad,
        ):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def run_step(step: str, source: Path, database_url: str) -> dict[str, object]:
    _setup(database_url)
    from django.core.management import call_command

    from diagnostics.services.territories import territories_load, territories_read

    info: dict[str, object] = {}
    if step == "migrate":
        call_command("migrate", verbosity=0)
        return info
    if step == "load":
        _clear_territories()
    start, cpu_start = time.perf_counter(), time.process_time()
    if step == "pandas":
        info["rows"] = _read_with_pandas(source)
    elif step == "readers":
        frames = territories_read(source_dir=source)
        info["rows"] = sum(len(frame) for frame in frames.values())
    elif step in ("load", "reload"):
        loads = territories_load(source_dir=source)
        info["rows"] = sum(load.rows for load in loads)
        info["status"] = sorted({load.status for load in loads})
        info["datasets"] = {load.dataset: round(load.duration_s, 2) for load in loads}
    info["seconds"] = time.perf_counter() - start
    info["cpu_seconds"] = time.process_time() - cpu_start
    return info


def _child(step: str, source: Path, database_url: str) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--step", step, "--source", str(source)]
    cmd += ["--database-url", database_url]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"l'étape « {step} » a échoué (code {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--step", choices=[*STEPS, "migrate"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    source = args.source.resolve()

    if args.step:
        info = run_step(args.step, source, args.database_url)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({**info, "peak_rss_mb": peak_kb / 1024}))
        return

    if not (source / "README.md").exists():
        raise SystemExit(f"données ouvertes absentes : {source}")
    with tempfile.TemporaryDirectory(prefix="bench-territoires-") as tmp:
        database_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        backend = database_url.split(":", 1)[0]
        print(f"Données : {source}")
        print(f"Base : {backend}{'' if args.database_url else ' (fichier temporaire)'}")
        _child("migrate", source, database_url)
        results = {step: _child(step, source, database_url) for step in STEPS}

    base = results["baseline"]
    print()
    print(
        f"{'étape':<36} {'durée (s)':>10} {'CPU (s)':>8} {'pic RSS (Mo)':>13} "
        f"{'au-dessus de la base':>21}"
    )
    for step in STEPS:
        r = results[step]
        seconds = float(r.get("seconds", 0.0))  # type: ignore[arg-type]
        cpu = float(r.get("cpu_seconds", 0.0))  # type: ignore[arg-type]
        peak = float(r["peak_rss_mb"])  # type: ignore[arg-type]
        extra = peak - float(base["peak_rss_mb"])  # type: ignore[arg-type]
        print(f"{LABELS[step]:<36} {seconds:>10.2f} {cpu:>8.2f} {peak:>13.0f} {extra:>21.0f}")
    load = float(results["load"]["seconds"])  # type: ignore[arg-type]
    reference = float(results["pandas"]["seconds"])  # type: ignore[arg-type]
    print()
    print(f"Chargement complet = {load / reference:.1f} × la lecture pandas seule.")
    print(
        "Par jeu (chargement complet, s) :",
        json.dumps(results["load"].get("datasets"), ensure_ascii=False),
    )
    print("États :", results["load"].get("status"), "/", results["reload"].get("status"))


if __name__ == "__main__":
    main()
