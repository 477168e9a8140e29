"""The demo basins drawn on the synthetic territory (`demo_basin_specs`): which source, codes
and main town each one has, and its region."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.synthetic_names import distance_km, short_epci, with_de


@dataclass(frozen=True)
class BasinSpec:
    """A basin to register in the demo: `source_kind` among zone_emploi, bassin_bmo, epci,
    communes (the values of `BasinSource`), the source codes, the main town's code, the region
    of the main town and the population of the communes."""

    name: str
    source_kind: str
    source_codes: list[str]
    main_town_code: str
    region_code: str
    population: int


def demo_basin_specs(
    frames: dict[str, pd.DataFrame],
    *,
    region_code: str = "99",
    other_region_code: str = "98",
    population_min: int = 30_000,
    population_max: int = 100_000,
) -> list[BasinSpec]:
    """Five demo basins, four in `region_code` and one in `other_region_code`:
    1. the most populated zone d'emploi of the region within the programme bounds;
    2. the bassin BMO of the region's largest town (usually above the bounds);
    3. two EPCI of one département, not used above, the smallest pair in population;
    4. a list of communes: a small town (2,000-9,999 inhabitants, the median one) and its 11
       nearest communes of the region, the small town being the main town;
    5. the most populated zone d'emploi of the other region within the bounds (or its largest).
    The main town of the others is their most populated commune, one not already the main town
    of a basin above (zones and EPCI whose main town is taken are skipped).

    Input: "communes" (COMMUNE_COLUMNS), "zones_emploi", "bassins_bmo" and "epci" frames (for the
    names). Output in the order above; a basin with no candidate is left out.
    """
    communes = frames["communes"]
    missing = sorted(set(c.COMMUNE_COLUMNS) - set(communes.columns))
    if missing:
        raise ValueError(f"communes : colonnes manquantes {missing}")
    specs: list[BasinSpec] = []
    used: set[str] = set()

    def top(members: pd.DataFrame) -> pd.Series:
        return members.sort_values([c.POPULATION, c.CODE], ascending=[False, True]).iloc[0]

    def add(
        name: str, kind: str, codes: list[str], members: pd.DataFrame, town: pd.Series | None = None
    ) -> None:
        town = top(members) if town is None else town
        used.add(str(town[c.CODE]))
        specs.append(
            BasinSpec(
                name=name,
                source_kind=kind,
                source_codes=codes,
                main_town_code=str(town[c.CODE]),
                region_code=str(town[c.REGION_CODE]),
                population=int(members[c.POPULATION].sum()),
            )
        )

    def zone_basin(region: str) -> None:
        ze_names = frames["zones_emploi"].set_index(c.CODE)[c.NAME]
        here = communes[communes[c.REGION_CODE] == region]
        totals = here.groupby(c.ZONE_EMPLOI_CODE)[c.POPULATION].sum().sort_index()
        choices = [
            (int(total) if population_min <= total <= population_max else -1, str(code))
            for code, total in totals.items()
            if str(top(communes[communes[c.ZONE_EMPLOI_CODE] == code])[c.CODE]) not in used
        ]
        if choices:
            _, ze = max(choices)
            members = communes[communes[c.ZONE_EMPLOI_CODE] == ze]
            add(f"Bassin {with_de(str(ze_names[ze]))}", "zone_emploi", [ze], members)

    region = communes[communes[c.REGION_CODE] == region_code]
    if region.empty:
        return specs
    zone_basin(region_code)

    # 2. The bassin BMO of the largest town of the region.
    largest = top(region)
    if str(largest[c.CODE]) not in used:
        bassin = str(largest[c.BASSIN_BMO_CODE])
        members = communes[communes[c.BASSIN_BMO_CODE] == bassin]
        add(f"Agglomération {with_de(str(largest[c.NAME]))}", "bassin_bmo", [bassin], members)

    # 3. Two neighbouring EPCI of one département whose main towns are free: the pair within
    # the bounds whose main towns are closest (else the closest pair).
    epci_names = frames["epci"].set_index(c.CODE)[c.NAME]
    free = []
    for code, members in region.groupby(c.EPCI_CODE, sort=True):
        town = top(members)
        if str(town[c.CODE]) not in used:
            free.append(
                (
                    str(code),
                    int(members[c.POPULATION].sum()),
                    str(town[c.DEPARTEMENT_CODE]),
                    (float(town[c.LATITUDE]), float(town[c.LONGITUDE])),
                )
            )
    pairs = sorted(
        (
            not population_min <= a[1] + b[1] <= population_max,
            distance_km(a[3], b[3]),
            a[0],
            b[0],
        )
        for i, a in enumerate(free)
        for b in free[i + 1 :]
        if a[2] == b[2]
    )
    if pairs:
        _, _, first, second = pairs[0]
        members = communes[communes[c.EPCI_CODE].isin([first, second])]
        label = " et ".join(with_de(short_epci(str(epci_names[e]))) for e in (first, second))
        add(f"Pays {label}", "epci", [first, second], members)

    # 4. A small town and its nearest communes, by name or code in the registration form.
    towns = region[(region[c.POPULATION] >= 2_000) & (region[c.POPULATION] < 10_000)]
    towns = towns[~towns[c.CODE].isin(used)].sort_values([c.POPULATION, c.CODE])
    if not towns.empty:
        town = towns.iloc[len(towns) // 2]
        scale = math.cos(math.radians(float(town[c.LATITUDE])))
        d2 = (region[c.LATITUDE] - town[c.LATITUDE]) ** 2 + (
            (region[c.LONGITUDE] - town[c.LONGITUDE]) * scale
        ) ** 2
        members = region.assign(_d2=d2).sort_values(["_d2", c.CODE]).head(12)
        members = members.drop(columns="_d2")
        codes = sorted(members[c.CODE].astype(str))
        add(f"Communes autour {with_de(str(town[c.NAME]))}", "communes", codes, members, town)

    # 5. A basin in the other region (not visible to the delegate of `region_code`).
    if other_region_code and (communes[c.REGION_CODE] == other_region_code).any():
        zone_basin(other_region_code)
    return specs
