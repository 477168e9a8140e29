"""Periods of the diagnostic's series: years (2025), quarters ("2023-T3") and months ("2024-01").

Each kind maps to consecutive integers (`period_index`) so gaps in a series can be found and
shown (a series break is shown, never hidden), and to a position in years (`period_position`)
to compute annual rates between two periods.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

PeriodKind = Literal["year", "quarter", "month"]

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-T([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _parse(period: object) -> tuple[PeriodKind, int, int]:
    text = str(period).strip()
    if match := _YEAR.match(text):
        return "year", int(match.group(1)), 1
    if match := _QUARTER.match(text):
        return "quarter", int(match.group(1)), int(match.group(2))
    if match := _MONTH.match(text):
        return "month", int(match.group(1)), int(match.group(2))
    raise ValueError(
        f"Période illisible : « {period} » (attendu une année AAAA, un trimestre AAAA-Tn "
        "ou un mois AAAA-MM)"
    )


def period_kind(period: object) -> PeriodKind:
    return _parse(period)[0]


def period_year(period: object) -> int:
    return _parse(period)[1]


def period_index(period: object) -> int:
    """Consecutive integer of a period within its kind: 2023 → 2023, 2023-T3 → 2023·4 + 2,
    2024-01 → 2024·12 + 0."""
    return _to_index(_parse(period))


def period_from_index(index: int, kind: PeriodKind) -> str:
    if kind == "quarter":
        return f"{index // 4}-T{index % 4 + 1}"
    if kind == "month":
        return f"{index // 12}-{index % 12 + 1:02d}"
    return str(index)


def period_position(period: object) -> float:
    """Position in years: 2023 → 2023.0, 2023-T3 → 2023.5, 2024-04 → 2024.25."""
    kind, year, sub = _parse(period)
    if kind == "quarter":
        return year + (sub - 1) / 4
    if kind == "month":
        return year + (sub - 1) / 12
    return float(year)


def periods_per_year(kind: PeriodKind) -> int:
    return {"year": 1, "quarter": 4, "month": 12}[kind]


def missing_periods(periods: Iterable[object]) -> list[str]:
    """Periods absent between the first and the last of `periods` (all of one kind), in order.

    >>> missing_periods(["2023-T1", "2023-T2", "2023-T4"])
    ['2023-T3']
    """
    parsed = {_parse(p) for p in periods}
    if not parsed:
        return []
    kinds = {kind for kind, _, _ in parsed}
    if len(kinds) > 1:
        raise ValueError(f"Périodes de natures différentes dans une même série : {sorted(kinds)}")
    kind = kinds.pop()
    present = {_to_index(p) for p in parsed}
    first, last = min(present), max(present)
    return [period_from_index(i, kind) for i in range(first, last + 1) if i not in present]


def _to_index(parsed: tuple[PeriodKind, int, int]) -> int:
    kind, year, sub = parsed
    if kind == "quarter":
        return year * 4 + sub - 1
    if kind == "month":
        return year * 12 + sub - 1
    return year
