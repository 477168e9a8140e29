"""How each criterion's raw value is read: one small function per criterion, named in its
declaration (`criteria.CRITERIA`), here for the diagnostic document, the catalogue gap, the
imported indicators and the referential; the basin's assets are read in
`criterion_asset_readers`, and the inputs of every reader are the classes of `criterion_inputs`.
Pure: the selectors gather the inputs from the database.

A reader returns {"raw", "source", "vintage", "note", "estimated", "variant"} (keys optional,
raw None = missing with its reason in the note), or None when its source says nothing about the
criterion (the criterion is then « donnée absente »).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from diagnostics.analytics.common import format_number

from .criterion_inputs import (
    DiagnosticInputs,
    GapInputs,
    IndicatorInputs,
    RawValue,
    ReferentialInputs,
)

# --- Demand and publics: the diagnostic document ----------------------------------------------


def _bmo_years(inputs: DiagnosticInputs) -> list[int]:
    years = inputs.document.get("years") or {}
    return sorted(int(y) for y, v in years.items() if (v or {}).get("bmo_projects") is not None)


def _bmo_last(inputs: DiagnosticInputs) -> tuple[int, Mapping[str, Any], bool, str] | None:
    """(last BMO year, its figures, estimated, note) or None without BMO figures."""
    bmo_years = _bmo_years(inputs)
    if not bmo_years:
        return None
    last = inputs.document["years"][str(bmo_years[-1])]
    estimated = bool(last.get("bmo_estimated"))
    note = f"BMO {bmo_years[-1]}"
    if estimated:
        note += ", estimé : réparti depuis les bassins BMO au prorata de la population"
        coverage = last.get("bmo_coverage")
        if coverage is not None and float(coverage) < 0.995:
            note += f" (couverture {format_number(float(coverage) * 100)} %)"
    return bmo_years[-1], last, estimated, note


def read_bmo_projects_per_1000(inputs: DiagnosticInputs) -> RawValue | None:
    found = _bmo_last(inputs)
    if found is None:
        return None
    _, last, estimated, note = found
    per_1000 = last.get("bmo_projects_per_1000")
    if per_1000 is None and inputs.population:
        per_1000 = float(last["bmo_projects"]) * 1000 / inputs.population
    return {
        "raw": per_1000,
        "source": "bmo",
        "vintage": inputs.vintages.get("bmo", ""),
        "note": note,
        "estimated": estimated,
    }


def read_bmo_difficulty_rate(inputs: DiagnosticInputs) -> RawValue | None:
    found = _bmo_last(inputs)
    if found is None or found[1].get("bmo_difficulty_rate") is None:
        return None
    _, last, estimated, note = found
    return {
        "raw": float(last["bmo_difficulty_rate"]) * 100,
        "source": "bmo",
        "vintage": inputs.vintages.get("bmo", ""),
        "note": note,
        "estimated": estimated,
    }


def read_bmo_trend(inputs: DiagnosticInputs) -> RawValue | None:
    found = _bmo_last(inputs)
    bmo_years = _bmo_years(inputs)
    if found is None or len(bmo_years) < 2:
        return None
    _, last, estimated, _ = found
    first_year, last_year = bmo_years[0], bmo_years[-1]
    first = float(inputs.document["years"][str(first_year)]["bmo_projects"])
    final = float(last["bmo_projects"])
    if not (first > 0 and final > 0):
        return None
    rate = (final / first) ** (1 / (last_year - first_year)) - 1
    return {
        "raw": rate * 100,
        "source": "bmo",
        "vintage": inputs.vintages.get("bmo", ""),
        "note": f"de {first_year} à {last_year}",
        "estimated": estimated,
    }


def _unemployment(inputs: DiagnosticInputs) -> list[Mapping[str, Any]]:
    return [u for u in inputs.document.get("unemployment") or [] if u.get("rate") is not None]


def read_unemployment_rate(inputs: DiagnosticInputs) -> RawValue | None:
    series = _unemployment(inputs)
    if not series:
        return None
    last = series[-1]
    return {
        "raw": float(last["rate"]),
        "source": "chomage_ze",
        "vintage": inputs.vintages.get("chomage_ze", ""),
        "note": str(last["period"]),
        "estimated": bool(last.get("estimated")),
    }


def read_unemployment_trend(inputs: DiagnosticInputs) -> RawValue | None:
    series = _unemployment(inputs)
    if not series:
        return None
    last = series[-1]
    year, _, quarter = str(last["period"]).partition("-")
    before = next(
        (u for u in series if year.isdigit() and u["period"] == f"{int(year) - 1}-{quarter}"),
        None,
    )
    if before is None:
        return None
    return {
        "raw": float(last["rate"]) - float(before["rate"]),
        "source": "chomage_ze",
        "vintage": inputs.vintages.get("chomage_ze", ""),
        "note": f"{before['period']} → {last['period']}",
        "estimated": bool(last.get("estimated")),
    }


def _last_known(items: Iterable[Mapping[str, Any]], key: str) -> Mapping[str, Any] | None:
    last = None
    for item in items:
        if item.get(key) is not None:
            last = item
    return last


def read_job_seekers_per_1000(inputs: DiagnosticInputs) -> RawValue | None:
    seekers = _last_known(inputs.document.get("job_seekers") or [], "value")
    if seekers is None or not inputs.population:
        return None
    note = str(seekers["period"])
    if seekers.get("estimated") and seekers.get("coverage") is not None:
        note += (
            f", estimé (communes publiées : {format_number(float(seekers['coverage']) * 100)}"
            " % de la population)"
        )
    return {
        "raw": float(seekers["value"]) * 1000 / inputs.population,
        "source": "defm",
        "vintage": inputs.vintages.get("defm", ""),
        "note": note,
        "estimated": bool(seekers.get("estimated")),
    }


def read_reconversion_bridges(inputs: DiagnosticInputs) -> RawValue | None:
    """Job seekers of saturated métiers close to a métier in tension (bridges, issue 17), per
    1,000 inhabitants of the bassins BMO concerned (the tension figures are the bassins',
    never apportioned). None when the run has no prospective section (older run) or no tension
    data; 0 when the data show no bridge."""
    bridges = ((inputs.document.get("prospective") or {}).get("bridges")) or {}
    if not bridges.get("available") or bridges.get("bridged_per_1000") is None:
        return None
    count = float(bridges.get("bridged_job_seekers") or 0)
    return {
        "raw": float(bridges["bridged_per_1000"]),
        "source": "tensions",
        "vintage": inputs.vintages.get("tensions", ""),
        "note": (
            f"{format_number(count)} demandeurs de {bridges.get('bridged_saturated', 0)} métier(s) "
            f"saturé(s) proches d'un métier en tension, tensions {bridges.get('year')}, bassins "
            "BMO entiers"
        ),
        "estimated": False,
    }


# --- The catalogue gap ------------------------------------------------------------------------


def read_catalogue_gap(inputs: GapInputs) -> RawValue | None:
    """Mean gap score of the first `top` usable ranked paths."""
    first = [
        float(s) for s in inputs.scores[: inputs.top] if s is not None and not math.isnan(float(s))
    ]
    if not first:
        return None
    return {
        "raw": sum(first) / len(first),
        "source": "catalogue",
        "vintage": inputs.vintage,
        "note": f"moyenne des {len(first)} premiers parcours sur {inputs.ranked} classés",
    }


# --- Imported indicators (the same reading for every indicator criterion) ---------------------


def read_indicator(inputs: IndicatorInputs) -> RawValue:
    note = f"{inputs.variant}, {inputs.period}, niveau {inputs.level}"
    if inputs.coverage is not None and inputs.coverage < 1:
        note += f", communes couvertes : {format_number(inputs.coverage * 100)} % de la population"
    return {
        "raw": inputs.value,
        "source": "indicator",
        "vintage": inputs.vintage,
        "note": note,
        "estimated": inputs.level not in ("commune",) and inputs.level != "basin",
        "variant": inputs.variant,
    }


# --- Referential: Cnam sites and legal populations --------------------------------------------


def read_cnam_distance_km(inputs: ReferentialInputs) -> RawValue:
    if inputs.nearest_site is not None:
        name, km = inputs.nearest_site
        return {"raw": km, "source": "referential", "note": f"site le plus proche : {name}"}
    if inputs.stored_site_km is not None:
        return {"raw": inputs.stored_site_km, "source": "referential", "note": ""}
    return {
        "raw": None,
        "source": "referential",
        "note": (
            "aucun site Cnam renseigné"
            if not inputs.sites_known
            else "ville principale sans coordonnées"
        ),
    }


def read_population(inputs: ReferentialInputs) -> RawValue:
    return {
        "raw": inputs.population or None,
        "source": "referential",
        "vintage": ", ".join(inputs.population_vintages),
        "note": f"{inputs.communes} communes",
    }
