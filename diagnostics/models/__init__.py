from .accounts import Role, User
from .audit import AuditAction, AuditEvent
from .basins import Basin, BasinListDocument, BasinShare, BasinSource, GeometryStatus
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
from .partners import OrganisationContact
from .pdf_jobs import PdfJob
from .population import PopulationAgeFact
from .programme import CnamSite, ProgrammeSettings
from .runs import DiagnosticRun
from .sharing import (
    Notification,
    Organisation,
    ShareComment,
    SharedVersion,
    ShareLink,
    ShareLinkView,
    ShareRecipient,
)
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
from .tokens import ROLE_SCOPES, ApiToken, Scope

__all__ = [
    "PdfJob",
    "AtlasEntry",
    "ApiToken",
    "ROLE_SCOPES",
    "Scope",
    "AuditAction",
    "AuditEvent",
    "Basin",
    "BasinListDocument",
    "BasinShare",
    "BasinSource",
    "BassinBmo",
    "BmoFact",
    "ChomageZeFact",
    "CnamSite",
    "OrganisationContact",
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
    "PopulationAgeFact",
    "ProgrammeSettings",
    "Region",
    "Role",
    "SharedReference",
    "RomeAppellation",
    "RomeCode",
    "RomeDomain",
    "TensionFact",
    "TerritoryLoad",
    "Notification",
    "Organisation",
    "ShareComment",
    "SharedVersion",
    "ShareLink",
    "ShareLinkView",
    "ShareRecipient",
    "User",
    "ZoneEmploi",
]
