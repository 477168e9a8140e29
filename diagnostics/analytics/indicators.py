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

The sections are computed in `diagnostic_bmo_section` (BMO) and `diagnostic_sections`
(unemployment, job seekers, tension, years); the parameters are `diagnostic_params`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .basin_context import BasinContext, lone_context
from .columns import (
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    CROSSWALK_COLUMNS,
    DIFFICULTY_RATE,
    FAMILY_CODE,
    MET,
    METIER_CODE,
    PEER_ID,
    PERIOD,
    POPULATION,
    PROJECTS,
    PROJECTS_PER_1000,
    RATE,
    REGION_CODE,
    SEASONAL_RATE,
    SMET,
    VALUE,
    XMET,
    YEAR,
)
from .common import format_number, list_examples, require_columns
from .diagnostic_bmo_section import BMO_PEER_INDICATORS, bmo_section
from .diagnostic_params import DiagnosticParams
from .diagnostic_sections import (
    UNEMPLOYMENT_PEER_INDICATORS,
    job_seekers_section,
    majority_region,
    tension_section,
    unemployment_section,
    years_document,
    years_frame,
)
from .peers import peer_comparison
from .records import frame_to_records, json_scalar
from .row_index import batch_row_index, rows_in
from .structure import (
    change_frame,
    change_row,
)

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


@dataclass
class DiagnosticResult:
    """The document (JSON-serialisable) and the tables behind it (name → frame)."""

    document: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


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
    context: BasinContext | None = None,
) -> DiagnosticResult:
    """Assemble the basin's diagnostic (see the module docstring for inputs and output).

    `sources` (optional) describes each source for the method section: {"bmo": {"label",
    "vintage", "licence", "batch"}, ...}; it is echoed as is. `context` (optional): the basin's
    crosswalks, BMO totals, unemployment series and the shared references, computed for a whole
    batch (`basin_context.basin_contexts`); without it they are computed here for this basin
    with the same functions (`basin_context.lone_context`): same figures either way.
    Raises ValueError for a basin without communes, unknown communes, or missing columns.
    """
    params = params or DiagnosticParams()
    require_columns(communes, CROSSWALK_COLUMNS, what="la table de passage des communes")
    codes = sorted({str(c) for c in basin.get("communes", [])})
    if not codes:
        raise ValueError("Le bassin ne contient aucune commune.")
    index = batch_row_index(context.cache if context else None, communes, COMMUNE_CODE)
    communes = communes.assign(**{COMMUNE_CODE: communes[COMMUNE_CODE].astype(str)})
    in_basin = rows_in(communes, COMMUNE_CODE, codes, index=index)
    unknown = sorted(set(codes) - set(in_basin[COMMUNE_CODE]))
    if unknown:
        raise ValueError(
            "Communes du bassin absentes de la table de passage : " + list_examples(unknown)
        )
    population_values = pd.to_numeric(in_basin[POPULATION])
    population = int(population_values.fillna(0).sum())
    region_code = (
        str(basin["region_code"]) if basin.get("region_code") else majority_region(communes, codes)
    )
    regions = sorted(in_basin[REGION_CODE].dropna().astype(str).unique())
    if context is None:
        context = lone_context(
            communes=communes,
            codes=codes,
            region_code=region_code,
            bmo=bmo if bmo is not None and not bmo.empty else None,
            unemployment=unemployment
            if unemployment is not None and not unemployment.empty
            else None,
        )

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
            "id": json_scalar(basin.get("id")),
            "name": json_scalar(basin.get("name")),
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
        section, bmo_years, bmo_peers = bmo_section(
            bmo,
            communes=communes,
            codes=codes,
            population=population,
            region_code=region_code,
            params=params,
            context=context,
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
        section, unemployment_years, ze_peers = unemployment_section(
            unemployment, communes=communes, codes=codes, region_code=region_code, context=context
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
        section, job_seekers_years = job_seekers_section(
            job_seekers, communes=communes, codes=codes, params=params, context=context
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
        section = tension_section(
            tension,
            crosswalk=context.crosswalks["bassin_bmo"],
            top_n=params.top_n,
            cache=context.cache,
            moved=context.tension_moved,
        )
        tables.update(section.tables)
        methods["tension"] = section.method or ""
        warnings.extend(section.warnings)
        document["tension_dares"] = section.document or None

    # Years -------------------------------------------------------------------------------
    document["years"] = years_document(
        population=population,
        bmo_years=bmo_years,
        unemployment_years=unemployment_years,
        job_seekers_years=job_seekers_years,
    )
    tables["years"] = years_frame(document["years"])

    # Changes between first and last period ----------------------------------------------
    changes = []
    if len(bmo_years):
        changes.append(change_row(bmo_years, period=YEAR, value=PROJECTS, indicator="bmo_projects"))
        changes.append(
            change_row(
                bmo_years, period=YEAR, value=DIFFICULTY_RATE, indicator="bmo_difficulty_rate"
            )
        )
    if "unemployment" in tables:
        changes.append(
            change_row(
                tables["unemployment"], period=PERIOD, value=RATE, indicator="unemployment_rate"
            )
        )
    if "job_seekers" in tables and len(tables["job_seekers"]):
        changes.append(
            change_row(tables["job_seekers"], period=PERIOD, value=VALUE, indicator="job_seekers")
        )
    change_table = change_frame(changes) if changes else pd.DataFrame()
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
                cache=context.cache,
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
