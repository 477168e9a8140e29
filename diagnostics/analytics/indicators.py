"""The longitudinal basin diagnostic: one pure function, `basin_diagnostic`, turns the fact
frames of a basin (and of France, for the comparisons) into a JSON-serialisable document and the
tables behind every figure.

Inputs (column constants in `columns.py`; the selectors produce exactly these frames):

- `basin`: a mapping with `id`, `name`, `communes` (INSEE codes) and optionally `region_code`.
- `communes`: the commune crosswalk (CROSSWALK_COLUMNS), all of France for the comparisons.
- `bmo`: BMO facts (BMO_FACT_COLUMNS) of every bassin (France) — the basin's share is moved
  through the crosswalk; the rest feeds the region / France comparisons and the peers.
- `unemployment`: UNEMPLOYMENT_COLUMNS of every zone d'emploi.
- `job_seekers`: JOB_SEEKER_COLUMNS (communes and départements at least for the basin's).
- `tension`: DARES tension frame (TENSION_KEY_COLUMNS + components), every bassin.
Any source may be None or empty: the report is then partial and says so in `warnings`.

Output: `DiagnosticResult(document, tables)`. `document` follows issue 4's `--json` shape:
{"basin": {"id", "name", "population", ...}, "years": {"2025": {"population", "bmo_projects",
"bmo_difficult", "bmo_seasonal", "bmo_difficulty_rate", "bmo_masked_cells", "job_seekers",
"unemployment_rate", ... , "bmo_estimated": true, ...}}, "unemployment": [{"period", "rate",
"estimated"}], "job_seekers": [...], "tension_metiers": [{"code", "label", "projects",
"difficulty_rate", "durable", ...}], "bmo": {...}, "location_quotients": {...}, "shift_share":
{...}, "comparison": [...], "changes": [...], "tension_dares": {...}, "gaps": {...},
"method": {...}, "warnings": [...]}. Every estimated figure has an `estimated` flag next to it
(`<source>_estimated` inside a year). `tables` maps a name (TABLE_TITLES gives its French title)
to the frame behind a section, for CSV / XLSX export.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .bmo import (
    TENSION_MIN_PROJECTS,
    TENSION_MIN_YEARS,
    TENSION_THRESHOLD,
    bmo_by_family,
    bmo_by_metier,
    bmo_by_year,
    bmo_rollup,
    bmo_totals,
    tension_metiers,
    top_metiers,
    with_projects_per_1000,
)
from .columns import (
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    COVERAGE,
    CROSSWALK_COLUMNS,
    DIFFICULT,
    DIFFICULTY_RATE,
    DURABLE,
    ESTIMATED,
    FAMILY_CODE,
    FAMILY_LABEL,
    MASKED_CELLS,
    MET,
    METIER_CODE,
    METIER_LABEL,
    PEER_ID,
    PERIOD,
    PERIODS,
    POPULATION,
    PROJECTS,
    PROJECTS_PER_1000,
    RATE,
    REGION_CODE,
    ROME_CODE,
    SEASONAL,
    SEASONAL_RATE,
    SMET,
    TENSION_INDEX,
    VALUE,
    XMET,
    YEAR,
    YEAR_ON_YEAR,
    ZONE_CODE,
    ZONE_EMPLOI_CODE,
)
from .common import format_number, list_examples, require_columns
from .crosswalk import Crosswalk, apportion_counts, basin_crosswalk, crosswalk_method
from .labour import annual_average, job_seekers_series, unemployment_series, year_on_year
from .periods import missing_periods
from .secrecy import suppress_small
from .structure import (
    LQ_THRESHOLD,
    SIZE_BAND_EDGES,
    change_summary,
    location_quotients,
    peer_comparison,
    shift_share,
)
from .tension import basin_tension_frame, tension_index

ENGINE_VERSION = "1.0"

TABLE_TITLES = {
    "years": "Indicateurs par année",
    "zones_bmo": "Bassins BMO recouvrant le bassin",
    "zones_emploi": "Zones d'emploi recouvrant le bassin",
    "bmo_years": "Projets de recrutement BMO par année",
    "bmo_families": "Projets de recrutement par famille de métiers",
    "bmo_metiers": "Projets de recrutement par métier",
    "top_metiers_projects": "Métiers les plus recherchés",
    "top_metiers_difficult": "Métiers aux recrutements difficiles les plus nombreux",
    "tension_metiers": "Métiers en tension",
    "unemployment": "Taux de chômage trimestriel",
    "unemployment_years": "Taux de chômage annuel moyen",
    "job_seekers": "Demandeurs d'emploi par mois",
    "job_seekers_years": "Demandeurs d'emploi, moyenne annuelle",
    "lq_region": "Quotients de localisation des projets par famille (référence : région)",
    "lq_france": "Quotients de localisation des projets par famille (référence : France)",
    "shift_share": "Décomposition de l'évolution des projets (shift-share, référence : France)",
    "changes": "Évolutions entre la première et la dernière période",
    "comparison": "Comparaison avec les bassins de même taille et de la région",
    "tension_dares": "Indice recalculé à partir des offres et demandeurs, par métier (ROME)",
}

# Indicators compared with peers: (indicator, peer set)
BMO_PEER_INDICATORS = [PROJECTS_PER_1000, DIFFICULTY_RATE, SEASONAL_RATE]
UNEMPLOYMENT_PEER_INDICATORS = ["unemployment_rate"]

BMO_SOURCE = "les projets de recrutement BMO"


@dataclass(frozen=True)
class DiagnosticParams:
    """Parameters of a run (recorded with it)."""

    tension_threshold: float = TENSION_THRESHOLD
    tension_min_projects: int = TENSION_MIN_PROJECTS
    tension_min_years: int = TENSION_MIN_YEARS
    top_n: int = 10
    lq_threshold: float = LQ_THRESHOLD
    # BMO cells under 5 projects are published as `*`: no derived figure below it is shown.
    bmo_threshold: int = 5
    job_seekers_threshold: int = 5
    job_seekers_category: str = "ABC"
    size_band_edges: tuple[int, ...] = SIZE_BAND_EDGES

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["size_band_edges"] = list(self.size_band_edges)
        return data


@dataclass
class DiagnosticResult:
    """The document (JSON-serialisable) and the tables behind it (name → frame)."""

    document: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# JSON helpers


def _clean(value: Any, decimals: int | None = None) -> Any:
    """A JSON-safe scalar: NA / NaN → None, numpy → Python, floats rounded to `decimals`."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(float(value)) or math.isinf(float(value)):
            return None
        if decimals is None:
            return float(value)
        rounded = round(float(value), decimals)
        return int(rounded) if decimals == 0 else rounded
    if isinstance(value, int):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if isinstance(value, (str, list, dict)) else str(value)


def _records(
    frame: pd.DataFrame, columns: Mapping[str, str], decimals: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """Rows of `frame` as dicts: {json key: value} for `columns` (frame column → key)."""
    decimals = decimals or {}
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {key: _clean(row.get(column), decimals.get(column)) for column, key in columns.items()}
        )
    return out


def frame_to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Any frame as JSON-safe records (for the API and the exports)."""
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


# --------------------------------------------------------------------------------------------
# Helpers


def _majority_region(communes: pd.DataFrame, codes: Sequence[str]) -> str | None:
    rows = communes[communes[COMMUNE_CODE].astype(str).isin(codes)]
    rows = rows[rows[REGION_CODE].notna()]
    if rows.empty:
        return None
    weights = pd.to_numeric(rows[POPULATION]).fillna(0).groupby(rows[REGION_CODE].astype(str))
    totals = weights.sum().sort_index()
    return str(totals.idxmax())


def _zone_regions(communes: pd.DataFrame, zone_column: str) -> pd.Series:
    """Each zone's region: the one holding most of its population (ties: smallest code)."""
    rows = communes[communes[zone_column].notna() & communes[REGION_CODE].notna()]
    grouped = (
        rows.assign(
            _z=rows[zone_column].astype(str),
            _r=rows[REGION_CODE].astype(str),
            _p=pd.to_numeric(rows[POPULATION]).fillna(0),
        )
        .groupby(["_z", "_r"], sort=True)["_p"]
        .sum()
        .reset_index()
        .sort_values(["_z", "_p", "_r"], ascending=[True, False, True], kind="mergesort")
        .drop_duplicates("_z")
    )
    return pd.Series(grouped["_r"].to_numpy(), index=grouped["_z"].to_numpy())


def _zone_population(communes: pd.DataFrame, zone_column: str) -> pd.Series:
    rows = communes[communes[zone_column].notna()]
    return pd.to_numeric(rows[POPULATION]).fillna(0).groupby(rows[zone_column].astype(str)).sum()


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


# --------------------------------------------------------------------------------------------
# Sections


@dataclass
class _Section:
    document: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    method: str | None = None
    warnings: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


def _bmo_section(
    bmo: pd.DataFrame,
    *,
    communes: pd.DataFrame,
    codes: Sequence[str],
    population: int,
    region_code: str | None,
    params: DiagnosticParams,
) -> tuple[_Section, pd.DataFrame, pd.DataFrame]:
    """BMO indicators of the basin, with region and France references.

    Returns the section, the basin's totals by year (with estimated / coverage) and the peers
    frame of bassins BMO (for the comparison)."""
    section = _Section()
    crosswalk = basin_crosswalk(communes, basin_communes=codes, zoning="bassin_bmo")
    section.tables["zones_bmo"] = crosswalk.zones
    facts = apportion_counts(bmo, crosswalk=crosswalk, value_columns=[MET, XMET, SMET])
    years = sorted(int(y) for y in bmo[YEAR].dropna().unique())
    estimated = not crosswalk.exact

    by_year = with_projects_per_1000(bmo_by_year(facts), population=population)
    coverage = _bmo_coverage(facts, crosswalk)
    by_year = by_year.merge(coverage, on=YEAR, how="left")
    by_year[COVERAGE] = by_year[COVERAGE].astype("Float64").fillna(0.0)
    by_year[ESTIMATED] = estimated
    by_family = bmo_by_family(facts)
    by_metier = bmo_by_metier(facts)
    tension = tension_metiers(
        by_metier,
        threshold=params.tension_threshold,
        min_projects=params.tension_min_projects,
        min_years=params.tension_min_years,
        years=years,
    )
    count_columns = [PROJECTS, DIFFICULT, SEASONAL]
    if estimated:
        # Apportioned figures are estimates; none below the source's threshold is shown.
        by_year = suppress_small(by_year, columns=count_columns, threshold=params.bmo_threshold)
        by_family = suppress_small(by_family, columns=count_columns, threshold=params.bmo_threshold)
        by_metier = suppress_small(by_metier, columns=count_columns, threshold=params.bmo_threshold)
        tension = suppress_small(
            tension, columns=[PROJECTS, DIFFICULT], threshold=params.bmo_threshold
        )
    last_year = years[-1] if years else None
    top_projects = (
        top_metiers(by_metier, year=last_year, measure="projects", n=params.top_n)
        if last_year is not None
        else by_metier.iloc[0:0]
    )
    top_difficult = (
        top_metiers(by_metier, year=last_year, measure="difficult", n=params.top_n)
        if last_year is not None
        else by_metier.iloc[0:0]
    )
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
    bassin_regions = _zone_regions(communes, BASSIN_BMO_CODE)
    codes_index, bassin_uniques = pd.factorize(bmo[BASSIN_BMO_CODE].astype(str))
    unique_regions = pd.Index(bassin_uniques).map(bassin_regions)
    in_region = (np.asarray(unique_regions == region_code, dtype=bool)[codes_index]) & (
        codes_index >= 0
    )
    region_facts = bmo[in_region]
    france_family = bmo_by_family(bmo)
    region_family = bmo_by_family(region_facts)
    france_year = bmo_rollup(france_family, by=[YEAR])
    region_year = bmo_rollup(region_family, by=[YEAR])

    lq_tables: dict[str, pd.DataFrame] = {}
    shift: pd.DataFrame | None = None
    if last_year is not None:
        local_last = by_family[by_family[YEAR] == last_year][[FAMILY_CODE, PROJECTS]]
        for name, reference in (("lq_region", region_family), ("lq_france", france_family)):
            ref_last = reference[reference[YEAR] == last_year][[FAMILY_CODE, PROJECTS]]
            table = location_quotients(
                local_last, ref_last, key=FAMILY_CODE, value=PROJECTS, threshold=params.lq_threshold
            )
            labels = by_family.drop_duplicates(FAMILY_CODE, keep="last")[
                [FAMILY_CODE, FAMILY_LABEL]
            ]
            lq_tables[name] = table.merge(labels, on=FAMILY_CODE, how="left")
        if len(years) >= 2:
            shift = shift_share(
                by_family[[YEAR, FAMILY_CODE, PROJECTS]],
                france_family[[YEAR, FAMILY_CODE, PROJECTS]],
                key=FAMILY_CODE,
                value=PROJECTS,
                start=years[0],
                end=years[-1],
            )
            section.tables["shift_share"] = shift
    section.tables.update(lq_tables)

    # Peers: every bassin BMO of the last year with its population.
    peers = pd.DataFrame(columns=[PEER_ID, POPULATION, REGION_CODE, *BMO_PEER_INDICATORS])
    if last_year is not None:
        per_bassin = bmo_totals(
            bmo[bmo[YEAR] == last_year].assign(**{PEER_ID: bmo[BASSIN_BMO_CODE].astype(str)}),
            by=[PEER_ID],
        )
        populations = _zone_population(communes, BASSIN_BMO_CODE)
        peers = per_bassin.assign(
            **{
                POPULATION: per_bassin[PEER_ID].map(populations).astype("Float64"),
                REGION_CODE: per_bassin[PEER_ID].map(bassin_regions),
            }
        )
        peers[PROJECTS_PER_1000] = (
            peers[PROJECTS].astype("Float64")
            * 1000
            / peers[POPULATION].where(peers[POPULATION] > 0)
        )
        peers = peers[[PEER_ID, POPULATION, REGION_CODE, *BMO_PEER_INDICATORS]]

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
            "projects": _clean(first[PROJECTS], 0),
            "projects_per_1000": _clean(per_1000, 1),
            "difficulty_rate": _clean(first[DIFFICULTY_RATE], 4),
            "seasonal_rate": _clean(first[SEASONAL_RATE], 4),
            "masked_cells": _clean(first[MASKED_CELLS]),
        }

    region_population = float(
        pd.to_numeric(communes.loc[communes[REGION_CODE].astype(str) == region_code, POPULATION])
        .fillna(0)
        .sum()
    )
    france_population = float(pd.to_numeric(communes[POPULATION]).fillna(0).sum())
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
        "families": _records(
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
            "projects": _records(top_projects, top_columns, decimals),
            "difficult": _records(top_difficult, top_columns, decimals),
        },
        "region": region_ref,
        "france": france_ref,
        "location_quotients": {
            name.removeprefix("lq_"): _records(
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
                "families": _records(
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
                    key: _clean(shift[column].sum(), 1)
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
        "tension_metiers": _records(
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


def _unemployment_section(
    rates: pd.DataFrame, *, communes: pd.DataFrame, codes: Sequence[str], region_code: str | None
) -> tuple[_Section, pd.DataFrame, pd.DataFrame]:
    section = _Section()
    crosswalk = basin_crosswalk(communes, basin_communes=codes, zoning="zone_emploi")
    section.tables["zones_emploi"] = crosswalk.zones
    series, method = unemployment_series(rates, crosswalk=crosswalk)
    yearly = annual_average(series, value=RATE)
    section.tables["unemployment"] = series
    section.tables["unemployment_years"] = yearly
    section.method = method + (
        " Moyenne annuelle : moyenne des trimestres publiés de l'année (le nombre de trimestres "
        "est indiqué)."
    )
    section.gaps = missing_periods(series.loc[series[RATE].notna(), PERIOD])

    # References: population-weighted averages of the zones of the region and of France.
    populations = _zone_population(communes, ZONE_EMPLOI_CODE)
    zone_regions = _zone_regions(communes, ZONE_EMPLOI_CODE)
    rows = rates.assign(_z=rates[ZONE_EMPLOI_CODE].astype(str))
    rows = rows.assign(
        _w=rows["_z"].map(populations).astype("Float64"),
        _r=rows["_z"].map(zone_regions),
        _v=pd.to_numeric(rows[RATE]).astype("Float64"),
    )
    rows = rows[rows["_v"].notna() & rows["_w"].notna()]

    def weighted(frame: pd.DataFrame) -> pd.Series:
        sums = (
            frame.assign(_wv=frame["_v"] * frame["_w"])
            .groupby(PERIOD, sort=False)[["_wv", "_w"]]
            .sum()
        )
        return (sums["_wv"] / sums["_w"].where(sums["_w"] > 0)).astype("Float64")

    references = pd.DataFrame(
        {"region": weighted(rows[rows["_r"] == region_code]), "france": weighted(rows)}
    )
    references.index.name = PERIOD
    references = series[[PERIOD]].merge(references.reset_index(), on=PERIOD, how="left")
    section.tables["unemployment"] = series.merge(
        references.rename(columns={"region": "region_rate", "france": "france_rate"}),
        on=PERIOD,
        how="left",
    )
    # Peers: every zone d'emploi at the basin's last known quarter.
    known = series[series[RATE].notna()]
    peers = pd.DataFrame(columns=[PEER_ID, POPULATION, REGION_CODE, "unemployment_rate"])
    last_period = str(known[PERIOD].iloc[-1]) if len(known) else None
    region_last = None
    if last_period is not None:
        last = rows[rows[PERIOD].astype(str) == last_period]
        peers = pd.DataFrame(
            {
                PEER_ID: last["_z"].to_numpy(),
                POPULATION: last["_w"].to_numpy(),
                REGION_CODE: last["_r"].to_numpy(),
                "unemployment_rate": last["_v"].to_numpy(),
            }
        )
        match = references[references[PERIOD] == last_period]
        region_last = _clean(match["region"].iloc[0], 2) if len(match) else None
    section.document = {
        "series": _records(
            section.tables["unemployment"],
            {
                PERIOD: "period",
                RATE: "rate",
                ESTIMATED: "estimated",
                COVERAGE: "coverage",
                "region_rate": "region_rate",
                "france_rate": "france_rate",
            },
            {RATE: 1, COVERAGE: 4, "region_rate": 1, "france_rate": 1},
        ),
        "zones": crosswalk.zone_codes,
        "single_zone": crosswalk.single_zone,
        "estimated": crosswalk.single_zone is None,
        "last_period": last_period,
        "region_last": region_last,
    }
    return section, yearly, peers


def _job_seekers_section(
    seekers: pd.DataFrame,
    *,
    communes: pd.DataFrame,
    codes: Sequence[str],
    params: DiagnosticParams,
) -> tuple[_Section, pd.DataFrame]:
    section = _Section()
    series, method = job_seekers_series(
        seekers, communes=communes, basin_communes=codes, category=params.job_seekers_category
    )
    series = year_on_year(series, value=VALUE)
    series = suppress_small(series, columns=[VALUE], threshold=params.job_seekers_threshold)
    yearly = annual_average(series, value=VALUE)
    section.tables["job_seekers"] = series
    section.tables["job_seekers_years"] = yearly
    section.method = method + (
        " Moyenne annuelle : moyenne des mois publiés (stock au premier du mois)."
    )
    section.gaps = missing_periods(series.loc[series[VALUE].notna(), PERIOD])
    section.document = {
        "series": _records(
            series,
            {
                PERIOD: "period",
                VALUE: "value",
                ESTIMATED: "estimated",
                COVERAGE: "coverage",
                YEAR_ON_YEAR: "year_on_year",
                MASKED_CELLS: "masked_communes",
            },
            {VALUE: 0, COVERAGE: 4, YEAR_ON_YEAR: 4},
        ),
        "category": params.job_seekers_category,
    }
    if series[VALUE].isna().all() and len(series):
        section.warnings.append("Aucune valeur de demandeurs d'emploi publiable pour ce bassin.")
    return section, yearly


def _tension_section(tension: pd.DataFrame, *, crosswalk: Crosswalk, top_n: int) -> _Section:
    section = _Section()
    require_columns(tension, [YEAR, BASSIN_BMO_CODE, ROME_CODE], what="les indicateurs de tension")
    last_year = int(tension[YEAR].max())
    reference = tension[tension[YEAR] == last_year]
    local = basin_tension_frame(reference, crosswalk=crosswalk)
    if local.empty:
        section.method = "Aucun indicateur de tension pour les bassins BMO du bassin."
        section.warnings.append(section.method)
        return section
    scored, method = tension_index(local, reference=reference)
    scored = scored.sort_values(
        [TENSION_INDEX, ROME_CODE], ascending=[False, True], na_position="last", kind="mergesort"
    ).reset_index(drop=True)
    section.tables["tension_dares"] = scored
    section.method = method.description + (
        f" Données de l'année {last_year} ; les composantes des bassins BMO sont transposées au "
        "bassin (effectifs répartis au prorata de la population, ratios recalculés)."
    )
    section.document = {
        "year": last_year,
        "estimated": not crosswalk.exact,
        "method": method.as_dict(),
        "top": _records(
            scored.head(top_n),
            {ROME_CODE: "rome", TENSION_INDEX: "index", "components_used": "components"},
            {TENSION_INDEX: 3},
        ),
    }
    return section


# --------------------------------------------------------------------------------------------
# The diagnostic


def basin_diagnostic(
    *,
    basin: Mapping[str, Any],
    communes: pd.DataFrame,
    bmo: pd.DataFrame | None = None,
    unemployment: pd.DataFrame | None = None,
    job_seekers: pd.DataFrame | None = None,
    tension: pd.DataFrame | None = None,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    params: DiagnosticParams | None = None,
) -> DiagnosticResult:
    """Assemble the basin's diagnostic (see the module docstring for inputs and output).

    `sources` (optional) describes each source for the method section: {"bmo": {"label",
    "vintage", "licence", "batch"}, ...}; it is echoed as is.
    Raises ValueError for a basin without communes, unknown communes, or missing columns.
    """
    params = params or DiagnosticParams()
    require_columns(communes, CROSSWALK_COLUMNS, what="la table de passage des communes")
    codes = sorted({str(c) for c in basin.get("communes", [])})
    if not codes:
        raise ValueError("Le bassin ne contient aucune commune.")
    communes = communes.assign(**{COMMUNE_CODE: communes[COMMUNE_CODE].astype(str)})
    unknown = sorted(
        set(codes) - set(communes.loc[communes[COMMUNE_CODE].isin(codes), COMMUNE_CODE])
    )
    if unknown:
        raise ValueError(
            "Communes du bassin absentes de la table de passage : " + list_examples(unknown)
        )
    in_basin = communes[communes[COMMUNE_CODE].isin(codes)]
    population_values = pd.to_numeric(in_basin[POPULATION])
    population = int(population_values.fillna(0).sum())
    region_code = (
        str(basin["region_code"]) if basin.get("region_code") else _majority_region(communes, codes)
    )
    regions = sorted(in_basin[REGION_CODE].dropna().astype(str).unique())

    warnings: list[str] = []
    methods: dict[str, str] = {
        "population": (
            f"Population : somme des populations légales des {format_number(len(codes))} "
            "communes du bassin (un seul millésime, repris pour chaque année)."
        )
    }
    gaps: dict[str, list[str]] = {}
    tables: dict[str, pd.DataFrame] = {}
    document: dict[str, Any] = {
        "engine_version": ENGINE_VERSION,
        "basin": {
            "id": _clean(basin.get("id")),
            "name": _clean(basin.get("name")),
            "population": population,
            "communes": len(codes),
            "region_code": region_code,
            "regions": regions,
        },
        "parameters": params.as_dict(),
    }

    # BMO ---------------------------------------------------------------------------------
    bmo_years = pd.DataFrame(columns=[YEAR])
    peers_frames: list[tuple[pd.DataFrame, list[str], dict[str, Any], str | None]] = []
    basin_values: dict[str, Any] = {}
    if bmo is None or bmo.empty:
        warnings.append("Aucune donnée BMO : les indicateurs de recrutement sont absents.")
        methods["bmo"] = "Aucune donnée BMO disponible pour ce bassin."
        document["bmo"] = None
        document["tension_metiers"] = []
    else:
        require_columns(
            bmo,
            [YEAR, BASSIN_BMO_CODE, METIER_CODE, FAMILY_CODE, MET, XMET, SMET],
            what="les faits BMO",
        )
        section, bmo_years, bmo_peers = _bmo_section(
            bmo,
            communes=communes,
            codes=codes,
            population=population,
            region_code=region_code,
            params=params,
        )
        tables.update(section.tables)
        methods["bmo"] = section.method or ""
        gaps["bmo"] = section.gaps
        document["tension_metiers"] = section.document.pop("tension_metiers")
        region_values = section.document.pop("region_values")
        document["bmo"] = section.document
        if bmo_years[PROJECTS].isna().all():
            warnings.append(
                "Aucun projet de recrutement BMO publié pour les bassins BMO du bassin."
            )
        last = bmo_years.iloc[-1] if len(bmo_years) else None
        if last is not None:
            basin_values.update(
                {
                    PROJECTS_PER_1000: last[PROJECTS_PER_1000],
                    DIFFICULTY_RATE: last[DIFFICULTY_RATE],
                    SEASONAL_RATE: last[SEASONAL_RATE],
                }
            )
        peers_frames.append(
            (bmo_peers, BMO_PEER_INDICATORS, region_values, section.document["single_zone"])
        )

    # Unemployment ------------------------------------------------------------------------
    unemployment_years = pd.DataFrame(columns=[YEAR])
    if unemployment is None or unemployment.empty:
        warnings.append("Aucune donnée de chômage : la série du taux de chômage est absente.")
        methods["unemployment"] = "Aucun taux de chômage disponible pour ce bassin."
        document["unemployment"] = []
    else:
        section, unemployment_years, ze_peers = _unemployment_section(
            unemployment, communes=communes, codes=codes, region_code=region_code
        )
        tables.update(section.tables)
        methods["unemployment"] = section.method or ""
        gaps["unemployment"] = section.gaps
        document["unemployment"] = section.document["series"]
        document["unemployment_info"] = {k: v for k, v in section.document.items() if k != "series"}
        series = section.tables["unemployment"]
        known = series[series[RATE].notna()]
        if known.empty:
            warnings.append("Aucun taux de chômage publié pour les zones d'emploi du bassin.")
        else:
            basin_values["unemployment_rate"] = known[RATE].iloc[-1]
        peers_frames.append(
            (
                ze_peers,
                UNEMPLOYMENT_PEER_INDICATORS,
                {"unemployment_rate": section.document.get("region_last")},
                section.document["single_zone"],
            )
        )

    # Job seekers -------------------------------------------------------------------------
    job_seekers_years = pd.DataFrame(columns=[YEAR])
    if job_seekers is None or job_seekers.empty:
        warnings.append("Aucune donnée de demandeurs d'emploi pour ce bassin.")
        methods["job_seekers"] = "Aucune donnée de demandeurs d'emploi disponible."
        document["job_seekers"] = []
    else:
        section, job_seekers_years = _job_seekers_section(
            job_seekers, communes=communes, codes=codes, params=params
        )
        tables.update(section.tables)
        methods["job_seekers"] = section.method or ""
        gaps["job_seekers"] = section.gaps
        warnings.extend(section.warnings)
        document["job_seekers"] = section.document["series"]
        if section.tables["job_seekers"].empty:
            warnings.append("Aucune donnée de demandeurs d'emploi pour les communes du bassin.")

    # DARES tension -----------------------------------------------------------------------
    if tension is None or tension.empty:
        methods["tension"] = (
            "Indice recalculé à partir des offres et demandeurs non calculé : aucune donnée de "
            "tension disponible."
        )
        document["tension_dares"] = None
    else:
        section = _tension_section(
            tension,
            crosswalk=basin_crosswalk(communes, basin_communes=codes, zoning="bassin_bmo"),
            top_n=params.top_n,
        )
        tables.update(section.tables)
        methods["tension"] = section.method or ""
        warnings.extend(section.warnings)
        document["tension_dares"] = section.document or None

    # Years -------------------------------------------------------------------------------
    document["years"] = _years_document(
        population=population,
        bmo_years=bmo_years,
        unemployment_years=unemployment_years,
        job_seekers_years=job_seekers_years,
    )
    tables["years"] = _years_frame(document["years"])

    # Changes between first and last period ----------------------------------------------
    changes = []
    if len(bmo_years):
        changes.append(
            change_summary(bmo_years, period=YEAR, value=PROJECTS, indicator="bmo_projects")
        )
        changes.append(
            change_summary(
                bmo_years, period=YEAR, value=DIFFICULTY_RATE, indicator="bmo_difficulty_rate"
            )
        )
    if "unemployment" in tables:
        changes.append(
            change_summary(
                tables["unemployment"], period=PERIOD, value=RATE, indicator="unemployment_rate"
            )
        )
    if "job_seekers" in tables and len(tables["job_seekers"]):
        changes.append(
            change_summary(
                tables["job_seekers"], period=PERIOD, value=VALUE, indicator="job_seekers"
            )
        )
    change_table = pd.concat(changes, ignore_index=True) if changes else pd.DataFrame()
    tables["changes"] = change_table
    document["changes"] = frame_to_records(change_table.round(6)) if changes else []

    # Comparison with peers ---------------------------------------------------------------
    comparison_frames = []
    for peers, indicators, region_values, own_zone in peers_frames:
        if peers.empty:
            continue
        comparison_frames.append(
            peer_comparison(
                peers,
                basin={
                    # A basin that is exactly one zone is not its own peer.
                    PEER_ID: own_zone or "__basin__",
                    POPULATION: population,
                    REGION_CODE: region_code,
                    **{k: basin_values.get(k) for k in indicators},
                },
                indicators=indicators,
                region_values=region_values,
                edges=params.size_band_edges,
            )
        )
    comparison = (
        pd.concat(comparison_frames, ignore_index=True) if comparison_frames else pd.DataFrame()
    )
    tables["comparison"] = comparison
    document["comparison"] = frame_to_records(comparison.round(4)) if len(comparison) else []
    methods["comparison"] = (
        "Comparaison : rang (1 = valeur la plus élevée) et centile du bassin parmi les bassins "
        "BMO (projets, taux de difficulté et de saisonnalité, dernière année) et les zones "
        "d'emploi (taux de chômage, dernier trimestre) de la même tranche de population, et "
        "parmi ceux de sa région ; la valeur de la région est un agrégat (somme des cellules "
        "publiées, ou moyenne des taux pondérée par la population)."
    )
    methods["structure"] = (
        f"Quotient de localisation = (part de la famille dans les projets du bassin) / (part "
        f"dans la référence) ; surreprésentation au-delà de {format_number(params.lq_threshold, decimals=1)}. "
        "Shift-share : variation = effet national + effet de structure + effet local, "
        "par famille de métiers, entre la première et la dernière année BMO."
    )
    methods["secrecy"] = (
        "Secret statistique : les cellules secrètes restent inconnues, chaque total indique le "
        "nombre de cellules secrètes qu'il ne contient pas ; les totaux n'additionnant que des "
        "valeurs publiées, aucune différence entre bassins qui se recouvrent ne peut révéler "
        "une cellule secrète."
    )
    document["method"] = methods
    document["gaps"] = gaps
    document["sources"] = {k: dict(v) for k, v in (sources or {}).items()}
    document["warnings"] = warnings
    return DiagnosticResult(document=document, tables=tables)


def _years_document(
    *,
    population: int,
    bmo_years: pd.DataFrame,
    unemployment_years: pd.DataFrame,
    job_seekers_years: pd.DataFrame,
) -> dict[str, dict[str, Any]]:
    years = sorted(
        {int(y) for y in bmo_years[YEAR]}
        | {int(y) for y in unemployment_years[YEAR]}
        | {int(y) for y in job_seekers_years[YEAR]}
    )
    bmo_rows = {int(r[YEAR]): r for r in bmo_years.to_dict("records")}
    unemployment_rows = {int(r[YEAR]): r for r in unemployment_years.to_dict("records")}
    seekers_rows = {int(r[YEAR]): r for r in job_seekers_years.to_dict("records")}
    out: dict[str, dict[str, Any]] = {}
    for year in years:
        entry: dict[str, Any] = {"population": population}
        b = bmo_rows.get(year)
        entry.update(
            {
                "bmo_projects": _clean(b[PROJECTS], 0) if b else None,
                "bmo_difficult": _clean(b[DIFFICULT], 0) if b else None,
                "bmo_seasonal": _clean(b[SEASONAL], 0) if b else None,
                "bmo_difficulty_rate": _clean(b[DIFFICULTY_RATE], 4) if b else None,
                "bmo_seasonal_rate": _clean(b[SEASONAL_RATE], 4) if b else None,
                "bmo_projects_per_1000": _clean(b[PROJECTS_PER_1000], 1) if b else None,
                "bmo_masked_cells": _clean(b[MASKED_CELLS]) if b else None,
                "bmo_estimated": _clean(b[ESTIMATED]) if b else None,
                "bmo_coverage": _clean(b[COVERAGE], 4) if b else None,
            }
        )
        s = seekers_rows.get(year)
        entry.update(
            {
                "job_seekers": _clean(s[VALUE], 0) if s else None,
                "job_seekers_months": _clean(s[PERIODS]) if s else None,
                "job_seekers_estimated": _clean(s[ESTIMATED]) if s else None,
            }
        )
        u = unemployment_rows.get(year)
        entry.update(
            {
                "unemployment_rate": _clean(u[RATE], 1) if u else None,
                "unemployment_quarters": _clean(u[PERIODS]) if u else None,
                "unemployment_estimated": _clean(u[ESTIMATED]) if u else None,
            }
        )
        out[str(year)] = entry
    return out


def _years_frame(years: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    rows = [{YEAR: int(year), **values} for year, values in years.items()]
    return pd.DataFrame(rows)
