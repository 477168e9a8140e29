"""Raw values of the criteria, by kind of input: each criterion's own reader
(`criteria.Criterion.read`, in `criterion_readers` and `criterion_asset_readers`) applied to the diagnostic document, the
catalogue gap, an imported indicator, the basin's assets or the referential; and the basin's
value of an imported indicator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .criteria import ASSETS, CATALOGUE, CRITERIA, DIAGNOSTIC, REFERENTIAL
from .criterion_inputs import (
    AssetInputs,
    DiagnosticInputs,
    GapInputs,
    IndicatorInputs,
    ReferentialInputs,
)

RawValues = dict[str, dict[str, Any]]


def _read(kind: str, inputs: Any) -> RawValues:
    """The raw value of every criterion of `kind` whose reader finds one in `inputs`."""
    out: RawValues = {}
    for criterion in CRITERIA:
        if criterion.kind == kind:
            value = criterion.read(inputs)
            if value is not None:
                out[criterion.code] = value
    return out


def diagnostic_raw_values(
    document: Mapping[str, Any] | None, *, population: int | None, vintages: Mapping[str, str]
) -> RawValues:
    """Raw values of the demand and public criteria from a diagnostic run's document (the
    engine's `years`, `unemployment` and `job_seekers`). `vintages`: source key → text (« BMO
    2023, 2024, 2025 »). Criteria the document cannot give are absent (missing)."""
    if not document:
        return {}
    return _read(DIAGNOSTIC, DiagnosticInputs(document, population, vintages))


def gap_raw_value(
    scores: Sequence[float], *, top: int, ranked: int, vintage: str = ""
) -> RawValues:
    """The catalogue criterion: mean gap score of the first `top` ranked paths that are not
    flagged « la formation n'est pas le levier » (`scores`, in rank order)."""
    return _read(CATALOGUE, GapInputs(scores, top, ranked, vintage))


def asset_raw_values(
    *,
    lycees_known: bool,
    vocational_lycees: int,
    lycees_unknown_flags: int,
    nearest_lycee_km: float | None,
    nearest_lycee_name: str = "",
    lycees_vintage: str = "",
    shared_places: int,
    economic_hosts: int,
    inventory_done: bool,
    epci_level: int | None,
    letters: int | None,
    premises_lent: bool | None,
    partners_updated: str = "",
) -> RawValues:
    """Raw values of the host and partner criteria.

    `lycees_known`: the lycées of the basin are known (an imported annuaire, or lycées declared
    by the delegate); `lycees_unknown_flags`: lycées whose vocational / technological path is
    not published. Counts of declared hosts are 0 only when the delegate marked the inventory
    done; otherwise, without any host, they are missing. `epci_level` None, `letters` None and
    `premises_lent` None are missing (not recorded)."""
    inputs = AssetInputs(
        lycees_known=lycees_known,
        vocational_lycees=vocational_lycees,
        lycees_unknown_flags=lycees_unknown_flags,
        nearest_lycee_km=nearest_lycee_km,
        nearest_lycee_name=nearest_lycee_name,
        lycees_vintage=lycees_vintage,
        shared_places=shared_places,
        economic_hosts=economic_hosts,
        inventory_done=inventory_done,
        epci_level=epci_level,
        letters=letters,
        premises_lent=premises_lent,
        partners_updated=partners_updated,
    )
    return _read(ASSETS, inputs)


def referential_raw_values(
    *,
    nearest_site: tuple[str, float] | None,
    stored_site_km: float | None,
    sites_known: bool,
    population: int | None,
    population_vintages: Sequence[str] = (),
    communes: int = 0,
) -> RawValues:
    """Raw values of the access criteria: distance to the nearest active Cnam site (from the
    main town, else the basin's stored distance) and the legal population."""
    inputs = ReferentialInputs(
        nearest_site=nearest_site,
        stored_site_km=stored_site_km,
        sites_known=sites_known,
        population=population,
        population_vintages=tuple(population_vintages),
        communes=communes,
    )
    return _read(REFERENTIAL, inputs)


def indicator_raw_value(
    criterion: str,
    *,
    variant: str,
    value: float | None,
    period: str,
    level: str,
    coverage: float | None = None,
    vintage: str = "",
) -> RawValues:
    """An indicator criterion from an imported indicator (`variant` is its code)."""
    read = next(c.read for c in CRITERIA if c.code == criterion)
    found = IndicatorInputs(variant, value, period, level, coverage, vintage)
    return {criterion: read(found) or {}}


# Imported indicators: levels from the finest to the coarsest, and the crosswalk column giving
# each commune's code at that level (diagnostics.analytics.columns).
INDICATOR_LEVELS: tuple[tuple[str, str], ...] = (
    ("commune", "commune_code"),
    ("epci", "epci_code"),
    ("zone_emploi", "zone_emploi_code"),
    ("bassin_bmo", "bassin_bmo_code"),
    ("departement", "departement_code"),
    ("region", "region_code"),
)
INDICATOR_FACT_COLUMNS = ["level", "code", "period", "indicator", "value", "vintage"]
MIN_INDICATOR_COVERAGE = 0.5


def _code_key(level: str, code: Any) -> str:
    text = str(code).strip()
    return text.lstrip("0") or "0" if level == "bassin_bmo" else text


def basin_indicator(
    facts: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    indicators: Sequence[str],
    min_coverage: float = MIN_INDICATOR_COVERAGE,
) -> dict[str, Any] | None:
    """The value for the basin of the first of `indicators` found, at the finest level where it
    covers at least `min_coverage` of the basin's population.

    Inputs: `facts` INDICATOR_FACT_COLUMNS (imported values; NA = secret); `communes`: the
    basin's communes with `commune_code`, `population` and their code at each level
    (`epci_code`, `zone_emploi_code`, ... as in the diagnostics crosswalk). Each commune takes
    the value of its territory (latest period of that indicator and level) and the basin's
    value is their population-weighted mean (a share or a rate: the population weights it).
    Output: {"variant", "value", "period", "level", "coverage", "vintage"} or None."""
    require = [c for c in INDICATOR_FACT_COLUMNS if c not in facts.columns]
    if require:
        raise ValueError(f"Colonnes manquantes dans les indicateurs : {require}")
    if facts.empty or communes.empty:
        return None
    weights = pd.to_numeric(communes["population"], errors="coerce").fillna(0.0).astype(float)
    total = float(weights.sum())
    if total <= 0:
        return None
    known = facts[facts["value"].notna()]
    for indicator in indicators:
        rows = known[known["indicator"] == indicator]
        if rows.empty:
            continue
        for level, column in INDICATOR_LEVELS:
            at_level = rows[rows["level"] == level]
            if at_level.empty or column not in communes.columns:
                continue
            period = str(at_level["period"].astype(str).max())
            latest = at_level[at_level["period"].astype(str) == period]
            values = {
                _code_key(level, c): float(v)
                for c, v in zip(latest["code"], latest["value"], strict=True)
            }
            keys = communes[column].map(
                lambda c, lv=level: None if pd.isna(c) else _code_key(lv, c)
            )
            commune_values = keys.map(values).astype(float)
            covered = commune_values.notna()
            coverage = float(weights[covered].sum()) / total
            if coverage < min_coverage or float(weights[covered].sum()) <= 0:
                continue
            value = float((commune_values[covered] * weights[covered]).sum()) / float(
                weights[covered].sum()
            )
            vintages = sorted({str(v) for v in latest["vintage"] if str(v)})
            return {
                "variant": indicator,
                "value": value,
                "period": period,
                "level": level,
                "coverage": coverage,
                "vintage": ", ".join(vintages),
            }
    return None
