"""Views of the diagnostics app, one module per page family."""
