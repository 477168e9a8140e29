"""Readers of the official territory files: each turns one file, as published, into a normalised
pandas frame with the columns of `diagnostics.analytics.columns`. No database access here.

Which file for which dataset (the paths of `FILES`, relative to the open data folder):

- régions, départements, communes: the INSEE code officiel géographique (COG) tables
  (`v_commune` format: `typecom, com, reg, dep, ..., libelle`), leading zeros stripped by the
  copy and restored here. The commune table holds the 34,875 communes of 1 January 2025 (the
  same set as the 2025 centroids and the 2025 table of code changes), hence `COG_VINTAGE`.
- populations: Etalab's `@etalab/decoupage-administratif` 6.0.0 (populations légales in force on
  1 January 2026, COG 2026), rows of type `commune-actuelle`; its folder README gives the vintage
  2026, hence `POPULATION_VINTAGE`.
- commune centres: the ODIS commune points (sep `;`, 2025 geography).
- zones d'emploi: the INSEE original `ZE2020_au_01-01-2023.xlsx` (sheets `ZE2020` and
  `Composition_communale`, header row after a few title lines). It is the most recent official
  composition on disk (the 2022 one matches fewer current communes); the 81 codes of communes
  merged since 2023 are moved to their current code through the table of code changes, and the
  communes split again since (communes rétablies) get the zone of the commune they came from.
- zone polygons: `ze2020_2025_metropole.geojson` (287 metropolitan zones, WGS84).
- bassins BMO: France Travail's commune → bassin table `bassin_emploi.csv` (404 bassins), plus
  the bassins that the BMO survey files present (`bmo/Base_open_data_BMO_*.xlsx`) name but that
  table lacks (2023: 104, 7549; 2024: 104, 304, 7549; 2025: 113, 116, 7549, 9399 Monaco): only
  their code, name and région are read (`read_bmo_bassins`), so that every published BMO file
  imports against the referential; such bassins have no commune.
- EPCI: see `read_epci_json` (preferred) and `read_epci_xlsx` (fallback).
- code changes: the INSEE table de passage annuelle 2025 (old code → current code).

The readers live in `territory_cog` (INSEE COG, populations, centroids, code changes),
`territory_zonings` (zones d'emploi, bassins BMO, EPCI), `territory_bmo_bassins` (bassins named by
the BMO files) on the helpers of `territory_files`; import each reader from its module.
"""

from __future__ import annotations

FILES: dict[str, str] = {
    "regions": "cog_communes/gip_seed_insee_regions.csv",
    "departements": "cog_communes/gip_seed_insee_departements.csv",
    "cog_communes": "cog_communes/gip_seed_insee_communes_cog.csv",
    "populations": "population_communes/communes_population_etalab.csv",
    "centroids": "cog_communes/odis_corresp_geo_point_codes_communes.csv",
    "code_changes": "cog_communes/odis_geocodes_passage_annuel_2025.csv",
    "zones_emploi": "ze2020_commune_map/ZE2020_au_01-01-2023.xlsx",
    "ze_geometry": "ze2020_geometry/ze2020_2025_metropole.geojson",
    "bassins_bmo": "bassin_bmo_commune_map/bassin_emploi.csv",
    "epci_json": "population_communes/epci.json",
    "epci_xlsx": "epci_commune_map/Intercommunalite_Metropole_au_01-01-2023.xlsx",
}
