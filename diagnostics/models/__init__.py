from .accounts import Role, User
from .audit import AuditAction, AuditEvent
from .basins import Basin, BasinShare, BasinSource, GeometryStatus
from .facts import (
    DefmFact,
    DefmSecteurFact,
    FapCode,
    Lycee,
    RomeAppellation,
    RomeCode,
    RomeDomain,
    TensionFact,
)
from .imports import (
    BmoFact,
    ChomageZeFact,
    DatasetKind,
    GeoLevel,
    ImportBatch,
    IndicatorFact,
)
from .population import PopulationAgeFact
from .programme import CnamSite, ProgrammeSettings
from .runs import DiagnosticRun
from .territories import (
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    TerritoryLoad,
    ZoneEmploi,
)

__all__ = [
    "AuditAction",
    "AuditEvent",
    "Basin",
    "BasinShare",
    "BasinSource",
    "BassinBmo",
    "BmoFact",
    "ChomageZeFact",
    "CnamSite",
    "Commune",
    "CommuneCodeChange",
    "DefmFact",
    "DefmSecteurFact",
    "DiagnosticRun",
    "Departement",
    "DatasetKind",
    "Epci",
    "FapCode",
    "GeoLevel",
    "GeometryStatus",
    "ImportBatch",
    "IndicatorFact",
    "Lycee",
    "PopulationAgeFact",
    "ProgrammeSettings",
    "Region",
    "Role",
    "RomeAppellation",
    "RomeCode",
    "RomeDomain",
    "TensionFact",
    "TerritoryLoad",
    "User",
    "ZoneEmploi",
]
