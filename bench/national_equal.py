"""Batch = alone on the real data (issue 16): every done reference run (written by a national
batch, with the chunk's memo) against the same run recomputed alone by `diagnostic_compute`
(no memo), document and tables compared as stored JSON.

    DATABASE_URL=… python bench/national_equal.py [--limit N]

Run it right after a batch, in the same state of the database (the secrecy check by difference
reads the reports already published). Exit code 1 when a run differs; the differing document
keys and tables are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="at most N runs (0: all)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    import django

    django.setup()
    from diagnostics.models import DiagnosticRun
    from diagnostics.services.diagnostic_document import diagnostic_compute

    runs = list(
        DiagnosticRun.objects.filter(basin__is_reference=True, status="done")
        .select_related("basin")
        .order_by("pk")
    )
    if args.limit:
        runs = runs[: args.limit]
    different = 0
    for run in runs:
        document, tables = diagnostic_compute(run, timings={}, progress=False)
        alone, stored = _json(document), _json(run.results)
        alone_tables, stored_tables = _json(tables), _json(run.tables)
        if alone != stored or alone_tables != stored_tables:
            different += 1
            keys = sorted(k for k in set(alone) | set(stored) if alone.get(k) != stored.get(k))
            names = sorted(
                k
                for k in set(alone_tables) | set(stored_tables)
                if alone_tables.get(k) != stored_tables.get(k)
            )
            print(f"différent : {run.basin.name} — document {keys}, tables {names}")
    print(f"{len(runs)} diagnostics comparés, {different} différent(s)")
    if different:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
