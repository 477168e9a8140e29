"""The `TerritoryLoad` row each dataset leaves (files and their hashes, rows, details, duration)
and its one-line French summary."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from diagnostics.models import TerritoryLoad
from diagnostics.services.territory_datasets import (
    BMO_ONLY_BASSINS,
    BMO_ONLY_BASSINS_LABEL,
    DATASET_LABELS,
    Log,
)


def load_record(
    name: str,
    *,
    status: str,
    files: list[Path],
    started: Any,
    t0: float,
    log: Log | None,
    source: str = "",
    rows: int = 0,
    message: str = "",
    details: dict[str, Any] | None = None,
    hash_files: bool = True,
) -> TerritoryLoad:
    details = dict(details or {})
    if files:
        details["files"] = [
            {"path": str(p), "sha256": _sha256(p) if hash_files and p.is_file() else ""}
            for p in files
        ]
    main = files[0] if files else None
    load = TerritoryLoad.objects.create(
        dataset=name,
        source_file=str(main) if main else source[:500],
        sha256=details["files"][0]["sha256"] if files else "",
        status=status,
        rows=rows,
        details=jsonable(details),
        message=message,
        started_at=started,
        duration_s=round(time.perf_counter() - t0, 3),
    )
    if log:
        log(load_summary(load))
    return load


def load_summary(load: TerritoryLoad) -> str:
    """One line in French: dataset, status, rows, repaired geometries, remapped / unknown codes,
    duration; the message when the dataset was refused or missing."""
    label = DATASET_LABELS.get(load.dataset, load.dataset)
    parts = [f"{label} : {load.get_status_display()}"]
    if load.status == TerritoryLoad.Status.DONE:
        parts.append(f"{load.rows} lignes")
        d = load.details or {}
        if "created" in d:
            parts.append(f"{d['created']} créées, {d.get('updated', 0)} modifiées")
        if "repaired" in d:
            parts.append(f"{d['repaired']} géométries réparées")
        if "remapped" in d:
            parts.append(f"{d['remapped']} codes remappés, {d.get('unknown', 0)} inconnus")
        if BMO_ONLY_BASSINS in d:
            parts.append(f"{d[BMO_ONLY_BASSINS]['count']} {BMO_ONLY_BASSINS_LABEL}")
        if "without_cell" in d:
            parts.append(f"{d['without_cell']} sans cellule")
    parts.append(f"{load.duration_s:.1f} s")
    line = ", ".join(parts)
    if load.message:
        line += f" — {load.message}"
    return line


# --- helpers --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def jsonable(value: Any) -> Any:
    """Details stored in a JSONField: paths, sets and numpy scalars made plain."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)
