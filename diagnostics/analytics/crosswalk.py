"""Zoning crosswalk: move figures published on a source zoning (zone d'emploi, bassin BMO...)
to a basin made of communes.

The two official zonings do not nest, so a basin is rarely a union of whole source zones. The
crosswalk weighs each source zone by the population of its communes that lie in the basin:

- counts (projects, job seekers...) are summed exactly when the basin is an exact union of whole
  zones; otherwise each zone's count is apportioned by the share of the zone's population inside
  the basin, and the result is flagged `estimated` with its `coverage` (share of the basin's
  population living in the zones that had figures);
- rates (unemployment) are averaged across zones with the basin's population in each zone as
  weights. Only a basin that is exactly one zone gets the published rate as is; any average,
  even over whole zones, is an estimate (a rate should be weighted by the labour force, which
  these data do not give) and the method string says so.

Every mover returns its frame and a French sentence that the report prints as its method.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from .columns import (
    BASIN_SHARE,
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    DEPARTEMENT_CODE,
    EPCI_CODE,
    OVERLAP_COMMUNES,
    OVERLAP_POPULATION,
    POPULATION,
    REGION_CODE,
    WHOLE_ZONE,
    ZONE_CODE,
    ZONE_COMMUNES,
    ZONE_EMPLOI_CODE,
    ZONE_POPULATION,
    ZONE_SHARE,
)
from .common import format_percent, list_examples, require_columns

Zoning = Literal["zone_emploi", "bassin_bmo", "epci", "departement", "region"]


@dataclass(frozen=True)
class ZoningWords:
    column: str
    singular: str
    plural: str
    feminine: bool

    def agree(self, masculine: str, feminine: str) -> str:
        return feminine if self.feminine else masculine


ZONINGS: dict[str, ZoningWords] = {
    "zone_emploi": ZoningWords(ZONE_EMPLOI_CODE, "zone d'emploi", "zones d'emploi", True),
    "bassin_bmo": ZoningWords(BASSIN_BMO_CODE, "bassin BMO", "bassins BMO", False),
    "epci": ZoningWords(EPCI_CODE, "EPCI", "EPCI", False),
    "departement": ZoningWords(DEPARTEMENT_CODE, "département", "départements", False),
    "region": ZoningWords(REGION_CODE, "région", "régions", True),
}

ZONE_COVERAGE_COLUMNS = [
    ZONE_CODE,
    ZONE_POPULATION,
    ZONE_COMMUNES,
    OVERLAP_POPULATION,
    OVERLAP_COMMUNES,
    ZONE_SHARE,
    BASIN_SHARE,
    WHOLE_ZONE,
]


@dataclass(frozen=True)
class Crosswalk:
    """How a basin sits on a source zoning.

    `zones` has one row per source zone touching the basin, sorted by code, with columns
    zone_code, zone_population, zone_communes, basin_population_in_zone, basin_communes_in_zone,
    zone_share (share of the zone's population inside the basin: the weight of a count),
    basin_share (share of the basin's population inside the zone), whole_zone (every commune of
    the zone is in the basin).
    """

    zoning: str
    zones: pd.DataFrame
    basin_population: int
    basin_communes: int
    unzoned_population: int
    unzoned_communes: int
    unknown_population_communes: tuple[str, ...] = ()

    @property
    def zone_column(self) -> str:
        return ZONINGS[self.zoning].column

    @property
    def exact(self) -> bool:
        """The basin is exactly a union of whole zones (every basin commune has a zone)."""
        return (
            len(self.zones) > 0
            and bool(self.zones[WHOLE_ZONE].all())
            and self.unzoned_communes == 0
        )

    @property
    def single_zone(self) -> str | None:
        """The zone's code when the basin is exactly one whole zone, else None."""
        if self.exact and len(self.zones) == 1:
            return str(self.zones[ZONE_CODE].iloc[0])
        return None

    @property
    def zone_codes(self) -> list[str]:
        return [str(c) for c in self.zones[ZONE_CODE]]


def basin_crosswalk(
    communes: pd.DataFrame, *, basin_communes: Iterable[str], zoning: Zoning
) -> Crosswalk:
    """Place a basin (a set of commune codes) on a source zoning, weighted by population.

    Input columns of `communes`: commune_code, population, and the zoning's code column
    (zone_emploi_code, bassin_bmo_code, epci_code, departement_code or region_code). It must
    hold every commune of the zones the basin touches (the whole crosswalk is fine).

    A commune whose population is unknown weighs 0 and is listed in
    `unknown_population_communes` (the method sentence mentions it).
    Raises ValueError for an empty basin, commune codes absent from the crosswalk (listed), or
    duplicated commune codes.
    """
    if zoning not in ZONINGS:
        raise ValueError(f"Zonage inconnu : « {zoning} » (attendu : {', '.join(ZONINGS)})")
    zone_column = ZONINGS[zoning].column
    require_columns(
        communes, [COMMUNE_CODE, POPULATION, zone_column], what="la table de passage des communes"
    )
    codes = sorted({str(c) for c in basin_communes})
    if not codes:
        raise ValueError("Le bassin ne contient aucune commune.")
    frame = communes[[COMMUNE_CODE, POPULATION, zone_column]].assign(
        **{COMMUNE_CODE: communes[COMMUNE_CODE].astype(str)}
    )
    duplicated = frame.loc[frame[COMMUNE_CODE].duplicated(), COMMUNE_CODE].unique().tolist()
    if duplicated:
        raise ValueError(
            "Communes en double dans la table de passage : " + list_examples(sorted(duplicated))
        )
    in_basin = frame[COMMUNE_CODE].isin(codes)
    unknown = sorted(set(codes) - set(frame.loc[in_basin, COMMUNE_CODE]))
    if unknown:
        raise ValueError(
            "Communes du bassin absentes de la table de passage : " + list_examples(unknown)
        )

    basin = frame[in_basin]
    touched = basin[zone_column].dropna().astype(str).unique().tolist()
    zone_codes = frame[zone_column].astype(str)
    concerned = frame[in_basin | zone_codes.isin(touched).fillna(False)]
    # A commune without a known population (merged since the population vintage...) weighs 0;
    # the crosswalk lists them and the method says so.
    unknown_population = sorted(concerned.loc[concerned[POPULATION].isna(), COMMUNE_CODE])
    population = pd.to_numeric(concerned[POPULATION]).astype("Int64").fillna(0)
    concerned = concerned.copy()
    concerned[POPULATION] = population
    concerned[ZONE_CODE] = concerned[zone_column].astype(str)
    concerned["_in_basin"] = concerned[COMMUNE_CODE].isin(codes)
    zoned = concerned[concerned[ZONE_CODE].notna()]
    overlap = zoned[POPULATION].where(zoned["_in_basin"], 0)
    zones = (
        zoned.assign(_overlap=overlap, _one=1, _in=zoned["_in_basin"].astype("int64"))
        .groupby(ZONE_CODE, sort=True)
        .agg(
            **{
                ZONE_POPULATION: (POPULATION, "sum"),
                ZONE_COMMUNES: ("_one", "sum"),
                OVERLAP_POPULATION: ("_overlap", "sum"),
                OVERLAP_COMMUNES: ("_in", "sum"),
            }
        )
        .reset_index()
    )
    basin_population = int(population[concerned["_in_basin"]].sum())
    by_population = zones[OVERLAP_POPULATION].astype("Float64") / zones[ZONE_POPULATION].where(
        zones[ZONE_POPULATION] > 0
    ).astype("Float64")
    by_count = zones[OVERLAP_COMMUNES].astype("Float64") / zones[ZONE_COMMUNES].astype("Float64")
    whole = zones[OVERLAP_COMMUNES] == zones[ZONE_COMMUNES]
    zones = zones.assign(
        **{
            ZONE_SHARE: by_population.fillna(by_count).mask(whole, 1.0),
            BASIN_SHARE: (
                zones[OVERLAP_POPULATION].astype("Float64") / basin_population
                if basin_population > 0
                else pd.array([pd.NA] * len(zones), dtype="Float64")
            ),
            WHOLE_ZONE: whole.astype(bool),
        }
    )[ZONE_COVERAGE_COLUMNS]
    for column in (ZONE_POPULATION, ZONE_COMMUNES, OVERLAP_POPULATION, OVERLAP_COMMUNES):
        zones[column] = zones[column].astype("Int64")
    zones[ZONE_CODE] = zones[ZONE_CODE].astype(str)

    unzoned = concerned[concerned["_in_basin"] & concerned[ZONE_CODE].isna()]
    return Crosswalk(
        zoning=zoning,
        zones=zones.reset_index(drop=True),
        basin_population=basin_population,
        basin_communes=len(codes),
        unzoned_population=int(unzoned[POPULATION].sum()),
        unzoned_communes=len(unzoned),
        unknown_population_communes=tuple(unknown_population),
    )


def crosswalk_method(
    crosswalk: Crosswalk,
    *,
    measure: Literal["count", "rate"],
    source: str,
    coverage: float = 1.0,
) -> str:
    """The French sentence describing how `source` (« les projets de recrutement BMO », « le
    taux de chômage ») was moved to the basin. `coverage` is the lowest share of the basin's
    population covered by the zones that had figures, across periods."""
    words = ZONINGS[crosswalk.zoning]
    count = len(crosswalk.zones)
    noun = words.singular if count == 1 else words.plural
    codes = ", ".join(crosswalk.zone_codes[:8]) + ("…" if count > 8 else "")
    whole = words.agree("entier", "entière") + ("" if count == 1 else "s")
    if count == 0:
        return (
            f"Aucune commune du bassin n'appartient à {words.agree('un', 'une')} "
            f"{words.singular} {words.agree('connu', 'connue')} : "
            f"{source} ne peuvent pas être transposés au bassin."
        )
    partial = ""
    if coverage < 0.9995:
        partial = (
            f" Les {words.plural} disposant de données ne couvrent que "
            f"{format_percent(coverage)} de la population du bassin sur certaines périodes."
        )
    unzoned = ""
    if crosswalk.unzoned_communes:
        unzoned = (
            f" {crosswalk.unzoned_communes} commune(s) du bassin n'appartiennent à "
            f"{words.agree('aucun', 'aucune')} "
            f"{words.singular}."
        )
    if crosswalk.unknown_population_communes:
        unzoned += (
            f" {len(crosswalk.unknown_population_communes)} commune(s) sans population connue "
            f"({list_examples(list(crosswalk.unknown_population_communes), limit=5)}) "
            "pèsent 0 dans la répartition."
        )
    if measure == "count":
        if crosswalk.single_zone is not None:
            return (
                f"Le bassin correspond exactement {words.agree('au', 'à la')} {words.singular} "
                f"{crosswalk.single_zone} : {source} sont repris tels quels.{partial}{unzoned}"
            )
        if crosswalk.exact:
            return (
                f"Le bassin est la réunion exacte de {count} {noun} {whole} ({codes}) : "
                f"{source} sont additionnés sans estimation.{partial}{unzoned}"
            )
        return (
            f"Le bassin ne coïncide pas avec des {words.plural} "
            f"{words.agree('entiers', 'entières')} : {source} de {words.agree('chacun', 'chacune')} des {count} {noun} "
            f"concerné{words.agree('', 'e')}s ({codes}) sont répartis au prorata de la population "
            f"de ses communes situées dans le bassin ; les chiffres sont estimés.{partial}{unzoned}"
        )
    if crosswalk.single_zone is not None:
        return (
            f"Le bassin correspond exactement {words.agree('au', 'à la')} {words.singular} "
            f"{crosswalk.single_zone} : {source} publié est repris tel quel.{partial}{unzoned}"
        )
    union = (
        f"Le bassin est la réunion exacte de {count} {noun} {whole} ({codes})"
        if crosswalk.exact
        else (
            f"Le bassin recoupe {count} {noun} ({codes}) sans coïncider avec des "
            f"{words.plural} {words.agree('entiers', 'entières')}"
        )
    )
    return (
        f"{union} : {source} est la moyenne des taux de ces zones pondérée par la population du "
        "bassin dans chacune. C'est une estimation : un taux se pondère par la population "
        f"active, que ces données ne donnent pas.{partial}{unzoned}"
    )
