"""Column names of the raw values (one row per criterion) and of the scored criteria frame."""

from __future__ import annotations

from .criteria import CONCEPTS

# Raw values (one row per criterion) and the scored frame.
CRITERION = "criterion"
RAW = "raw"
SOURCE = "source"
VINTAGE = "vintage"
NOTE = "note"
ESTIMATED = "estimated"
VARIANT = "variant"  # the imported indicator actually used, for the indicator criteria
RAW_COLUMNS = [CRITERION, RAW, SOURCE, VINTAGE, NOTE, ESTIMATED, VARIANT]
PILLAR = "pillar"
PILLAR_LABEL = "pillar_label"
LABEL = "label"
UNIT = "unit"
NORMALISED = "normalised"
MISSING = "missing"
NORMALISATION = "normalisation"  # the rule in French


def weight_column(concept: str) -> str:
    return f"weight_{concept}"


def share_column(concept: str) -> str:
    return f"share_{concept}"


def contribution_column(concept: str) -> str:
    return f"contribution_{concept}"


SCORED_COLUMNS = [
    CRITERION, PILLAR, PILLAR_LABEL, LABEL, UNIT, RAW, NORMALISED, MISSING, NORMALISATION,
    SOURCE, VINTAGE, NOTE, ESTIMATED, VARIANT,
    *(weight_column(k) for k in CONCEPTS),
    *(share_column(k) for k in CONCEPTS),
    *(contribution_column(k) for k in CONCEPTS),
]  # fmt: skip
