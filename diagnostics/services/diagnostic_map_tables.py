"""The two map tables of a diagnostic run's document: the basin's communes (population, job
seekers per 1,000 inhabitants where published) and the region's basins, or its zones d'emploi
when the basin is the region's only one (unemployment rate at the basin's last quarter). Read
through the selectors; the region's rates and zones are memoised for a chunk of a national batch
(`selectors.memo`). Called by `services.diagnostic_document.diagnostic_compute`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.row_index import rows_in
from diagnostics.models import DiagnosticRun
from diagnostics.selectors import diagnostic_frames
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors.memo import memo_row_index, memoised, memoised_on

COMMUNES_MAP_COLUMNS = [
    c.COMMUNE_CODE,
    c.NAME,
    c.POPULATION,
    "job_seekers",
    "job_seekers_period",
    "job_seekers_per_1000",
]


def _published_communes(
    job_seekers: pd.DataFrame,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The commune rows of `job_seekers` with a value, as arrays (period, value) and the
    positions of each commune's rows; built once per frame in a chunk of a national batch."""

    def build() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        mask = (job_seekers[c.LEVEL] == c.LEVEL_COMMUNE) & job_seekers[c.VALUE].notna()
        rows = job_seekers[mask]
        geo = rows[c.GEO_CODE].to_numpy()
        positions = pd.Series(np.arange(len(rows))).groupby(geo, sort=False).indices
        periods = rows[c.PERIOD].to_numpy(dtype=object)
        values = rows[c.VALUE].to_numpy(dtype="int64")
        by_commune = {str(k): np.asarray(v) for k, v in positions.items()}
        return by_commune, periods, values

    return memoised_on(job_seekers, ("published_communes",), build)


def communes_map_table(
    codes: Sequence[str], *, crosswalk: pd.DataFrame, job_seekers: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per basin commune: population and, for the communes France Travail publishes,
    the job seekers of the last month with figures and their number per 1,000 inhabitants
    (the basin's last month with a published commune), sorted by population (largest first,
    unknown last) then code."""
    index = memo_row_index(crosswalk, c.COMMUNE_CODE)
    rows = rows_in(crosswalk, c.COMMUNE_CODE, codes, index=index)
    communes = rows[c.COMMUNE_CODE].to_numpy(dtype=object)
    names = selectors.commune_names(codes)
    population = rows[c.POPULATION].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    seekers = np.full(len(communes), np.nan)
    period: str | None = None
    if job_seekers is not None and len(job_seekers):
        by_commune, periods, values = _published_communes(job_seekers)
        found = [by_commune[str(code)] for code in communes if str(code) in by_commune]
        if found:
            # The basin's last month with a published commune, and each commune's value then.
            period = max(periods[np.concatenate(found)])
            at_last: dict[str, int] = {}
            for code in communes:
                where = by_commune.get(str(code))
                if where is not None:
                    chosen = where[periods[where] == period]
                    if len(chosen):
                        at_last[str(code)] = int(values[chosen[-1]])
            seekers = np.array([at_last.get(str(code), np.nan) for code in communes], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1000 = np.round(np.where(population > 0, seekers * 1000 / population, np.nan), 1)
    known = ~np.isnan(seekers)
    # Population descending (unknown last), then code: one lexsort.
    order = np.lexsort(
        (
            np.array([str(code) for code in communes], dtype=str),
            np.where(np.isnan(population), np.inf, -population),
        )
    )
    return pd.DataFrame(
        {
            c.COMMUNE_CODE: communes[order],
            c.NAME: [names.get(str(code), np.nan) for code in communes[order]],
            c.POPULATION: rows[c.POPULATION].take(order).reset_index(drop=True),
            "job_seekers": pd.array(
                [int(v) if k else None for v, k in zip(seekers[order], known[order], strict=True)],
                dtype="Int64",
            ),
            "job_seekers_period": pd.array(
                [period if k else None for k in known[order]], dtype="string"
            ),
            "job_seekers_per_1000": pd.array(per_1000[order], dtype="Float64"),
        }
    )


REGION_MAP_COLUMNS = [
    "kind",
    "code",
    c.NAME,
    c.POPULATION,
    "unemployment_rate",
    c.PERIOD,
    "current",
]


def region_map_table(
    run: DiagnosticRun,
    *,
    document: Mapping[str, Any],
    crosswalk: pd.DataFrame,
    ids: Mapping[str, Sequence[int]],
) -> pd.DataFrame:
    """The region's registered basins (this one included) or, when it is the only one, the
    zones d'emploi of the region; each with its unemployment rate at the basin's last quarter
    (population-weighted average of its zones' published rates)."""
    info = document.get("unemployment_info") or {}
    period = info.get("last_period")
    region = str(document["basin"].get("region_code") or run.basin.region_id)
    rates = pd.Series(dtype="Float64")
    if period:
        zone_batches = ids["chomage_ze"]

        def rates_at() -> pd.Series:
            unemployment = diagnostic_frames.unemployment_frame(batch_ids=zone_batches)
            at = unemployment[unemployment[c.PERIOD] == period]
            return at.set_index(c.ZONE_EMPLOI_CODE)[c.RATE].astype("Float64")

        # The same for every basin: once per process and data version (`selectors.memo`).
        rates = memoised(
            ("region_map_rates", tuple(sorted(zone_batches)), period), rates_at, versioned=True
        )
    basins = selectors.region_basins(run.basin)
    if basins:
        members = selectors.basins_commune_codes([b.pk for b in basins])
        members[run.basin_id] = set(run.basin_snapshot.get("communes") or [])
        names = {b.pk: b.name for b in basins} | {run.basin_id: run.basin_snapshot.get("name")}
        pairs = pd.DataFrame(
            [(basin_id, code) for basin_id, codes in members.items() for code in codes],
            columns=["basin_id", c.COMMUNE_CODE],
        ).merge(crosswalk[[c.COMMUNE_CODE, c.POPULATION, c.ZONE_EMPLOI_CODE]], on=c.COMMUNE_CODE)
        pairs["_pop"] = pairs[c.POPULATION].astype("Float64").fillna(0.0)
        pairs["_rate"] = pairs[c.ZONE_EMPLOI_CODE].map(rates).astype("Float64")
        pairs["_w"] = pairs["_pop"].where(pairs["_rate"].notna(), 0.0)
        pairs["_wv"] = (pairs["_rate"] * pairs["_pop"]).fillna(0.0)
        grouped = pairs.groupby("basin_id")[["_pop", "_w", "_wv"]].sum()
        rate = (grouped["_wv"] / grouped["_w"].where(grouped["_w"] > 0)).round(1)
        frame = pd.DataFrame(
            {
                "kind": "basin",
                "code": [str(i) for i in grouped.index],
                c.NAME: [names.get(i) for i in grouped.index],
                c.POPULATION: grouped["_pop"].round().astype("Int64").to_numpy(),
                "unemployment_rate": rate.astype("Float64").to_numpy(),
                c.PERIOD: period,
                "current": [i == run.basin_id for i in grouped.index],
            }
        )
    else:
        # The region's zones and every zone's population depend on the territories only: once
        # per process and data version (a lone run no longer sums France's communes each time).
        zones = memoised_on(
            crosswalk,
            ("region_zones_emploi", region),
            lambda: selectors.region_zones_emploi(region, crosswalk=crosswalk),
            versioned=True,
        )
        populations = memoised_on(
            crosswalk,
            ("zone_emploi_populations",),
            lambda: crosswalk.groupby(c.ZONE_EMPLOI_CODE)[c.POPULATION].sum().astype("Int64"),
            versioned=True,
        )
        own = set(document.get("unemployment_info", {}).get("zones") or [])
        frame = pd.DataFrame(
            {
                "kind": "zone_emploi",
                "code": [code for code, _ in zones],
                c.NAME: [name for _, name in zones],
                c.POPULATION: pd.array([populations.get(code) for code, _ in zones], dtype="Int64"),
                "unemployment_rate": pd.array(
                    [rates.get(code) for code, _ in zones], dtype="Float64"
                ),
                c.PERIOD: period,
                "current": [code in own for code, _ in zones],
            }
        )
    return frame[REGION_MAP_COLUMNS].sort_values("code", kind="mergesort").reset_index(drop=True)
