from .assets import BasinPartnership, EmployerLetter, HostStructure
from .projects import (
    Concept,
    GovernanceMember,
    ImplantationProject,
    ProjectPartner,
    ProjectStatus,
    ProjectStatusChange,
    ProjectYear,
)
from .recommendation import BusinessScenario, Recommendation, ScoringProfile
from .reference import CnamSite, ProgrammeSettings

__all__ = [
    "BasinPartnership",
    "BusinessScenario",
    "CnamSite",
    "Concept",
    "EmployerLetter",
    "GovernanceMember",
    "HostStructure",
    "ImplantationProject",
    "ProgrammeSettings",
    "ProjectPartner",
    "ProjectStatus",
    "ProjectStatusChange",
    "ProjectYear",
    "Recommendation",
    "ScoringProfile",
]
