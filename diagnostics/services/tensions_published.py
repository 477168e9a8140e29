"""The published tension indicators of a diagnostic run: the basin's bassins BMO, their rows
as published (document key `tensions_published`), the vintages side by side (table
`tensions_published`) and what the report needs to say about them (`tensions_published_info`).

Called by `services.diagnostic_document.diagnostic_compute`; the figures are the bassins BMO's, never apportioned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.common import format_percent
from diagnostics.analytics.crosswalk import Crosswalk, basin_crosswalk
from diagnostics.analytics.tension_heatmap import tension_heatmap_caption
from diagnostics.analytics.tension_records import RECORD_COLUMNS, published_tension_rows
from diagnostics.analytics.tension_vintages import tension_vintages
from diagnostics.analytics.tensions_pool import PublishedPool, published_pool, rome_codes
from diagnostics.analytics.tensions_published import (
    FACTOR_LABELS,
    INDICATOR_LABELS,
    ROME_LABEL,
    VINTAGES,
    factors_published,
)
from diagnostics.selectors import tensions as selectors
from diagnostics.selectors.memo import (
    CHUNK_BASSINS,
    memo_active,
    memo_get,
    memoised,
    memoised_on,
)

TABLE = "tensions_published"
TABLE_TITLE = "Tension publiée par métier et ses facteurs, millésimes côte à côte"
SOURCE_NAME = (
    "Dares, France Travail — « Les tensions sur le marché du travail » par métier (ROME) et "
    "bassin BMO"
)
MISSING_MESSAGE = (
    "Aucun indicateur de tension publié dans ce diagnostic : le jeu de données « Tensions sur "
    "le marché du travail par métier (ROME) et bassin BMO » (Dares, France Travail) n'est pas "
    "importé. Un administrateur l'importe depuis la page Données › Imports "
    "(/donnees/imports/nouveau/, type « tensions ») ou avec la commande "
    "« python manage.py import_dataset --kind tensions FICHIER » (fichiers 2019 et 2021), "
    "puis relance le diagnostic."
)


@dataclass
class PublishedTensions:
    document: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def _column_labels(vintages: pd.DataFrame) -> list[str]:
    fixed = {
        c.BASSIN_BMO_CODE: "Bassin BMO",
        c.ROME_CODE: "Code ROME",
        ROME_LABEL: "Métier",
        VINTAGES: "Millésimes publiés",
    }
    labels = []
    for column in vintages.columns:
        if column in fixed:
            labels.append(fixed[column])
            continue
        key, year = str(column)[:-5], str(column)[-4:]
        labels.append(f"{INDICATOR_LABELS[key]} {year}")
    return labels


def table_payloads(frames: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """The stored tables (same shape as `analytics.payload.table_payload`), French labels."""
    from diagnostics.analytics.payload import table_payload

    out = {}
    for name, frame in frames.items():
        payload = table_payload(name, frame)
        payload["title"] = TABLE_TITLE
        payload["labels"] = _column_labels(frame)
        out[name] = payload
    return out


def _bassins_note(zones: pd.DataFrame, names: Mapping[str, str], *, exact: bool) -> str:
    def name(code: str) -> str:
        return f"{code} {names[code]}" if code in names else code

    codes = [str(z) for z in zones[c.ZONE_CODE]]
    listed = ", ".join(name(code) for code in codes)
    if exact:
        return (
            f"Le bassin est la réunion exacte {'du bassin BMO' if len(codes) == 1 else 'des bassins BMO'} "
            f"{listed} : les valeurs sont celles publiées pour {'ce bassin' if len(codes) == 1 else 'ces bassins'}."
        )
    parts = []
    for row in zones.to_dict("records"):
        code = str(row[c.ZONE_CODE])
        value = float(row[c.ZONE_SHARE])
        share = "moins de 1\u202f%" if value < 0.01 else format_percent(value, decimals=0)
        whole = "entier" if bool(row[c.WHOLE_ZONE]) else f"{share} de sa population dans le bassin"
        parts.append(f"{name(code)} ({whole})")
    return (
        "Le bassin n'est pas une réunion de bassins BMO entiers ; ses communes appartiennent "
        f"aux bassins BMO {' ; '.join(parts)}. Les valeurs sont celles publiées pour ces "
        "bassins BMO entiers, elles ne sont pas réparties au bassin."
    )


def _source_text(sources: Mapping[str, Any], years: Sequence[int]) -> str:
    source = sources.get("tensions") or {}
    files = ", ".join(
        f"{b['file_name']}" + (f" (importé le {b['imported_on']})" if b.get("imported_on") else "")
        for b in source.get("batches") or []
    )
    text = f"Source : {SOURCE_NAME}, millésime{'s' if len(years) > 1 else ''} "
    text += " et ".join(str(y) for y in years) + "."
    if files:
        text += f" Fichiers : {files}."
    return text


def published_tensions_section(
    *,
    tension: pd.DataFrame | None,
    crosswalk: pd.DataFrame,
    codes: Sequence[str],
    sources: Mapping[str, Any],
    walk: Crosswalk | None = None,
) -> PublishedTensions:
    """Document keys `tensions_published` (one entry per published row of the basin's bassins
    BMO, stored as rows: `analytics.tension_records.published_tension_rows`, read back by
    `published_tension_records_of`) and `tensions_published_info`, and the frame of the `tensions_published`
    table. `tension`: `selectors.diagnostic_frames.tension_frame` of the run's batches (None: not
    imported); `crosswalk`: `selectors.diagnostic_frames.crosswalk_frame`."""
    out = PublishedTensions()
    info: dict[str, Any] = {
        "available": False,
        "factor_keys": dict(FACTOR_LABELS),
        "bassins": [],
        "whole_bassins": False,
        "years": [],
        "factors_published": {},
        "note": "",
        "source": "",
        "caption": "",
        "message": "",
    }
    out.document = {
        "tensions_published": {"columns": list(RECORD_COLUMNS), "rows": []},
        "tensions_published_info": info,
    }
    if tension is None or tension.empty:
        info["message"] = MISSING_MESSAGE
        return out

    if walk is None:  # a batch passes the crosswalk it computed for every basin
        walk = basin_crosswalk(crosswalk, basin_communes=list(codes), zoning="bassin_bmo")
    zones = walk.zones
    bassin_codes = [str(z) for z in zones[c.ZONE_CODE]]
    names = selectors.bassin_bmo_names(bassin_codes)
    factors = memoised_on(
        tension, ("factors_published",), lambda: factors_published(tension), versioned=True
    )
    # Every bassin's published rows, records and vintages in one pass, once per chunk of a
    # national batch (`selectors.memo`: the bassins of the chunk's basins); alone, the pool of
    # the basin's own bassins: the same rows (`analytics.tensions_pool`).
    if memo_active():
        scope = memo_get(CHUNK_BASSINS)

        def pool_of_chunk() -> PublishedPool:
            rows = tension if scope is None else selectors.tension_rows(tension, scope)
            labels = selectors.rome_labels(rome_codes(rows))
            return published_pool(rows, labels=labels, factors=factors)

        pool = memoised(("published_pool", id(tension), id(factors), scope), pool_of_chunk)
    else:
        # Alone, the pool of the basin's own bassins, kept per process and data version (a
        # basin run again, or another on the same bassins, reads it back).
        def pool_alone() -> PublishedPool:
            local = selectors.tension_rows(tension, bassin_codes)
            labels = selectors.rome_labels(local[c.ROME_CODE].astype(str).unique())
            return published_pool(local, labels=labels, factors=factors)

        pool = memoised_on(
            tension,
            ("published_pool_alone", id(factors), tuple(sorted(set(bassin_codes)))),
            pool_alone,
            versioned=True,
        )
    mine = pool.for_bassins(bassin_codes)
    published, years = mine.published, mine.years

    info.update(
        bassins=[
            {
                "code": str(row[c.ZONE_CODE]),
                "name": names.get(str(row[c.ZONE_CODE])),
                "whole": bool(row[c.WHOLE_ZONE]),
                "zone_share": round(float(row[c.ZONE_SHARE]), 4),
                "basin_share": round(float(row[c.BASIN_SHARE]), 4),
            }
            for row in zones.to_dict("records")
        ],
        whole_bassins=walk.exact,
        years=years,
        factors_published={str(y): factors.get(y, []) for y in years},
        note=_bassins_note(zones, names, exact=walk.exact) if len(zones) else "",
        source=_source_text(sources, years) if years else "",
    )
    out.document["tensions_published"] = published_tension_rows(mine.records)
    if published.empty:
        imported = ", ".join(str(y) for y in sorted(factors))
        info["message"] = (
            "Aucun indicateur de tension publié pour "
            + (
                f"les bassins BMO {', '.join(bassin_codes)}"
                if bassin_codes
                else "les communes du bassin (bassin BMO inconnu)"
            )
            + f" dans les millésimes importés ({imported})."
        )
        return out
    vintages = (
        mine.vintages if mine.vintages is not None else tension_vintages(published, factors=factors)
    )
    info["available"] = True
    info["caption"] = tension_heatmap_caption(vintages)
    out.frames[TABLE] = vintages
    return out
