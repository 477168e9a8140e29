"""Statistical secrecy by difference: withdraws a run's count figures that, with the published
figures of the overlapping basins' latest reports, would reveal a figure under the source's
threshold (`difference_guard`), in the document and the tables."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from diagnostics.analytics import columns as c
from diagnostics.analytics.column_labels import COLUMN_LABELS_FR
from diagnostics.analytics.secrecy import newly_disclosed
from diagnostics.models import DiagnosticRun
from diagnostics.selectors import diagnostics as selectors

# --- Secrecy by difference with overlapping basins ---------------------------------------------


@dataclasses.dataclass
class GuardResult:
    overlapping_runs: list[int]
    suppressed: list[dict[str, Any]]
    method: str


# Count figures checked: (table, key columns, value columns, source of the threshold).
GUARDED_FIGURES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("bmo_years", (c.YEAR,), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    ("bmo_families", (c.YEAR, c.FAMILY_CODE), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    ("bmo_metiers", (c.YEAR, c.METIER_CODE), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    ("top_metiers_projects", (c.YEAR, c.METIER_CODE), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    (
        "top_metiers_difficult",
        (c.YEAR, c.METIER_CODE),
        (c.PROJECTS, c.DIFFICULT, c.SEASONAL),
        "bmo",
    ),
    ("tension_metiers", (c.YEAR, c.METIER_CODE), (c.PROJECTS, c.DIFFICULT), "bmo"),
    ("years", (c.YEAR,), ("bmo_projects", "bmo_difficult", "bmo_seasonal"), "bmo"),
    ("job_seekers", (c.PERIOD,), (c.VALUE,), "defm"),
    ("job_seekers_years", (c.YEAR,), (c.VALUE,), "defm"),
)
# Tables sharing figures: a figure of `years` is the one of `bmo_years` (same key).
FIGURE_FAMILY = {
    "bmo_years": "bmo_year",
    "years": "bmo_year",
    "bmo_families": "bmo_family",
    "bmo_metiers": "bmo_metier",
    "top_metiers_projects": "bmo_metier",
    "top_metiers_difficult": "bmo_metier",
    "tension_metiers": "bmo_metier",
    "job_seekers": "defm_month",
    "job_seekers_years": "defm_year",
}
MEASURE_FAMILY = {
    "bmo_projects": c.PROJECTS,
    "bmo_difficult": c.DIFFICULT,
    "bmo_seasonal": c.SEASONAL,
}


def _figures(
    tables: Mapping[str, Mapping[str, Any]], *, estimated_only: bool = False
) -> dict[tuple[Any, ...], float]:
    """The count figures a report publishes: {(family, key…, measure): value}. With
    `estimated_only`, only the estimated ones: an exact figure (a sum of figures the source
    publishes) is public anyway and is never withdrawn."""
    out: dict[tuple[Any, ...], float] = {}
    bmo_estimated = _bmo_estimated(tables)
    for name, keys, measures, payload, columns in _guarded_tables(tables):
        if estimated_only and FIGURE_FAMILY[name].startswith("bmo") and not bmo_estimated:
            continue
        key_at = [columns.index(k) for k in keys]
        flag_at = columns.index(c.ESTIMATED) if c.ESTIMATED in columns else None
        if name == "years":
            flag_at = None
        for measure in measures:
            if measure not in columns:
                continue
            at = columns.index(measure)
            for row in payload["rows"]:
                if row[at] is None:
                    continue
                if estimated_only and flag_at is not None and row[flag_at] is False:
                    continue
                figure = (
                    FIGURE_FAMILY[name],
                    *(str(row[i]) for i in key_at),
                    MEASURE_FAMILY.get(measure, measure),
                )
                out[figure] = float(row[at])
    return out


def _bmo_estimated(tables: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether the BMO figures of a report are estimates (the basin is not a union of whole
    bassins BMO): the `estimated` column of its yearly table."""
    payload = tables.get("bmo_years") or {}
    columns = payload.get("columns") or []
    if c.ESTIMATED not in columns:
        return True
    at = columns.index(c.ESTIMATED)
    return any(row[at] is not False for row in payload.get("rows") or [])


def _threshold_of(figure: tuple[Any, ...], thresholds: Mapping[str, float]) -> float:
    return float(thresholds["defm" if str(figure[0]).startswith("defm") else "bmo"])


def difference_guard(
    *,
    run: DiagnosticRun,
    codes: Sequence[str],
    document: dict[str, Any],
    tables: dict[str, dict[str, Any]],
    thresholds: Mapping[str, float],
) -> GuardResult:
    """Suppress this run's count figures that, with the published figures of the overlapping
    basins' latest reports, would reveal the figure of a part of the territory under the
    source's threshold (e.g. basin B = basin A + one small commune: B − A is that commune's
    figure). Counts are additive over communes (the engine's sums and population apportioning
    are), so each figure is the sum of the « atoms » (sets of communes with the same
    membership) of its basin: `secondary_suppression` tells which atoms a figure would
    determine together with the public ones, and their values follow by least squares.
    Edits `document` and `tables` in place."""
    others = selectors.overlapping_runs(basin=run.basin, commune_codes=codes)
    if not others:
        return GuardResult(
            [],
            [],
            " Aucun autre bassin publié ne recoupe celui-ci : aucun chiffre ne peut être "
            "retrouvé par différence.",
        )
    own = set(codes)
    sets = [set(o.basin_snapshot.get("communes") or []) for o in others]
    signatures: dict[tuple[bool, ...], str] = {}
    for code in sorted(own.union(*sets)):
        signature = (code in own, *(code in s for s in sets))
        signatures.setdefault(signature, f"a{len(signatures)}")
    atoms = list(signatures.items())  # [(signature, atom id)]
    unit_ids = [atom for _, atom in atoms]
    # Which atoms each basin covers, one column per atom: row 0 this run's basin, row i + 1 the
    # basin of `others[i]`.
    covers = np.array([signature for signature, _ in atoms], dtype=float)
    covers = covers.reshape(len(atoms), len(others) + 1).T
    own_figures = _figures(tables, estimated_only=True)
    other_figures = [_figures(o.tables or {}) for o in others]

    structure_cache: dict[tuple[int, ...], tuple[list[str], np.ndarray, list[int]]] = {}

    def structure(public: tuple[int, ...]) -> tuple[list[str], np.ndarray, list[int]]:
        """For a set of public figures (indexes of `others`): the atoms the candidate would
        newly determine, the pseudo-inverse of the system, and the atom positions."""
        if public in structure_cache:
            return structure_cache[public]
        # One row per figure (the public ones, then the candidate), one column per atom.
        matrix = covers[[i + 1 for i in public] + [0]]
        positions = [int(j) for j in np.flatnonzero(newly_disclosed(matrix[:-1], matrix[-1]))]
        revealed = [unit_ids[j] for j in positions]
        result = (revealed, np.linalg.pinv(matrix), positions)
        structure_cache[public] = result
        return result

    suppressed: dict[tuple[Any, ...], str] = {}
    for figure, value in own_figures.items():
        public = tuple(i for i, figures in enumerate(other_figures) if figure in figures)
        if not public:
            continue
        revealed, pinv, positions = structure(public)
        if not revealed:
            continue
        values = np.array([other_figures[i][figure] for i in public] + [value])
        solution = pinv @ values
        threshold = _threshold_of(figure, thresholds)
        small = [
            (atom, float(solution[p]))
            for atom, p in zip(revealed, positions, strict=True)
            if 0 < round(abs(float(solution[p])), 6) < threshold
        ]
        if small:
            names = ", ".join(
                f"« {others[i].basin_snapshot.get('name') or others[i].basin_id} » "
                f"(diagnostic n° {others[i].pk})"
                for i in public
            )
            suppressed[figure] = (
                f"masqué : la différence avec le bassin {names} révélerait un chiffre inférieur "
                f"au seuil de diffusion ({int(threshold)})"
            )
    if suppressed:
        _apply_suppression(document, tables, suppressed)
    listed = [
        {"figure": list(map(str, figure)), "reason": reason}
        for figure, reason in suppressed.items()
    ]
    n = len(suppressed)
    method = f" Bassins publiés qui recoupent celui-ci : {len(others)} ; " + (
        f"{n} chiffre{'s' if n > 1 else ''} masqué{'s' if n > 1 else ''} car "
        f"{'ils permettraient' if n > 1 else 'il permettrait'} de retrouver par différence "
        "un chiffre inférieur au seuil de diffusion."
        if n
        else "aucune différence avec leurs chiffres ne révèle de chiffre inférieur au seuil "
        "de diffusion."
    )
    return GuardResult([o.pk for o in others], listed, method)


def _guarded_tables(
    tables: Mapping[str, Any],
) -> Iterator[tuple[str, Sequence[str], Sequence[str], Any, list[str]]]:
    """(name, key columns, measures, payload, columns) of each table of GUARDED_FIGURES that
    has rows and all its key columns."""
    for name, keys, measures, _ in GUARDED_FIGURES:
        payload = tables.get(name)
        if not payload or not payload.get("rows"):
            continue
        columns = payload["columns"]
        if all(k in columns for k in keys):
            yield name, keys, measures, payload, columns


def _apply_suppression(
    document: dict[str, Any],
    tables: dict[str, dict[str, Any]],
    suppressed: Mapping[tuple[Any, ...], str],
) -> None:
    # Tables: the value becomes None, the row says why.
    for name, keys, measures, payload, columns in _guarded_tables(tables):
        if c.SUPPRESSED not in columns:
            columns.append(c.SUPPRESSED)
            payload["labels"].append(COLUMN_LABELS_FR[c.SUPPRESSED])
            for row in payload["rows"]:
                row.append(False)
        if c.SUPPRESSION_REASON not in columns:
            columns.append(c.SUPPRESSION_REASON)
            payload["labels"].append(COLUMN_LABELS_FR[c.SUPPRESSION_REASON])
            for row in payload["rows"]:
                row.append(None)
        key_at = [columns.index(k) for k in keys]
        flag_at, reason_at = columns.index(c.SUPPRESSED), columns.index(c.SUPPRESSION_REASON)
        for measure in measures:
            if measure not in columns:
                continue
            at = columns.index(measure)
            for row in payload["rows"]:
                figure = (
                    FIGURE_FAMILY[name],
                    *(str(row[i]) for i in key_at),
                    MEASURE_FAMILY.get(measure, measure),
                )
                if figure in suppressed and row[at] is not None:
                    row[at] = None
                    row[flag_at] = True
                    row[reason_at] = suppressed[figure]
    # Document: the same figures where it repeats them.
    for year, entry in (document.get("years") or {}).items():
        for key, measure in (
            ("bmo_projects", c.PROJECTS),
            ("bmo_difficult", c.DIFFICULT),
            ("bmo_seasonal", c.SEASONAL),
        ):
            if ("bmo_year", str(year), measure) in suppressed:
                entry[key] = None
        if ("defm_year", str(year), c.VALUE) in suppressed:
            entry["job_seekers"] = None
    for item in document.get("job_seekers") or []:
        if ("defm_month", str(item.get("period")), c.VALUE) in suppressed:
            item["value"] = None
    bmo = document.get("bmo") or {}
    last_year = str((bmo.get("top_metiers") or {}).get("year"))
    for item in bmo.get("families") or []:
        for measure in (c.PROJECTS, c.DIFFICULT, c.SEASONAL):
            if ("bmo_family", last_year, str(item.get("code")), measure) in suppressed:
                item[measure] = None
    lists = [
        *((bmo.get("top_metiers") or {}).get(k) or [] for k in ("projects", "difficult")),
        document.get("tension_metiers") or [],
    ]
    for items in lists:
        for item in items:
            for measure in (c.PROJECTS, c.DIFFICULT):
                if ("bmo_metier", last_year, str(item.get("code")), measure) in suppressed:
                    item[measure] = None
