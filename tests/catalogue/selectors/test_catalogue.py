import pytest

from catalogue.analytics.gap_params import NO_OCCUPATION
from catalogue.selectors.catalogue import (
    CodeReferential,
    code_referential,
    occupation_code_errors,
    path_list,
)
from catalogue.selectors.gap import GapError, basin_gap, basin_supply, gap_document
from tests.catalogue.scenario import build_scenario
from tests.factories.catalogue import SectorFactory, make_basin, make_path

pytestmark = pytest.mark.django_db


def test_basin_gap_ranks_the_scenario_as_worked_out_by_hand() -> None:
    scenario = build_scenario()

    report = basin_gap(scenario.basin)
    lines = {line["path_code"]: line for line in report.records}

    assert [r["path_code"] for r in report.records] == ["CPT-01", "NUM-02", "ORI-01"]
    assert (lines["CPT-01"]["rank"], lines["CPT-01"]["score"]) == (1, 56.0)
    assert lines["CPT-01"]["coverage"] == 0.2
    assert (lines["NUM-02"]["rank"], lines["NUM-02"]["score"]) == (2, 49.0)
    assert lines["NUM-02"]["demand_score"] == pytest.approx(0.5875 / 0.9, abs=1e-4)
    assert lines["NUM-02"]["places"] == 25
    assert (lines["ORI-01"]["rank"], lines["ORI-01"]["excluded_reason"]) == (None, NO_OCCUPATION)
    # The archived path is not part of the gap.
    assert "CPT-99" not in lines
    assert report.run == scenario.run


def test_basin_supply_reads_offers_and_the_indicator_import() -> None:
    scenario = build_scenario()

    frame, items = basin_supply(scenario.basin)

    # The offer of CPT-01 (10 places, the path's codes) and the latest period of the indicator
    # offre_formation.NUM-02 in the basin's commune (25, not 99 from 2023 nor 500 elsewhere).
    assert frame.to_dict("list") == {
        "path_id": [scenario.accounting.pk, scenario.web.pk],
        "bmo_codes": [("L1X60",), ("M1X80",)],
        "rome_codes": [("M1203",), ("M1805",)],
        "places": [10, 25],
    }
    assert [(i.title, i.provider, i.places, i.origin) for i in items] == [
        ("Comptable assistant", "Greta Haute-Marne", 10, "saisie"),
        ("Développeur web et web mobile", "Carif-Oref", 25, "import d'indicateurs"),
    ]


def test_basin_gap_filters_by_concept_and_public() -> None:
    scenario = build_scenario()

    progressive = basin_gap(scenario.basin, concept="progressif").records
    dropouts = basin_gap(scenario.basin, public="decrocheurs").records

    assert [(r["path_code"], r["rank"]) for r in progressive] == [("NUM-02", 1)]
    assert [(r["path_code"], r["rank"]) for r in dropouts] == [("ORI-01", None)]


def test_basin_gap_without_done_diagnostic_says_so() -> None:
    basin = make_basin()

    with pytest.raises(GapError, match="Aucun diagnostic terminé pour le bassin « Bassin de"):
        basin_gap(basin)


def test_basin_gap_unknown_concept_is_refused() -> None:
    scenario = build_scenario()

    with pytest.raises(GapError, match="Concept inconnu : « tiers_lieu » \\(possibles : "):
        basin_gap(scenario.basin, concept="tiers_lieu")


def test_gap_document_is_the_json_of_command_and_api() -> None:
    scenario = build_scenario()

    document = gap_document(basin_gap(scenario.basin))

    assert document["basin"] == {"id": scenario.basin.pk, "name": "Bassin de Chaumont"}
    assert document["diagnostic"]["id"] == scenario.run.pk
    assert document["ranked"] == 2
    assert document["parameters"]["weights"]["c_projects"] == 0.35
    assert document["lines"][0]["explanation"].startswith(
        "50 projets de recrutement en 2025 dans son métier BMO, en hausse de 25"
    )
    assert len(document["local_supply"]) == 2


def test_occupation_code_errors_against_loaded_referentials(referentials) -> None:
    referential = code_referential()

    errors = occupation_code_errors(
        bmo_codes=["L1X60", "L1Z60", "L1Z61", "B9X99"],
        rome_codes=["M1203", "M9999"],
        referential=referential,
    )

    assert referential.notes == ()
    assert errors == {
        "bmo_codes": [
            "Code(s) métier BMO inconnu(s) de la nomenclature FAP 2021 et des données BMO "
            "importées : L1Z61, B9X99."
        ],
        "rome_codes": ["Code(s) ROME inconnu(s) du référentiel ROME importé : M9999."],
    }


def test_occupation_code_errors_without_referentials_checks_formats() -> None:
    referential = code_referential()

    assert referential == CodeReferential(
        bmo=None, bmo_legacy=None, rome=None, notes=referential.notes
    )
    assert len(referential.notes) == 3
    assert (
        occupation_code_errors(
            bmo_codes=["L1X60", "Q9X99"], rome_codes=["M9999"], referential=referential
        )
        == {}
    )
    assert occupation_code_errors(
        bmo_codes=["L1X6"], rome_codes=["1203M"], referential=referential
    ) == {
        "bmo_codes": ["Format invalide : L1X6 (attendu par exemple « L1X60 »)."],
        "rome_codes": ["Format invalide : 1203M (attendu par exemple « M1203 »)."],
    }


def test_path_list_filters() -> None:
    digital = SectorFactory(code="NUM", name="Numérique")
    web = make_path(
        title="Développeur web",
        sector=digital,
        level=5,
        modalities=["distance"],
        pillars=["pst"],
        publics=["salaries"],
        concepts=["progressif"],
    )
    doc = make_path(title="Module DOC", level=None, cpf_eligible=False, concepts=["fab_id"])
    make_path(title="Archivé", status="archive", modalities=["distance"])

    assert list(path_list(modality="distance")) == [web]
    assert list(path_list(concept="fab_id")) == [doc]
    assert list(path_list(level="sans")) == [doc]
    assert list(path_list(level="5", sector="NUM", pillar="pst", public="salaries")) == [web]
    assert list(path_list(cpf="non")) == [doc]
    assert list(path_list(q="web")) == [web]
    assert len(path_list(include_archived=True)) == 3
