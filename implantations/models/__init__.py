from .reference import CnamSite, ProgrammeSettings

__all__ = ["CnamSite", "ProgrammeSettings"]
