"""Column names shared by the analytics, the importers and the selectors.

Territory frames (normalised, whatever the source file or the synthetic demo):
- REGIONS: code, name
- DEPARTEMENTS: code, name, region_code
- EPCI: code, name, nature
- ZONES_EMPLOI: code, name, geometry (shapely geometry or None, WGS84)
- BASSINS_BMO: code, name, region_code
- COMMUNES: code, name, departement_code, region_code, population, population_vintage,
  latitude, longitude, cog_vintage, epci_code, zone_emploi_code, bassin_bmo_code
- CODE_CHANGES: old_code, new_code, year
"""

CODE = "code"
NAME = "name"
NATURE = "nature"
GEOMETRY = "geometry"
REGION_CODE = "region_code"
DEPARTEMENT_CODE = "departement_code"
EPCI_CODE = "epci_code"
ZONE_EMPLOI_CODE = "zone_emploi_code"
BASSIN_BMO_CODE = "bassin_bmo_code"
POPULATION = "population"
POPULATION_VINTAGE = "population_vintage"
LATITUDE = "latitude"
LONGITUDE = "longitude"
COG_VINTAGE = "cog_vintage"
OLD_CODE = "old_code"
NEW_CODE = "new_code"
YEAR = "year"

REGION_COLUMNS = [CODE, NAME]
DEPARTEMENT_COLUMNS = [CODE, NAME, REGION_CODE]
EPCI_COLUMNS = [CODE, NAME, NATURE]
ZONE_EMPLOI_COLUMNS = [CODE, NAME, GEOMETRY]
BASSIN_BMO_COLUMNS = [CODE, NAME, REGION_CODE]
COMMUNE_COLUMNS = [
    CODE,
    NAME,
    DEPARTEMENT_CODE,
    REGION_CODE,
    POPULATION,
    POPULATION_VINTAGE,
    LATITUDE,
    LONGITUDE,
    COG_VINTAGE,
    EPCI_CODE,
    ZONE_EMPLOI_CODE,
    BASSIN_BMO_CODE,
]
CODE_CHANGE_COLUMNS = [OLD_CODE, NEW_CODE, YEAR]
