"""Views of the diagnostics app, one module per page family (re-exported for the URLconfs)."""

from .home import home

__all__ = ["home"]
