"""Column names of the catalogue analytics (gap between the needs of a basin and its training
supply). The demand-side columns are the diagnostic engine's (`diagnostics.analytics.columns`,
imported from there): the gap reads the tables of a diagnostic run as they are.
"""

from diagnostics.analytics.columns import (
    DIFFICULT,
    DIFFICULTY_BASE,
    DURABLE,
    IN_TENSION,
    LACK_OF_LABOUR,
    MASKED_CELLS,
    METIER_CODE,
    NON_DURABLE_EMPLOYMENT,
    PROJECTS,
    ROME_CODE,
    SEASONAL,
    SEASONAL_BASE,
    WORKING_CONDITIONS,
    YEAR,
)

# Paths (one row per active path of the catalogue).
PATH_ID = "path_id"
PATH_CODE = "path_code"
TITLE = "title"
SECTOR = "sector"
CONCEPTS = "concepts"  # tuple of concept codes
PUBLICS = "publics"  # tuple of public codes
BMO_CODES = "bmo_codes"  # tuple of BMO métier codes
ROME_CODES = "rome_codes"  # tuple of ROME codes
PATH_COLUMNS = [PATH_ID, PATH_CODE, TITLE, SECTOR, CONCEPTS, PUBLICS, BMO_CODES, ROME_CODES]
# What a path is and how it is delivered (issue 18): optional in the input (defaults below),
# carried to every line of the gap.
PURPOSES = "purposes"  # tuple of purpose codes (professionnalisation, reconversion, vae…)
LEVEL = "level"  # national framework level 3-7, NA for a module
RNCP_CODE = "rncp_code"  # "" without one
CPF_ELIGIBLE = "cpf_eligible"
MODALITIES = "modalities"  # tuple of modality codes
DURATION_HOURS = "duration_hours"
ROLLING_ENTRIES = "rolling_entries"
PATH_DETAIL_DEFAULTS: dict[str, object] = {
    PURPOSES: (),
    LEVEL: None,
    RNCP_CODE: "",
    CPF_ELIGIBLE: False,
    MODALITIES: (),
    DURATION_HOURS: None,
    ROLLING_ENTRIES: False,
}
PATH_DETAIL_COLUMNS = list(PATH_DETAIL_DEFAULTS)
RECONVERSION = "reconversion"  # the purpose favoured by `GapParams.reconversion_boost`
RECONVERSION_BOOSTED = "reconversion_boosted"

# Local supply (one row per offer; path_id NA for an offer outside the catalogue).
PLACES = "places"
PROVIDER = "provider"
SOURCE = "source"
SUPPLY_COLUMNS = [PATH_ID, BMO_CODES, ROME_CODES, PLACES]

# Demand inputs (tables of the diagnostic run).
BMO_METIER_COLUMNS = [
    YEAR,
    METIER_CODE,
    PROJECTS,
    DIFFICULT,
    DIFFICULTY_BASE,
    SEASONAL,
    SEASONAL_BASE,
    MASKED_CELLS,
]
METIER_TENSION_COLUMNS = [METIER_CODE, IN_TENSION, DURABLE]
ROME_TENSION_COLUMNS = [YEAR, ROME_CODE]

# Output.
RANK = "rank"
SCORE = "score"
DEMAND_SCORE = "demand_score"
COVERAGE = "coverage"
LAST_YEAR = "last_year"
FIRST_YEAR = "first_year"
PROJECTS_FIRST = "projects_first"
TREND = "trend"  # relative change of projects between first_year and last_year
TREND_BREAK = "trend_break"  # the BMO nomenclature changed between the two years
DIFFICULTY_RATE = "difficulty_rate"
SEASONAL_RATE = "seasonal_rate"
METIERS_MATCHED = "metiers_matched"
METIERS_IN_TENSION = "metiers_in_tension"
METIERS_DURABLE = "metiers_durable"
ROME_MATCHED = "rome_matched"
JOB_SEEKERS = "job_seekers"
JOB_SEEKERS_SUPPRESSED = "job_seekers_below_threshold"  # an estimate under the secrecy threshold
TENSION_YEAR = "tension_year"
TENSION = "tension"  # mean published DARES tension (1-5) over the matched ROME codes
OFFERS_COUNT = "offers"
FLAGGED = "not_the_lever"
FLAG_REASONS = "not_the_lever_reasons"
EXCLUDED_REASON = "excluded_reason"
EXPLANATION = "explanation"

# Normalised components of the demand score (0-1, NA when unknown).
C_PROJECTS = "c_projects"
C_DIFFICULTY = "c_difficulty"
C_TREND = "c_trend"
C_JOB_SEEKERS = "c_job_seekers"
C_TENSION = "c_tension"
COMPONENTS = [C_PROJECTS, C_DIFFICULTY, C_TREND, C_JOB_SEEKERS, C_TENSION]

COMPONENT_LABELS_FR = {
    C_PROJECTS: "Projets de recrutement",
    C_DIFFICULTY: "Difficulté de recrutement",
    C_TREND: "Évolution des projets",
    C_JOB_SEEKERS: "Demandeurs d'emploi",
    C_TENSION: "Tension Dares",
}

GAP_COLUMNS = [
    RANK,
    PATH_ID,
    PATH_CODE,
    TITLE,
    SECTOR,
    CONCEPTS,
    PUBLICS,
    *PATH_DETAIL_COLUMNS,
    SCORE,
    RECONVERSION_BOOSTED,
    DEMAND_SCORE,
    COVERAGE,
    *COMPONENTS,
    LAST_YEAR,
    PROJECTS,
    DIFFICULT,
    DIFFICULTY_RATE,
    SEASONAL_RATE,
    MASKED_CELLS,
    FIRST_YEAR,
    PROJECTS_FIRST,
    TREND,
    TREND_BREAK,
    METIERS_MATCHED,
    METIERS_IN_TENSION,
    METIERS_DURABLE,
    ROME_MATCHED,
    TENSION_YEAR,
    JOB_SEEKERS,
    JOB_SEEKERS_SUPPRESSED,
    TENSION,
    WORKING_CONDITIONS,
    NON_DURABLE_EMPLOYMENT,
    LACK_OF_LABOUR,
    PLACES,
    OFFERS_COUNT,
    FLAGGED,
    FLAG_REASONS,
    EXCLUDED_REASON,
    EXPLANATION,
]
