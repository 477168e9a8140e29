from .accounts import Role, User
from .basins import Basin, BasinShare, BasinSource, GeometryStatus
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
    "Basin",
    "BasinShare",
    "BasinSource",
    "BassinBmo",
    "Commune",
    "CommuneCodeChange",
    "Departement",
    "Epci",
    "GeometryStatus",
    "Region",
    "Role",
    "TerritoryLoad",
    "User",
    "ZoneEmploi",
]
