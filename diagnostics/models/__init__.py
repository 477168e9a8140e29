from .accounts import Role, User
from .audit import AuditAction, AuditEvent
from .basins import Basin, BasinShare, BasinSource, GeometryStatus
from .batches import AtlasEntry, DiagnosticBatch, DiagnosticBatchItem, SharedReference
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
    "AtlasEntry",
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
    "DiagnosticBatch",
    "DiagnosticBatchItem",
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
    "ProgrammeSettings",
    "Region",
    "Role",
    "SharedReference",
    "RomeAppellation",
    "RomeCode",
    "RomeDomain",
    "TensionFact",
    "TerritoryLoad",
    "User",
    "ZoneEmploi",
]
