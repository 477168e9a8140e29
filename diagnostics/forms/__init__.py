"""Forms of the diagnostics pages, one module per topic (basins, imports, tokens)."""
