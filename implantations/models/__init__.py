from .assets import BasinPartnership, EmployerLetter, HostStructure
from .contributions import Contribution
from .followup import FollowupSource, ProjectFollowup
from .funding import CpfTopUpScenario, Funder, ProjectFundingLine, ProjectService
from .programme import ProgrammeTarget, ProgrammeTargetChange
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

__all__ = [
    "BasinPartnership",
    "BusinessScenario",
    "Concept",
    "Contribution",
    "CpfTopUpScenario",
    "Funder",
    "EmployerLetter",
    "FollowupSource",
    "GovernanceMember",
    "HostStructure",
    "ImplantationProject",
    "ProgrammeTarget",
    "ProgrammeTargetChange",
    "ProjectFollowup",
    "ProjectFundingLine",
    "ProjectPartner",
    "ProjectService",
    "ProjectStatus",
    "ProjectStatusChange",
    "ProjectYear",
    "Recommendation",
    "ScoringProfile",
]
