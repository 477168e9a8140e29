"""The pieces the catalogue's import-export resources (`catalogue.resources`) are built from: the
CSV reading (delimiter `;` or `,` detected, UTF-8 with or without BOM), rows numbered as lines of
the file, and the cell widgets (code lists, French booleans, positive integers, choices, sectors,
many-to-many codes), each raising a French error on a bad cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from import_export import widgets
from import_export.formats.base_formats import CSV
from import_export.results import Result

from catalogue.models import (
    Sector,
    normalise_codes,
)

SEPARATOR = "|"
TRUE_VALUES = {"oui", "o", "vrai", "true", "1", "x", "yes"}
FALSE_VALUES = {"non", "n", "faux", "false", "0", "", "no"}


def csv_dataset(content: bytes | str) -> tablib.Dataset:
    """A CSV as written by a spreadsheet in French (`;`) or elsewhere (`,`), UTF-8 with or
    without BOM."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return tablib.Dataset().load(text, format="csv", delimiter=delimiter)


class SniffedCSV(CSV):
    """The admin's CSV format, with the delimiter detected (`;` or `,`)."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return csv_dataset(in_stream)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class FileLineResult(Result):
    """Rows numbered as lines of the file (header = line 1), as the dataset imports do and as
    a spreadsheet shows them; the library counts data rows from 1."""

    def append_error_row(self, number: int, row: Any, errors: Any) -> None:
        super().append_error_row(number + 1, row, errors)

    def append_invalid_row(self, number: int, row: Any, validation_error: Any) -> None:
        super().append_invalid_row(number + 1, row, validation_error)

    def row_errors(self) -> list[tuple[int, Any]]:
        return [(error_row.number, error_row.errors) for error_row in self.error_rows]


class CodeListWidget(widgets.Widget):
    """A list of codes in one cell: `A|B|C` (also `,` `;` or spaces)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        return normalise_codes(cell_text(value))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return SEPARATOR.join(value or [])


class FrenchBooleanWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        text = cell_text(value).lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValueError(f"Valeur « {value} » non reconnue : « oui » ou « non » attendu.")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "oui" if value else "non"


class PositiveIntegerWidget(widgets.Widget):
    def __init__(self, *, required: bool = True) -> None:
        super().__init__()
        self.required = required

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        text = cell_text(value).replace("\u202f", "").replace(" ", "")
        if not text:
            if self.required:
                raise ValueError("Valeur obligatoire.")
            return None
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(f"Nombre entier attendu : « {value} ».") from exc
        if number != number.to_integral_value() or number < 0:
            raise ValueError(f"Nombre entier positif attendu : « {value} ».")
        return int(number)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A value of `choices`, given by its code or its French label."""

    def __init__(self, choices: Iterable[tuple[Any, Any]], *, required: bool = True) -> None:
        super().__init__()
        self.choices = [(str(code), str(label)) for code, label in choices]
        self.required = required

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = cell_text(value)
        if not text and not self.required:
            return ""
        for code, label in self.choices:
            if text.lower() in (code.lower(), label.lower()):
                return code
        allowed = ", ".join(code for code, _ in self.choices)
        raise ValueError(f"Valeur inconnue : « {text} » (valeurs possibles : {allowed}).")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class SectorWidget(widgets.ForeignKeyWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Sector:
        code = cell_text(value).upper()
        if not code:
            raise ValueError("Filière obligatoire (son code, ex. NUM).")
        try:
            return Sector.objects.get(code=code)
        except Sector.DoesNotExist as exc:
            known = ", ".join(Sector.objects.order_by("code").values_list("code", flat=True))
            raise ValueError(
                f"Filière inconnue : « {code} » (filières : {known or 'aucune'})."
            ) from exc


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Codes separated by « | »; an unknown code is an error (the stock widget drops it)."""

    def __init__(self, model: Any, *, required: bool = False, what: str = "valeur") -> None:
        super().__init__(model, separator=SEPARATOR, field="code")
        self.required = required
        self.what = what

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        codes = [
            c.strip().lower() for c in cell_text(value).replace(",", SEPARATOR).split(SEPARATOR)
        ]
        codes = [c for c in codes if c]
        if not codes:
            if self.required:
                raise ValueError(f"Au moins une {self.what} est obligatoire.")
            return self.model.objects.none()
        found = set(self.model.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in found]
        if unknown:
            allowed = ", ".join(self.model.objects.order_by("order").values_list("code", flat=True))
            raise ValueError(
                f"{self.what.capitalize()}(s) inconnue(s) : {', '.join(unknown)} "
                f"(valeurs possibles : {allowed})."
            )
        return self.model.objects.filter(code__in=codes)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return SEPARATOR.join(value.order_by("order", "code").values_list("code", flat=True))
