"""What the criterion readers read: one frozen input class per kind of source (`criteria.KINDS`),
built by `raw_values` from what the selectors gathered, and the `RawValue` a reader returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RawValue = dict[str, Any]

# The delegate's record of the EPCI's commitment, as the `epci_commitment` level.
EPCI_LEVELS = {"aucun": 0, "interesse": 1, "engage": 2, "convention": 3}


@dataclass(frozen=True)
class DiagnosticInputs:
    """A diagnostic run's document (`years`, `unemployment`, `job_seekers`), the basin's
    population and the vintages by source key (« BMO 2023, 2024, 2025 »)."""

    document: Mapping[str, Any]
    population: int | None
    vintages: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GapInputs:
    """The gap scores of the ranked catalogue paths not flagged « la formation n'est pas le
    levier » (rank order), how many to average and how many paths were ranked."""

    scores: Sequence[float]
    top: int
    ranked: int
    vintage: str = ""


@dataclass(frozen=True)
class IndicatorInputs:
    """The imported indicator found for the basin (`variant` is its code)."""

    variant: str
    value: float | None
    period: str
    level: str
    coverage: float | None = None
    vintage: str = ""


@dataclass(frozen=True)
class AssetInputs:
    """The basin's lycées, hosts and partners (see `raw_values.asset_raw_values`)."""

    lycees_known: bool
    vocational_lycees: int
    lycees_unknown_flags: int
    nearest_lycee_km: float | None
    shared_places: int
    economic_hosts: int
    inventory_done: bool
    epci_level: int | None
    letters: int | None
    premises_lent: bool | None
    nearest_lycee_name: str = ""
    lycees_vintage: str = ""
    partners_updated: str = ""


@dataclass(frozen=True)
class ReferentialInputs:
    """The nearest active Cnam site from the main town (name, km) or the basin's stored
    distance, and the legal populations."""

    nearest_site: tuple[str, float] | None
    stored_site_km: float | None
    sites_known: bool
    population: int | None
    population_vintages: tuple[str, ...] = ()
    communes: int = 0
