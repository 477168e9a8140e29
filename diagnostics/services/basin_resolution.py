"""From a basin's source (zones d'emploi, bassins BMO, EPCI or communes) to its communes, main
town, region(s), population and geometry: the resolution shared by the preview, the creation,
the update and the refresh of a basin (diagnostics.services.basins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry.base import BaseGeometry

from diagnostics.analytics.geometry import geometry_from_geojson, union
from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, BasinSource, Commune, Region, ZoneEmploi
from diagnostics.selectors import basins as basin_selectors

GEOMETRY_NOTE_MAX = 300


class BasinError(ApplicationError):
    """A basin cannot be built or saved as asked."""

    code = "basin_error"


@dataclass
class _Resolution:
    source_kind: BasinSource
    source_codes: list[str]
    source_label: str
    communes: list[Commune]
    main_town: Commune
    region: Region
    regions: list[Region]
    zones: list[ZoneEmploi]
    notices: list[str]


# --- Helpers --------------------------------------------------------------------------------
def _codes_text(codes: list[str], limit: int = 30) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" et {len(codes) - limit} autres" if len(codes) > limit else "")


# kind -> (title, unknown code, unknown codes, article before the names)
_SOURCE_WORDS: dict[BasinSource, tuple[str, str, str, str]] = {
    BasinSource.ZONE_EMPLOI: (
        "Zone d'emploi",
        "Zone d'emploi inconnue",
        "Zones d'emploi inconnues",
        "la zone d'emploi ",
    ),
    BasinSource.BASSIN_BMO: (
        "Bassin BMO",
        "Bassin BMO inconnu",
        "Bassins BMO inconnus",
        "le bassin BMO ",
    ),
    BasinSource.EPCI: ("EPCI", "EPCI inconnu", "EPCI inconnus", "l'EPCI "),
}


def _dedupe(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(c for c in codes if c))


def _source_kind(value: BasinSource | str) -> BasinSource:
    try:
        return BasinSource(value)
    except ValueError:
        choices = ", ".join(BasinSource.values)
        raise BasinError(
            f"Type de source inconnu : « {value} » (attendu : {choices}).",
            code="invalid_source_kind",
            extra={"field": "source_kind"},
        ) from None


def _empty(message: str) -> BasinError:
    return BasinError(message, code="empty_basin", extra={"field": "source_codes"})


def _resolve_commune_codes(codes: list[str]) -> tuple[list[Commune], list[str]]:
    """Communes of a list of codes, merged communes mapped to their current code. Refuses the
    whole list, naming every unknown code, when one is unknown."""
    codes = _dedupe([basin_selectors.normalise_commune_code(c) for c in codes])
    found = basin_selectors.communes_by_code(codes)
    missing = [c for c in codes if c not in found]
    notices: list[str] = []
    found_by_old: dict[str, list[Commune]] = {}
    if missing:
        changes = basin_selectors.commune_code_changes(missing)
        targets = sorted({code for news in changes.values() for code in news})
        mapped = basin_selectors.communes_by_code(targets)
        still_missing = []
        for old in missing:
            news = [mapped[code] for code in changes.get(old, []) if code in mapped]
            if news:
                found_by_old[old] = news
                listed = ", ".join(f"{c.code} ({c.name})" for c in news)
                notices.append(f"Le code {old} (commune fusionnée) a été remplacé par {listed}.")
            else:
                still_missing.append(old)
        if still_missing:
            plural = len(still_missing) > 1
            raise BasinError(
                f"Code{'s' if plural else ''} commune inconnu{'s' if plural else ''} : "
                f"{_codes_text(still_missing)}.",
                code="unknown_codes",
                extra={"field": "source_codes", "unknown_codes": still_missing},
            )
    communes: dict[str, Commune] = {}
    for code in codes:
        for commune in found_by_old.get(code) or [found[code]]:
            communes.setdefault(commune.code, commune)
    return list(communes.values()), notices


def source_resolve(
    source_kind: BasinSource | str, source_codes: list[str], main_town_code: str | None
) -> _Resolution:
    kind = _source_kind(source_kind)
    raw = [str(c).strip() for c in source_codes or [] if str(c).strip()]
    if not raw:
        raise _empty("Le bassin est vide : indiquez au moins un code.")

    zones: list[ZoneEmploi] = []
    notices: list[str] = []
    if kind == BasinSource.COMMUNES:
        communes, notices = _resolve_commune_codes(raw)
        codes = [c.code for c in communes]
        label = f"Liste de {len(communes)} commune{'s' if len(communes) > 1 else ''}"
    else:
        if kind == BasinSource.EPCI:
            codes = _dedupe([basin_selectors.normalise_epci_code(c) for c in raw])
            known: dict[str, Any] = basin_selectors.epcis_by_code(codes)
        elif kind == BasinSource.BASSIN_BMO:
            codes = _dedupe([basin_selectors.normalise_zoning_code(c) for c in raw])
            known = basin_selectors.bassins_bmo_by_code(codes)
        else:
            codes = _dedupe([basin_selectors.normalise_zoning_code(c) for c in raw])
            known = basin_selectors.zones_emploi_by_code(codes)
        title, unknown_one, unknown_many, article = _SOURCE_WORDS[kind]
        unknown = [c for c in codes if c not in known]
        if unknown:
            what = unknown_many if len(unknown) > 1 else unknown_one
            raise BasinError(
                f"{what} : {_codes_text(unknown)}.",
                code="unknown_source",
                extra={"field": "source_codes", "unknown_codes": unknown},
            )
        if kind == BasinSource.EPCI:
            communes = basin_selectors.communes_of_epcis(codes)
        elif kind == BasinSource.BASSIN_BMO:
            communes = basin_selectors.communes_of_bassins_bmo(codes)
        else:
            communes = basin_selectors.communes_of_zones_emploi(codes)
            zones = [known[c] for c in codes]
        names = ", ".join(f"{known[c].name} ({c})" for c in codes)
        label = f"{title} {names}"
        if not communes:
            raise _empty(f"Le bassin est vide : aucune commune n'est rattachée à {article}{names}.")

    main_town = main_town_choose(communes, main_town_code)
    if main_town.region is None:
        raise BasinError(
            f"Impossible de rattacher le bassin à une région : la ville principale "
            f"{main_town.name} ({main_town.code}) n'a pas de région.",
            code="no_region",
            extra={"field": "main_town"},
        )
    regions = sorted(
        {c.region.code: c.region for c in communes if c.region}.values(), key=lambda r: r.code
    )
    return _Resolution(
        source_kind=kind,
        source_codes=codes,
        source_label=label,
        communes=communes,
        main_town=main_town,
        region=main_town.region,
        regions=regions,
        zones=zones,
        notices=notices,
    )


def main_town_choose(communes: list[Commune], main_town_code: str | None) -> Commune:
    """The given main town (which must belong to the basin), else the most populated commune
    (ties: the smallest code)."""
    if main_town_code and main_town_code.strip():
        code = basin_selectors.normalise_commune_code(main_town_code)
        by_code = {c.code: c for c in communes}
        if code not in by_code:
            news = basin_selectors.commune_code_changes([code]).get(code, [])
            inside = [by_code[n] for n in news if n in by_code]
            if inside:
                return min(inside, key=lambda c: (-(c.population or -1), c.code))
            known = basin_selectors.communes_by_code(news or [code])
            if not known:
                raise BasinError(
                    f"Ville principale inconnue : aucune commune n'a le code {code}.",
                    code="main_town_unknown",
                    extra={"field": "main_town", "code": code},
                )
            town = next(iter(known.values()))
            raise BasinError(
                f"La ville principale {town.name} ({town.code}) n'appartient pas au bassin.",
                code="main_town_outside",
                extra={"field": "main_town", "code": town.code},
            )
        return by_code[code]
    return min(communes, key=lambda c: (-(c.population or -1), c.code))


def communes_figures(communes: list[Commune]) -> tuple[int, int]:
    population = sum(c.population or 0 for c in communes)
    missing = sum(1 for c in communes if c.population is None)
    return population, missing


def basin_geometry_build(
    communes: list[Commune], zones: list[ZoneEmploi]
) -> tuple[BaseGeometry | None, str, bool]:
    """(geometry, note, approximate): the zones' published polygons when every zone has one,
    else the union of the communes' outlines."""
    if zones and all(z.geometry for z in zones):
        geom = union(geometry_from_geojson(z.geometry) for z in zones)
        names = ", ".join(f"{z.name} ({z.code})" for z in zones)
        plural = len(zones) > 1
        note = (
            f"Contour officiel de{'s' if plural else ' la'} zone{'s' if plural else ''} "
            f"d'emploi {names} (polygone INSEE simplifié"
            + (", réparé" if any(z.geometry_repaired for z in zones) else "")
            + ")."
        )
        return geom, note[:GEOMETRY_NOTE_MAX], False
    shapes = [geometry_from_geojson(c.geometry) for c in communes]
    geom = union(shapes)
    with_shape = sum(1 for s in shapes if s is not None)
    if geom is None:
        return None, "Aucun contour disponible pour ces communes.", False
    approx = sum(1 for c in communes if c.geometry and c.geometry_approximate)
    parts = [f"Union des contours de {with_shape} commune{'s' if with_shape > 1 else ''}."]
    if approx:
        parts.append(
            f"Contours approchés pour {approx} commune{'s' if approx > 1 else ''} "
            "(cellules de Voronoï des centres communaux, découpées par zone d'emploi) : "
            "tracé indicatif."
        )
    if with_shape < len(communes):
        n = len(communes) - with_shape
        parts.append(f"{n} commune{'s' if n > 1 else ''} sans contour.")
    if zones:
        parts.insert(0, "Zone d'emploi sans polygone publié :")
    return geom, " ".join(parts)[:GEOMETRY_NOTE_MAX], bool(approx)


def basin_zones(basin: Basin) -> list[ZoneEmploi]:
    if basin.source_kind != BasinSource.ZONE_EMPLOI:
        return []
    found = basin_selectors.zones_emploi_by_code(list(basin.source_codes))
    return [found[c] for c in basin.source_codes if c in found]
