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


# ---------------------------------------------------------------------------------------------
# Longitudinal basin diagnostic (issue 4): input fact frames produced by the selectors, and the
# output columns of the engine (crosswalk, bmo, labour, structure, secrecy, tension, indicators).
#
# Input frames (the selectors produce exactly these; extra columns are ignored):
# - CROSSWALK: commune_code, population, zone_emploi_code, bassin_bmo_code, epci_code,
#   departement_code, region_code — one row per commune, ideally all of France (the region and
#   France comparisons and the job seekers' département residual need more than the basin).
# - BMO_FACTS: year, bassin_bmo_code, metier_code, metier_label, family_code, family_label,
#   met, xmet, smet (Int64, NA = secret cell `*`), met_masked, xmet_masked, smet_masked (bool).
#   A bassin spanning several départements may have one row per département: rows are summed.
# - UNEMPLOYMENT: zone_emploi_code, period ("2023-T3"), rate (Float64, %).
# - JOB_SEEKERS: level ("commune" | "departement" | "region" | "bassin_bmo"), geo_code,
#   period ("2024-01"), category ("ABC" | "A"), value (Int64, NA = masked).
# - TENSION: year, bassin_bmo_code, rome_code, then any of TENSION_COMPONENT_COLUMNS and
#   TENSION_FACTOR_COLUMNS (missing components are named in the result).
# ---------------------------------------------------------------------------------------------

COMMUNE_CODE = "commune_code"
CROSSWALK_COLUMNS = [
    COMMUNE_CODE,
    POPULATION,
    ZONE_EMPLOI_CODE,
    BASSIN_BMO_CODE,
    EPCI_CODE,
    DEPARTEMENT_CODE,
    REGION_CODE,
]

METIER_CODE = "metier_code"
METIER_LABEL = "metier_label"
FAMILY_CODE = "family_code"
FAMILY_LABEL = "family_label"
MET = "met"
XMET = "xmet"
SMET = "smet"
MET_MASKED = "met_masked"
XMET_MASKED = "xmet_masked"
SMET_MASKED = "smet_masked"
BMO_FACT_COLUMNS = [
    YEAR,
    BASSIN_BMO_CODE,
    METIER_CODE,
    METIER_LABEL,
    FAMILY_CODE,
    FAMILY_LABEL,
    MET,
    XMET,
    SMET,
    MET_MASKED,
    XMET_MASKED,
    SMET_MASKED,
]

PERIOD = "period"
RATE = "rate"
UNEMPLOYMENT_COLUMNS = [ZONE_EMPLOI_CODE, PERIOD, RATE]

LEVEL = "level"
GEO_CODE = "geo_code"
CATEGORY = "category"
VALUE = "value"
JOB_SEEKER_COLUMNS = [LEVEL, GEO_CODE, PERIOD, CATEGORY, VALUE]
LEVEL_COMMUNE = "commune"
LEVEL_DEPARTEMENT = "departement"
LEVEL_REGION = "region"
LEVEL_BASSIN_BMO = "bassin_bmo"

ROME_CODE = "rome_code"
OFFERS = "offers"  # online job offers (DARES: offres d'emploi en ligne / enregistrées)
JOB_SEEKERS_A = "job_seekers_a"
JOB_SEEKERS_ABC = "job_seekers_abc"
EXIT_RATE = "exit_rate"  # exit rate from the A+B+C register
BMO_DIFFICULTY_SHARE = "bmo_difficulty_share"  # share of BMO projects judged difficult
HIRING_INTENSITY = "hiring_intensity"
WORKING_CONDITIONS = "working_conditions"
NON_DURABLE_EMPLOYMENT = "non_durable_employment"
LACK_OF_LABOUR = "lack_of_labour"
TRAINING_JOB_LINK = "training_job_link"
GEOGRAPHIC_MISMATCH = "geographic_mismatch"
PUBLISHED_TENSION = "published_tension"  # the published tension indicator (quintile 1-5)
TENSION_KEY_COLUMNS = [YEAR, BASSIN_BMO_CODE, ROME_CODE]
TENSION_COMPONENT_COLUMNS = [
    OFFERS,
    JOB_SEEKERS_A,
    JOB_SEEKERS_ABC,
    EXIT_RATE,
    BMO_DIFFICULTY_SHARE,
]
TENSION_FACTOR_COLUMNS = [
    HIRING_INTENSITY,
    WORKING_CONDITIONS,
    NON_DURABLE_EMPLOYMENT,
    LACK_OF_LABOUR,
    TRAINING_JOB_LINK,
    GEOGRAPHIC_MISMATCH,
]

# Output columns of the engine.
ZONE_CODE = "zone_code"
ZONE_POPULATION = "zone_population"
ZONE_COMMUNES = "zone_communes"
OVERLAP_POPULATION = "basin_population_in_zone"
OVERLAP_COMMUNES = "basin_communes_in_zone"
ZONE_SHARE = "zone_share"  # share of the zone's population inside the basin
BASIN_SHARE = "basin_share"  # share of the basin's population inside the zone
WHOLE_ZONE = "whole_zone"
WEIGHT = "weight"
ESTIMATED = "estimated"
COVERAGE = "coverage"  # share of the basin's population covered by the figures used
ZONES_USED = "zones_used"

CELLS = "cells"
MASKED_CELLS = "masked_cells"  # masked `met` cells
PROJECTS = "projects"  # Σ published met
PUBLISHED_CELLS = "published_cells"
DIFFICULT = "difficult"  # Σ xmet over cells where xmet and met are published
DIFFICULTY_BASE = "difficulty_base"  # Σ met over the same cells
DIFFICULTY_MASKED_CELLS = "difficulty_masked_cells"  # cells left out of the difficulty rate
DIFFICULTY_RATE = "difficulty_rate"
SEASONAL = "seasonal"
SEASONAL_BASE = "seasonal_base"
SEASONAL_MASKED_CELLS = "seasonal_masked_cells"
SEASONAL_RATE = "seasonal_rate"
PROJECTS_PER_1000 = "projects_per_1000"
IN_TENSION = "in_tension"
YEARS_OBSERVED = "years_observed"
YEARS_IN_TENSION = "years_in_tension"
DURABLE = "durable"

DIRECT_VALUE = "direct_value"
COVERED_COMMUNES = "covered_communes"
PERIODS = "periods"
COMPLETE = "complete"
YEAR_ON_YEAR = "year_on_year"

INDICATOR = "indicator"
FIRST_PERIOD = "first_period"
LAST_PERIOD = "last_period"
FIRST_VALUE = "first_value"
LAST_VALUE = "last_value"
ABSOLUTE_CHANGE = "absolute_change"
PERCENT_CHANGE = "percent_change"
ANNUAL_RATE = "annual_rate"  # compound annual growth rate

LOCAL_VALUE = "local_value"
LOCAL_SHARE = "local_share"
REFERENCE_VALUE = "reference_value"
REFERENCE_SHARE = "reference_share"
LOCATION_QUOTIENT = "location_quotient"
CONCENTRATED = "concentrated"

START_VALUE = "start_value"
END_VALUE = "end_value"
CHANGE = "change"
LOCAL_GROWTH = "local_growth"
REFERENCE_GROWTH = "reference_growth"
NATIONAL_SHARE = "national_share"
INDUSTRY_MIX = "industry_mix"
REGIONAL_SHIFT = "regional_shift"

PEER_ID = "peer_id"
SIZE_BAND = "size_band"
PEERS = "peers"
RANK = "rank"
PERCENTILE = "percentile"
MEDIAN = "median"
REGION_VALUE = "region_value"
REGION_PEERS = "region_peers"
REGION_RANK = "region_rank"

FIGURE_ID = "figure_id"
UNIT_CODE = "unit_code"
PUBLISHED = "published"
SUPPRESSED = "suppressed"
SUPPRESSION_REASON = "suppression_reason"
REVEALED_UNITS = "revealed_units"

OFFERS_PER_SEEKER = "offers_per_seeker"
Z_OFFERS_PER_SEEKER = "z_offers_per_seeker"
Z_EXIT_RATE = "z_exit_rate"
Z_BMO_DIFFICULTY_SHARE = "z_bmo_difficulty_share"
TENSION_INDEX = "tension_index"
COMPONENTS_USED = "components_used"


# ---------------------------------------------------------------------------------------------
# Prospective (issue 17): saturated métiers, bridges, replacement needs, projections, sectors.
#
# Input frames:
# - ROME_REFERENTIAL: rome_code, rome_label, domain_code (domaine professionnel, e.g. « K13 »),
#   domain_label.
# - ROME_FAP: rome_code, fap2009_code (the pairing published in the 2019 tension file).
# - POPULATION_AGE: year, departement_code, sex ("ensemble" | "hommes" | "femmes"), age_min
#   (0, 5, …, 95), population (Float64, NA = not estimated).
# - SECTOR_JOB_SEEKERS: bassin_bmo_code, vintage, naf_section, sector_label, value.
# ---------------------------------------------------------------------------------------------

ROME_LABEL = "rome_label"
DOMAIN_CODE = "domain_code"
DOMAIN_LABEL = "domain_label"
FAP2009_CODE = "fap2009_code"
ROME_REFERENTIAL_COLUMNS = [ROME_CODE, ROME_LABEL, DOMAIN_CODE, DOMAIN_LABEL]
ROME_FAP_COLUMNS = [ROME_CODE, FAP2009_CODE]

SEEKERS_PER_OFFER = "seekers_per_offer"
SURPLUS = "surplus"  # job seekers − offers
BMO_YEAR = "bmo_year"

TARGET_ROME_CODE = "target_rome_code"  # the métier in tension a bridge leads to
TARGET_ROME_LABEL = "target_rome_label"
TARGET_TENSION = "target_tension"
TARGET_OFFERS = "target_offers"
BRIDGES = "bridges"  # number of saturated métiers bridged to a métier in tension
JOB_SEEKERS_CONCERNED = "job_seekers_concerned"

SEX = "sex"
AGE_MIN = "age_min"
POPULATION_AGE_COLUMNS = [YEAR, DEPARTEMENT_CODE, SEX, AGE_MIN, POPULATION]
AREA = "area"  # "basin" | "region" | "france"
WORKING_AGE = "working_age"  # population aged 20–64
SENIORS = "seniors"  # aged 55–64
SENIOR_SHARE = "senior_share"  # seniors / working_age
YOUNG = "young"  # aged 20–29
RENEWAL_RATIO = "renewal_ratio"  # young / seniors

SERIES = "series"
FORECAST = "forecast"
LOWER = "lower"
UPPER = "upper"
HORIZON = "horizon"
OBSERVED = "observed"
MAE = "mae"
MAPE = "mape"
NAIVE_MAE = "naive_mae"
BACKTESTS = "backtests"

NAF_SECTION = "naf_section"
SECTOR_LABEL = "sector_label"
SHARE = "share"
VINTAGE = "vintage"
SECTOR_JOB_SEEKERS_COLUMNS = [BASSIN_BMO_CODE, VINTAGE, NAF_SECTION, SECTOR_LABEL, VALUE]
