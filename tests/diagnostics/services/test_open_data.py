"""load_open_data: discovery, order, idempotence, a bad file in the folder, the command."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from diagnostics.analytics.communes import normalise_bassin_bmo_code
from diagnostics.models import (
    Basin,
    BasinSource,
    BassinBmo,
    BmoFact,
    DefmFact,
    ImportBatch,
    TerritoryLoad,
)
from diagnostics.services import open_data as od
from diagnostics.services.basin_resolution import BasinError
from diagnostics.services.basins import basin_source_communes
from tests.diagnostics.importers.bmo_samples import bmo_row, write_bmo
from tests.diagnostics.importers.territory_samples import write_open_data, write_text

# Two contradicting keys (52121 in January: 2 lines; 35360 in February: 3 lines), one line
# repeated identically: 5 touched lines, 2 keys stored unknown.
DEFM_CSV = (
    "codgeo,YEAR,Demandeurs_Emploi\n"
    "52121,janvier_2020,2140\n35360,janvier_2020,1800\n52121,janvier_2020,300\n"
    "52121,fevrier_2020,2100\n52121,fevrier_2020,2100\n"
    "35360,fevrier_2020,1700\n35360,fevrier_2020,1750\n35360,fevrier_2020,1800\n"
)
DEFM_FILE = "demandeurs_emploi/odis_emploi_demandeur_export_2025-06-17.csv"
CHOMAGE_FILE = "chomage_ze/chomage-zone-t1-2003-t3-2023.xlsx"


def _touch(root: Path, *relative: str) -> None:
    for rel in relative:
        write_text(root / rel, "x\n")


# --- Discovery (pure) -------------------------------------------------------------------------


def test_open_data_discover_maps_each_file_to_its_dataset_in_load_order(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "cog_communes/gip_seed_insee_communes_cog.csv",
        "bmo/Base_open_data_BMO_2025.xlsx",
        "bmo/Base_open_data_BMO_2023.xlsx",
        "rome_fap/unix_referentiel_code_rome_v460_utf8.csv",
        "fap_nomenclature/dares_nomenclature_fap2021.csv",
        "fap_nomenclature/Intitules_FAP2021.csv",
        DEFM_FILE,
        "demandeurs_emploi/mobiville_secteurs_bassins_defm.csv",
        "tensions_bassin_metier/mobiville_tensions_rome_bassin_2021.csv",
        "annuaire_education/msimonin_fr-en-annuaire-education_dep35.csv",
        "annuaire_education/msimonin_fr-en-adresse-et-geolocalisation_dep35.csv",
    )

    found = od.open_data_discover(tmp_path)

    files = {f.key: (f.path.relative_to(tmp_path).as_posix() if f.path else None) for f in found}
    assert [f.key for f in found] == [
        "territories",
        "rome_codes",
        "rome_appellations",
        "rome_domaines",
        "fap",
        "bmo_2023",
        "bmo_2025",
        "chomage_ze",
        "defm",
        "defm_secteur",
        "tensions_2019",
        "tensions_2021",
        "population_age",
        "lycees_national",
        "lycees_35",
    ]
    assert files == {
        "territories": ".",
        "rome_codes": "rome_fap/unix_referentiel_code_rome_v460_utf8.csv",
        "rome_appellations": None,
        "rome_domaines": None,
        "fap": "fap_nomenclature/Intitules_FAP2021.csv",  # one of the two identical copies
        "bmo_2023": "bmo/Base_open_data_BMO_2023.xlsx",
        "bmo_2025": "bmo/Base_open_data_BMO_2025.xlsx",
        "chomage_ze": None,
        "defm": DEFM_FILE,
        "defm_secteur": "demandeurs_emploi/mobiville_secteurs_bassins_defm.csv",
        "tensions_2019": None,
        "tensions_2021": "tensions_bassin_metier/mobiville_tensions_rome_bassin_2021.csv",
        "population_age": None,
        "lycees_national": None,
        # The colleges' address file of the same folder is not the lycées' directory.
        "lycees_35": "annuaire_education/msimonin_fr-en-annuaire-education_dep35.csv",
    }
    kinds = {f.key: f.kind for f in found}
    assert kinds["bmo_2023"] == "bmo" and kinds["tensions_2021"] == "tensions"
    assert {f.key: f.vintage for f in found}["defm_secteur"] == "2022"


def test_open_data_discover_empty_folder_names_every_dataset_absent(tmp_path: Path) -> None:
    found = od.open_data_discover(tmp_path)

    assert all(f.path is None for f in found)
    assert [f.key for f in found][:2] == ["territories", "rome_codes"]
    assert "bmo" in [f.key for f in found]  # the BMO campaigns, named once when none is there


# --- Loading ----------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = write_open_data(tmp_path / "data")
    (root / "bmo").mkdir()
    write_bmo(
        root / "bmo" / "Base_open_data_BMO_2025.xlsx",
        [
            bmo_row("A0X40", "4418", "120", "80", "*"),
            bmo_row("A0X40", "101", "15", "0", "3"),
        ],
    )
    write_text(root / DEFM_FILE, DEFM_CSV)
    return root


def _statuses(results: list[od.StepResult]) -> dict[str, str]:
    return {r.key: r.status for r in results if r.status != od.MISSING}


@pytest.mark.django_db
def test_open_data_load_in_order_then_second_run_skips_everything(folder: Path) -> None:
    lines: list[str] = []

    first = od.open_data_load(source_dir=folder, log=lines.append)
    batches = ImportBatch.objects.count()
    territory_loads = TerritoryLoad.objects.count()
    second = od.open_data_load(source_dir=folder)

    assert _statuses(first) == {"territories": "chargé", "bmo_2025": "chargé", "defm": "chargé"}
    assert [r.key for r in first if r.status != od.MISSING] == ["territories", "bmo_2025", "defm"]
    assert {r.key for r in first if r.status == od.MISSING} >= {"rome_codes", "chomage_ze"}
    assert batches == 2
    # One progress line before and one after each step present, one line per missing one.
    assert lines[0].startswith("[ 1/14] Territoires") and lines[0].endswith("…")
    assert any("Demandeurs d'emploi par commune : chargé" in line for line in lines)
    # BMO: 101 as published, 0101 once stored.
    assert set(BmoFact.objects.values_list("bassin_code", flat=True)) == {"4418", "0101"}
    # The contradiction rule: 2 keys, 5 lines, stored unknown; the rest as published.
    defm = {r.key: r for r in first}["defm"]
    batch = ImportBatch.objects.get(pk=defm.batch_id)  # type: ignore[misc]
    assert batch.notes["couples territoire-mois aux valeurs contradictoires"] == 2
    assert batch.notes["lignes de ces couples (stockés comme inconnus)"] == 5
    assert "valeurs contradictoires : 2" in defm.message
    assert defm.rows_kept == 4
    assert DefmFact.objects.filter(ambiguous=True, job_seekers__isnull=True).count() == 2
    assert DefmFact.objects.get(code="52121", month__month=2).job_seekers == 2100

    assert set(_statuses(second).values()) == {"inchangé"}
    assert ImportBatch.objects.count() == batches  # no new batch
    assert TerritoryLoad.objects.count() == territory_loads  # territories not reloaded
    assert {r.key: r.rows_kept for r in second}["bmo_2025"] == 2


@pytest.mark.django_db
def test_open_data_load_changed_territory_file_reloads_territories(folder: Path) -> None:
    od.open_data_load(source_dir=folder)
    path = folder / "cog_communes" / "gip_seed_insee_regions.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    again = od.open_data_load(source_dir=folder)

    assert _statuses(again)["territories"] == "chargé"
    assert _statuses(again)["bmo_2025"] == "inchangé"


def _wrong_sheet_workbook(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    workbook.active.title = "Feuil1"
    workbook.active.append(["ZE2020", "LIBZE2020", "2023-T3"])
    workbook.active.append(["4404", "Chaumont", 5.9])
    workbook.save(path)
    return path


@pytest.mark.django_db
def test_open_data_bad_file_refused_whole_rest_loads_command_exits_non_zero(
    folder: Path,
) -> None:
    _wrong_sheet_workbook(folder / CHOMAGE_FILE)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as exc:
        call_command("load_open_data", "--source", str(folder), stdout=out, stderr=err)

    results = {b.kind: b for b in ImportBatch.objects.all()}  # one batch per kind in this folder
    assert results["chomage_ze"].status == ImportBatch.Status.REJECTED
    assert "txcho_ze" in results["chomage_ze"].error_message  # the expected sheet, in French
    assert results["chomage_ze"].rows_written == 0
    assert results["bmo"].status == ImportBatch.Status.DONE
    assert results["defm"].status == ImportBatch.Status.DONE
    assert "Chômage par zone d'emploi" in exc.value.args[0]
    table = out.getvalue()
    assert "jeu de données" in table and "refusé" in table
    assert "Jeux absents du dossier : ROME : codes" in table


@pytest.mark.django_db
def test_load_open_data_command_unknown_folder_is_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Dossier de données introuvable"):
        call_command("load_open_data", "--source", str(tmp_path / "absent"))


# --- One spelling of bassin BMO codes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [("101", "0101"), ("0101", "0101"), (" 101 ", "0101"), ("101.0", "0101"), ("4418", "4418")],
)
def test_normalise_bassin_bmo_code_four_digits(given: str, stored: str) -> None:
    assert normalise_bassin_bmo_code(given) == stored


@pytest.mark.django_db
def test_bassin_bmo_101_registrable_as_typed_in_every_door(folder: Path) -> None:
    od.open_data_load(source_dir=folder)

    communes = basin_source_communes(source_kind=BasinSource.BASSIN_BMO, source_codes=["101"])
    out = StringIO()
    call_command("basin_create", "--name", "Basse-Terre", "--bassin-bmo", "101", stdout=out)

    # Basse-Terre (97105): `101` in the commune table and the BMO file, `0101` once stored.
    assert [c.code for c in communes] == ["97105"]
    assert BassinBmo.objects.filter(code="0101").exists()
    assert not BassinBmo.objects.filter(code="101").exists()
    basin = Basin.objects.get(name="Basse-Terre")
    assert basin.source_codes == ["0101"]
    assert list(basin.communes.values_list("code", flat=True)) == ["97105"]
    with pytest.raises(BasinError, match="Bassin BMO inconnu : 0999"):
        basin_source_communes(source_kind=BasinSource.BASSIN_BMO, source_codes=["999"])
