# CnamSite and ProgrammeSettings live in diagnostics (basin eligibility reads them); re-exported
# here so that implantations code keeps one import line.
from diagnostics.models import CnamSite, ProgrammeSettings

from .assets import BasinPartnership, EmployerLetter, HostStructure
from .contributions import Contribution
from .followup import FollowupSource, ProjectFollowup
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
    "CnamSite",
    "Concept",
    "Contribution",
    "EmployerLetter",
    "FollowupSource",
    "GovernanceMember",
    "HostStructure",
    "ImplantationProject",
    "ProgrammeSettings",
    "ProgrammeTarget",
    "ProgrammeTargetChange",
    "ProjectFollowup",
    "ProjectPartner",
    "ProjectStatus",
    "ProjectStatusChange",
    "ProjectYear",
    "Recommendation",
    "ScoringProfile",
]
