"""Reading the official territory files (`diagnostics.importers.territories`) into the normalised
frames of each dataset, each file read once. Used by `services.territories.territories_load`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    communes_frame,
    remap_to_current,
)
from diagnostics.importers import territories as readers
from diagnostics.importers import (
    territory_bmo_bassins,
    territory_cog,
    territory_files,
    territory_zonings,
)
from diagnostics.services.territory_datasets import (
    BASSINS_BMO,
    BMO_ONLY_BASSINS,
    CODE_CHANGES,
    COMMUNES,
    DEPARTEMENTS,
    EPCI,
    EXAMPLES,
    REGIONS,
    ZONES_EMPLOI,
)

# --- reading the official files ----------------------------------------------------------------


class SourceReader:
    """Reads each official file once and builds the normalised frames of the datasets."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Any] = {}

    def path(self, key: str) -> Path:
        return self.root / readers.FILES[key]

    def epci_key(self) -> str:
        # epci.json is preferred (see readers.read_epci_json); the INSEE XLSX when it is absent.
        return (
            "epci_json"
            if self.path("epci_json").is_file() or not self.path("epci_xlsx").is_file()
            else "epci_xlsx"
        )

    def files_for(self, dataset: str) -> list[Path]:
        keys = {
            REGIONS: ["regions"],
            DEPARTEMENTS: ["departements"],
            EPCI: [self.epci_key()],
            ZONES_EMPLOI: ["zones_emploi", "ze_geometry"],
            BASSINS_BMO: ["bassins_bmo"],
            COMMUNES: [
                "cog_communes",
                "populations",
                "centroids",
                "zones_emploi",
                "bassins_bmo",
                self.epci_key(),
            ],
            CODE_CHANGES: ["code_changes"],
        }[dataset]
        return [self.path(k) for k in keys]

    def _get(self, key: str, func: Callable[[Path], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = func(self.path(key))
        return self._cache[key]

    def _epci(self) -> territory_files.Zoning:
        key = self.epci_key()
        func = (
            territory_zonings.read_epci_json
            if key == "epci_json"
            else territory_zonings.read_epci_xlsx
        )
        return self._get(key, func)  # type: ignore[no-any-return]

    def build(self, dataset: str) -> tuple[pd.DataFrame, dict[str, Any]]:
        if dataset == REGIONS:
            return self._get("regions", territory_cog.read_regions), {}
        if dataset == DEPARTEMENTS:
            return self._get("departements", territory_cog.read_departements), {}
        if dataset == EPCI:
            return self._epci().zones, {"file_kind": self.epci_key()}
        if dataset == ZONES_EMPLOI:
            zones = self._get("zones_emploi", territory_zonings.read_zones_emploi).zones
            geoms = self._get("ze_geometry", territory_zonings.read_ze_geometry)
            frame = zones.merge(geoms, on=c.CODE, how="left")
            frame[c.GEOMETRY] = (
                frame[c.GEOMETRY].astype(object).where(frame[c.GEOMETRY].notna(), None)
            )
            without_zone = sorted(set(geoms[c.CODE]) - set(zones[c.CODE]))
            return frame[c.ZONE_EMPLOI_COLUMNS], {"polygons_without_zone": without_zone}
        if dataset == BASSINS_BMO:
            return self._bassins_bmo()
        if dataset == CODE_CHANGES:
            return self._get("code_changes", territory_cog.read_code_changes), {}
        if dataset == COMMUNES:
            return self._communes()
        raise ValueError(dataset)

    def optional_files(self, dataset: str) -> list[Path]:
        """Files read when present, beside the required ones of `files_for` (recorded with
        their SHA-256 in the dataset's TerritoryLoad)."""
        return territory_bmo_bassins.bmo_bassin_files(self.root) if dataset == BASSINS_BMO else []

    def _bassins_bmo(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The bassins of the commune → bassin table, plus those that only the BMO survey files
        name (no commune of the table maps to them): without them, every published BMO file
        would be refused for its unknown bassins."""
        zones = self._get("bassins_bmo", territory_zonings.read_bassins_bmo).zones
        files = self.optional_files(BASSINS_BMO)
        added = territory_bmo_bassins.bassins_named_by_bmo(
            zones, [territory_bmo_bassins.read_bmo_bassins(path) for path in files]
        )
        frame = pd.concat([zones, added], ignore_index=True)[c.BASSIN_BMO_COLUMNS]
        details: dict[str, Any] = {
            "bmo_files": [path.name for path in files],
            BMO_ONLY_BASSINS: {
                "count": len(added),
                "codes": [
                    f"{code} {name}"
                    for code, name in zip(added[c.CODE], added[c.NAME], strict=True)
                ],
            },
        }
        return frame.sort_values(c.CODE).reset_index(drop=True), details

    def _communes(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        cog = self._get("cog_communes", territory_cog.read_cog_communes)
        current = set(cog.communes[c.CODE])
        changes = None
        details: dict[str, Any] = {}
        if self.path("code_changes").is_file():
            changes = self._get("code_changes", territory_cog.read_code_changes)
        else:
            details["code_changes"] = (
                f"table de passage absente ({self.path('code_changes')}) : aucun code remappé"
            )
        memberships = {}
        for column, label, composition in (
            (
                c.ZONE_EMPLOI_CODE,
                "zones_emploi",
                self._get("zones_emploi", territory_zonings.read_zones_emploi).composition,
            ),
            (
                c.BASSIN_BMO_CODE,
                "bassins_bmo",
                self._get("bassins_bmo", territory_zonings.read_bassins_bmo).composition,
            ),
            (c.EPCI_CODE, "epci", self._epci().composition),
        ):
            remapped, report = remap_to_current(
                composition,
                current_codes=current,
                code_changes=changes,
                ignored_codes=cog.infra_codes,
            )
            memberships[column] = remapped
            details[f"{label}_codes"] = report.as_dict()
        populations = self._get("populations", territory_cog.read_populations)
        centroids = self._get("centroids", territory_cog.read_centroids)
        frame = communes_frame(
            cog.communes,
            populations=populations,
            centroids=centroids,
            memberships=memberships,
            cog_vintage=territory_files.COG_VINTAGE,
            population_vintage=territory_files.POPULATION_VINTAGE,
        )
        for column in (
            c.POPULATION,
            c.LATITUDE,
            c.ZONE_EMPLOI_CODE,
            c.BASSIN_BMO_CODE,
            c.EPCI_CODE,
        ):
            absent = frame.loc[frame[column].isna(), c.CODE]
            details[f"without_{column}"] = {
                "count": int(len(absent)),
                "codes": absent.head(EXAMPLES).tolist(),
            }
        details["remapped"] = sum(
            details[f"{k}_codes"]["remapped"] for k in ("zones_emploi", "bassins_bmo", "epci")
        )
        details["unknown"] = sum(
            details[f"{k}_codes"]["unknown"] for k in ("zones_emploi", "bassins_bmo", "epci")
        )
        return frame, details
