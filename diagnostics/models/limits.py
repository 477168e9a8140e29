"""Bounds of what a person types, declared once for the models, the forms and the API.

Free texts (notes, reasons, descriptions) are kept to `NOTE_MAX_LENGTH` characters: about two
pages, far above any note written in the demo or the programme's documents, and a text of
100,000 characters (accepted until the write-side fuzzing of 2026-12-07) is refused with the
form's or the API's French message instead of being stored and shown on every page.
Dates a person enters about the programme (a study started, a letter received, premises
available) lie between `DATE_MIN` and `DATE_MAX`: the year 9999 or the year 1 is a slip.
"""

from __future__ import annotations

import datetime as dt

NOTE_MAX_LENGTH = 5000

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


def date_out_of_bounds(value: dt.date, label: str) -> str | None:
    """The French message refusing `value` (« La date de réception (01/01/9999) … »), or None
    when it lies between `DATE_MIN` and `DATE_MAX`. `label`: « La date de réception »."""
    if value < DATE_MIN:
        return f"{label} ({day_text(value)}) est antérieure au {day_text(DATE_MIN)}."
    if value > DATE_MAX:
        return f"{label} ({day_text(value)}) est postérieure au {day_text(DATE_MAX)}."
    return None


def day_text(value: dt.date) -> str:
    """« 01/01/0001 »: the year on four digits, which `%Y` does not give before 1000."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
