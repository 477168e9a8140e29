"""Every DSFR icon class our templates and static files use exists in the DSFR stylesheets that
django-dsfr serves: an unknown class draws a plain blue square where the icon should be (the
« Jetons d'API » link of the header showed one: `fr-icon-key-line` is not a DSFR icon)."""

from __future__ import annotations

import re
from pathlib import Path

import dsfr

ROOT = Path(__file__).resolve().parent.parent
DIST = Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist"
ICON = re.compile(r"fr-icon-[a-z0-9-]+")


def _known_icons() -> set[str]:
    sheets = [DIST / "dsfr.min.css", DIST / "utility" / "utility.min.css"]
    return {
        name
        for sheet in sheets
        for name in re.findall(r"\.(fr-icon-[a-z0-9-]+)", sheet.read_text(encoding="utf-8"))
    }


def _used_icons() -> dict[str, str]:
    used: dict[str, str] = {}
    for folder in (ROOT / "templates", ROOT / "cnam_territoires" / "static"):
        for path in sorted(folder.rglob("*")):
            if path.suffix not in {".html", ".js", ".css"}:
                continue
            for name in ICON.findall(path.read_text(encoding="utf-8")):
                used.setdefault(name, str(path.relative_to(ROOT)))
    return used


def test_every_icon_class_used_is_a_dsfr_icon() -> None:
    known = _known_icons()
    assert len(known) > 500  # the stylesheets were read
    unknown = {name: where for name, where in _used_icons().items() if name not in known}
    assert unknown == {}
