"""The territory datasets: their names and French labels, the columns each frame must have, and
the error that refuses a dataset."""

from __future__ import annotations

from collections.abc import Callable

from diagnostics.analytics import columns as c
from diagnostics.errors import ApplicationError

Log = Callable[[str], None]

REGIONS = "regions"
DEPARTEMENTS = "departements"
EPCI = "epci"
ZONES_EMPLOI = "zones_emploi"
BASSINS_BMO = "bassins_bmo"
COMMUNES = "communes"
CODE_CHANGES = "code_changes"
COMMUNE_CELLS = "commune_cells"
DATASETS = (REGIONS, DEPARTEMENTS, EPCI, ZONES_EMPLOI, BASSINS_BMO, COMMUNES, CODE_CHANGES)
DATASET_LABELS = {
    REGIONS: "régions",
    DEPARTEMENTS: "départements",
    EPCI: "EPCI",
    ZONES_EMPLOI: "zones d'emploi",
    BASSINS_BMO: "bassins BMO",
    COMMUNES: "communes",
    CODE_CHANGES: "changements de code commune",
    COMMUNE_CELLS: "géométries approchées des communes",
}
FRAME_COLUMNS: dict[str, list[str]] = {
    REGIONS: c.REGION_COLUMNS,
    DEPARTEMENTS: c.DEPARTEMENT_COLUMNS,
    EPCI: c.EPCI_COLUMNS,
    ZONES_EMPLOI: c.ZONE_EMPLOI_COLUMNS,
    BASSINS_BMO: c.BASSIN_BMO_COLUMNS,
    COMMUNES: c.COMMUNE_COLUMNS,
    CODE_CHANGES: c.CODE_CHANGE_COLUMNS,
}
# TerritoryLoad details key: bassins that only the BMO survey files name (see _bassins_bmo).
BMO_ONLY_BASSINS = "bmo_only_bassins"
BMO_ONLY_BASSINS_LABEL = "bassins issus des fichiers BMO (sans communes connues)"
BATCH_SIZE = 2000
EXAMPLES = 20


class TerritoryDataError(ApplicationError):
    """A territory frame cannot be stored: missing column, missing or malformed codes, duplicates,
    values out of range, references to unknown rows. The dataset is refused as a whole."""

    code = "territory_data_error"
