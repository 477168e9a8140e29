"""The BMO section of the basin diagnostic: the basin's share of the BMO facts (through the
crosswalk), yearly figures, families and métiers, tension métiers, location quotients,
shift-share and the peer comparison values. Called by `indicators.basin_diagnostic`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd

from .basin_context import BasinContext
from .bmo_section_tables import bmo_section_tables, tables_key
from .columns import (
    BASSIN_BMO_CODE,
    COVERAGE,
    DIFFICULT,
    DIFFICULTY_RATE,
    DURABLE,
    FAMILY_CODE,
    FAMILY_LABEL,
    MASKED_CELLS,
    METIER_CODE,
    METIER_LABEL,
    PROJECTS,
    PROJECTS_PER_1000,
    SEASONAL,
    SEASONAL_RATE,
    YEAR,
    ZONE_CODE,
)
from .common import shared
from .crosswalk import Crosswalk, crosswalk_method
from .diagnostic_params import DiagnosticParams
from .diagnostic_sections import Section
from .periods import missing_periods
from .records import frame_records, json_scalar
from .references import bmo_region
from .structure import (
    location_quotients,
    shift_share,
    shift_share_reference,
)

# Indicators compared with peers: (indicator, peer set)
BMO_PEER_INDICATORS = [PROJECTS_PER_1000, DIFFICULTY_RATE, SEASONAL_RATE]

BMO_SOURCE = "les projets de recrutement BMO"


def _bmo_coverage(basin_facts: pd.DataFrame, crosswalk: Crosswalk) -> pd.DataFrame:
    """Per year: share of the basin's population in bassins present in the BMO facts
    (`basin_facts`: the facts already restricted to the basin's bassins)."""
    shares = crosswalk.zones.set_index(ZONE_CODE)["basin_share"]
    present = pd.DataFrame(
        {YEAR: basin_facts[YEAR], ZONE_CODE: basin_facts[BASSIN_BMO_CODE].astype(str)}
    ).drop_duplicates()
    present["basin_share"] = present[ZONE_CODE].map(shares).astype("Float64")
    coverage = present.groupby(YEAR, sort=True)["basin_share"].sum()
    return coverage.rename(COVERAGE).reset_index()


def _year_rows(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    return frame[frame[YEAR] == year][[FAMILY_CODE, PROJECTS]]


def bmo_section(
    bmo: pd.DataFrame,
    *,
    communes: pd.DataFrame,
    codes: Sequence[str],
    population: int,
    region_code: str | None,
    params: DiagnosticParams,
    context: BasinContext,
) -> tuple[Section, pd.DataFrame, pd.DataFrame]:
    """BMO indicators of the basin, with region and France references.

    `context`: the basin's crosswalk, BMO totals and the shared references
    (`basin_context`). Returns the section, the basin's totals by year (with estimated /
    coverage) and the peers frame of bassins BMO (for the comparison)."""
    section = Section()
    crosswalk = context.crosswalks["bassin_bmo"]
    references = context.references.bmo
    frames = context.bmo
    if references is None or frames is None:
        raise ValueError("Contexte du bassin incomplet : références ou totaux BMO absents.")
    section.tables["zones_bmo"] = crosswalk.zones
    years = list(references.years)
    estimated = not crosswalk.exact

    # Totals per year (per 1,000 inhabitants, coverage), family and métier, métiers in tension
    # and top métiers, secrecy applied: computed for the whole batch when the basin is part of
    # one, else for this basin alone with the same function.
    key = tables_key(params, population, years)
    tables = context.bmo_tables
    if tables is None or tables.key != key:
        tables = bmo_section_tables(
            {0: frames},
            estimated={0: estimated},
            populations={0: population},
            years=years,
            params=params,
        )[0]
    by_year, by_family, by_metier = tables.by_year, tables.by_family, tables.by_metier
    tension = tables.tension
    last_year = years[-1] if years else None
    top_projects, top_difficult = tables.top_projects, tables.top_difficult
    section.tables.update(
        {
            "bmo_years": by_year,
            "bmo_families": by_family,
            "bmo_metiers": by_metier,
            "top_metiers_projects": top_projects,
            "top_metiers_difficult": top_difficult,
            "tension_metiers": tension,
        }
    )

    # References: the region (bassins whose population lies mostly in it) and France.
    france_family = references.france_family
    france_year = references.france_year
    region_family, region_year, region_population = bmo_region(
        references, bmo, communes, region_code
    )

    lq_tables: dict[str, pd.DataFrame] = {}
    shift: pd.DataFrame | None = None
    if last_year is not None:
        local_last = by_family[by_family[YEAR] == last_year][[FAMILY_CODE, PROJECTS]]
        labels = by_family.drop_duplicates(FAMILY_CODE, keep="last")[[FAMILY_CODE, FAMILY_LABEL]]
        for name, reference in (("lq_region", region_family), ("lq_france", france_family)):
            # The reference's last year: the same for every basin of the batch (of the region).
            ref_last = shared(
                context.cache,
                (
                    "bmo_reference_last",
                    name,
                    last_year,
                    region_code if name == "lq_region" else None,
                ),
                reference,
                partial(_year_rows, reference, last_year),
            )
            table = location_quotients(
                local_last, ref_last, key=FAMILY_CODE, value=PROJECTS, threshold=params.lq_threshold
            )
            lq_tables[name] = table.merge(labels, on=FAMILY_CODE, how="left")
        if len(years) >= 2:
            # France's values of the two years, checked and read once per batch.
            span = (years[0], years[-1])
            shift = shift_share(
                by_family,
                france_family,
                key=FAMILY_CODE,
                value=PROJECTS,
                start=span[0],
                end=span[1],
                reference_years=shared(
                    context.cache,
                    ("bmo_france_family_years", span),
                    france_family,
                    partial(
                        shift_share_reference,
                        france_family,
                        key=FAMILY_CODE,
                        value=PROJECTS,
                        years=span,
                    ),
                ),
            )
            section.tables["shift_share"] = shift
    section.tables.update(lq_tables)

    # Peers: every bassin BMO of the last year with its population (shared references).
    peers = references.peers

    def reference_summary(year_table: pd.DataFrame, pop: float | None) -> dict[str, Any] | None:
        if last_year is None:
            return None
        row = year_table[year_table[YEAR] == last_year]
        if row.empty:
            return None
        first = row.iloc[0]
        per_1000 = (
            float(first[PROJECTS]) * 1000 / pop if pop and not pd.isna(first[PROJECTS]) else None
        )
        return {
            "year": last_year,
            "projects": json_scalar(first[PROJECTS], 0),
            "projects_per_1000": json_scalar(per_1000, 1),
            "difficulty_rate": json_scalar(first[DIFFICULTY_RATE], 4),
            "seasonal_rate": json_scalar(first[SEASONAL_RATE], 4),
            "masked_cells": json_scalar(first[MASKED_CELLS]),
        }

    france_population = references.france_population
    region_ref = reference_summary(region_year, region_population)
    france_ref = reference_summary(france_year, france_population)

    method = crosswalk_method(
        crosswalk,
        measure="count",
        source=BMO_SOURCE,
        coverage=float(by_year[COVERAGE].min()) if len(by_year) else 0.0,
    )
    method += (
        " Totaux : somme des cellules publiées ; les cellules secrètes (« * ») ne sont jamais "
        "comptées comme 0 et leur nombre accompagne chaque total. Taux de difficulté = Σ projets "
        "difficiles / Σ projets, et taux de saisonnalité = Σ projets saisonniers / Σ projets, "
        "calculés sur les cellules où les deux valeurs sont publiées."
    )
    if estimated:
        method += (
            f" Aucun chiffre estimé inférieur au seuil de diffusion ({params.bmo_threshold} "
            "projets) n'est affiché."
        )
    section.method = method
    section.gaps = [str(y) for y in missing_periods(years)]
    top_columns = {
        METIER_CODE: "code",
        METIER_LABEL: "label",
        FAMILY_CODE: "family",
        PROJECTS: "projects",
        DIFFICULT: "difficult",
        DIFFICULTY_RATE: "difficulty_rate",
    }
    decimals = {PROJECTS: 0, DIFFICULT: 0, DIFFICULTY_RATE: 4, SEASONAL: 0, SEASONAL_RATE: 4}
    family_last = by_family[by_family[YEAR] == last_year] if last_year is not None else by_family
    section.document = {
        "years": years,
        "estimated": estimated,
        "zones": crosswalk.zone_codes,
        "single_zone": crosswalk.single_zone,
        "families": frame_records(
            family_last,
            {
                FAMILY_CODE: "code",
                FAMILY_LABEL: "label",
                PROJECTS: "projects",
                DIFFICULT: "difficult",
                DIFFICULTY_RATE: "difficulty_rate",
                SEASONAL: "seasonal",
                SEASONAL_RATE: "seasonal_rate",
                MASKED_CELLS: "masked_cells",
            },
            decimals,
        ),
        "top_metiers": {
            "year": last_year,
            "projects": frame_records(top_projects, top_columns, decimals),
            "difficult": frame_records(top_difficult, top_columns, decimals),
        },
        "region": region_ref,
        "france": france_ref,
        "location_quotients": {
            name.removeprefix("lq_"): frame_records(
                table,
                {
                    FAMILY_CODE: "code",
                    FAMILY_LABEL: "label",
                    "local_share": "basin_share",
                    "reference_share": "reference_share",
                    "location_quotient": "lq",
                    "concentrated": "concentrated",
                },
                {"local_share": 4, "reference_share": 4, "location_quotient": 3},
            )
            for name, table in lq_tables.items()
        },
        "shift_share": (
            {
                "start": years[0],
                "end": years[-1],
                "reference": "France",
                "families": frame_records(
                    shift,
                    {
                        FAMILY_CODE: "code",
                        "start_value": "start",
                        "end_value": "end",
                        "change": "change",
                        "national_share": "national_share",
                        "industry_mix": "industry_mix",
                        "regional_shift": "regional_shift",
                    },
                    {
                        "start_value": 1,
                        "end_value": 1,
                        "change": 1,
                        "national_share": 1,
                        "industry_mix": 1,
                        "regional_shift": 1,
                    },
                ),
                "total": {
                    key: json_scalar(shift[column].sum(), 1)
                    for key, column in (
                        ("change", "change"),
                        ("national_share", "national_share"),
                        ("industry_mix", "industry_mix"),
                        ("regional_shift", "regional_shift"),
                    )
                },
            }
            if shift is not None
            else None
        ),
        "tension_metiers": frame_records(
            tension[tension["in_tension"]],
            {
                METIER_CODE: "code",
                METIER_LABEL: "label",
                FAMILY_CODE: "family",
                PROJECTS: "projects",
                DIFFICULT: "difficult",
                DIFFICULTY_RATE: "difficulty_rate",
                DURABLE: "durable",
                "years_in_tension": "years_in_tension",
            },
            decimals,
        ),
    }
    for item in section.document["tension_metiers"]:
        item["estimated"] = estimated
    region_values = {
        PROJECTS_PER_1000: (region_ref or {}).get("projects_per_1000"),
        DIFFICULTY_RATE: (region_ref or {}).get("difficulty_rate"),
        SEASONAL_RATE: (region_ref or {}).get("seasonal_rate"),
    }
    section.document["region_values"] = region_values
    return section, by_year, peers
