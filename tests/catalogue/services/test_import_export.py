"""CSV / XLSX import and export of the catalogue: line-level errors, nothing written on error,
and export then import gives the same catalogue."""

import pytest

from catalogue.models import TrainingPath
from catalogue.services.catalogue import catalogue_export, catalogue_import
from tests.factories.catalogue import SectorFactory, make_path

pytestmark = pytest.mark.django_db

HEADER = (
    "code;intitule;filiere;type;niveau;duree_heures;modalites;piliers;publics;concepts;cpf;"
    "metiers_bmo;codes_rome"
)


def csv_file(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


@pytest.fixture
def sectors():  # type: ignore[no-untyped-def]
    return {"CPT": SectorFactory(code="CPT", name="Comptabilité"), "NUM": SectorFactory(code="NUM")}


def snapshot() -> list[tuple]:
    """The catalogue as comparable tuples (every field and list, by code)."""
    out = []
    for p in TrainingPath.objects.order_by("code").prefetch_related(
        "modalities", "purposes", "pillars", "publics", "concepts"
    ):
        out.append(
            (
                p.code, p.title, p.sector.code, p.certification_type, p.rncp_code, p.level,
                p.duration_hours, p.cpf_eligible, p.prerequisites, p.description,
                tuple(p.bmo_codes), tuple(p.rome_codes), p.status, p.illustrative,
                tuple(sorted(m.code for m in p.modalities.all())),
                tuple(sorted(m.code for m in p.pillars.all())),
                tuple(sorted(m.code for m in p.publics.all())),
                tuple(sorted(m.code for m in p.concepts.all())),
                tuple(sorted(m.code for m in p.purposes.all())), p.rolling_entries,
            )
        )  # fmt: skip
    return out


def test_catalogue_import_valid_file_creates_paths_with_lists(sectors, referentials) -> None:
    report = catalogue_import(
        content=csv_file(
            "CPT-01;Comptable assistant;CPT;titre_rncp;4;800;presentiel|alternance;alternance;"
            "demandeurs_emploi;clef_en_main;oui;L1X60|L1Z60;M1203|M1608",
            "ORI-01;Module DOC;NUM;module;;70;presentiel;;decrocheurs;fab_id;non;;",
        ),
        file_format="csv",
    )

    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    path = TrainingPath.objects.get(code="CPT-01")
    assert path.bmo_codes == ["L1X60", "L1Z60"]
    assert sorted(path.modalities.values_list("code", flat=True)) == ["alternance", "presentiel"]
    # A module without occupation is accepted: the gap keeps it with its reason.
    doc = TrainingPath.objects.get(code="ORI-01")
    assert (doc.level, doc.bmo_codes, doc.rome_codes, doc.cpf_eligible) == (None, [], [], False)


def test_catalogue_import_unknown_rome_and_bmo_codes_line_errors_nothing_written(
    sectors, referentials
) -> None:
    report = catalogue_import(
        content=csv_file(
            "CPT-01;Comptable assistant;CPT;titre_rncp;4;800;presentiel;;;;oui;L1X60;M1203",
            "NUM-01;Développeur;NUM;titre_rncp;5;900;distance;;;;oui;M1X80|Q9X99;M1805|Z9999",
            "NUM-02;Technicien;NUM;titre_rncp;4;700;presentiel;;;;oui;L1Z61;M18O5",
        ),
        file_format="csv",
    )

    assert not report.ok
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (
            3,
            "codes_rome",
            "Code(s) ROME inconnu(s) du référentiel ROME importé : Z9999.",
        ),
        (
            3,
            "metiers_bmo",
            "Code(s) métier BMO inconnu(s) de la nomenclature FAP 2021 et des données BMO "
            "importées : Q9X99.",
        ),
        (
            4,
            "codes_rome",
            "Format invalide : M18O5 (attendu par exemple « M1203 »).",
        ),
        (
            4,
            "metiers_bmo",
            "Code(s) métier BMO inconnu(s) de la nomenclature FAP 2021 et des données BMO "
            "importées : L1Z61.",
        ),
    ]
    # Line 2 was valid, but nothing is written when any line is refused.
    assert TrainingPath.objects.count() == 0


def test_catalogue_import_duplicate_titles_refused(sectors, referentials) -> None:
    make_path(code="CPT-09", title="Gestionnaire de paie", sector=sectors["CPT"])

    report = catalogue_import(
        content=csv_file(
            "CPT-01;Comptable assistant;CPT;titre_rncp;4;800;presentiel;;;;oui;;",
            "CPT-02;COMPTABLE  assistant;CPT;titre_rncp;4;800;presentiel;;;;oui;;",
            "CPT-03;gestionnaire de paie;CPT;titre_rncp;5;800;presentiel;;;;oui;;",
            "CPT-01;Autre intitulé;CPT;titre_rncp;5;800;presentiel;;;;oui;;",
        ),
        file_format="csv",
    )

    messages = [(e.line, e.message) for e in report.errors]
    assert messages == [
        (3, "Intitulé « COMPTABLE  assistant » en double dans le fichier (déjà à la ligne 2)."),
        (4, "Un parcours porte déjà cet intitulé."),
        (5, "Code « CPT-01 » en double dans le fichier (déjà à la ligne 2)."),
    ]
    assert list(TrainingPath.objects.values_list("code", flat=True)) == ["CPT-09"]


def test_catalogue_import_unknown_list_values_and_sector_are_line_errors(sectors) -> None:
    report = catalogue_import(
        content=csv_file(
            "X-01;Parcours A;XXX;titre_rncp;4;800;presentiel;;;;oui;;",
            "X-02;Parcours B;CPT;diplome;8;huit;visio;;retraites;;peut-être;;",
        ),
        file_format="csv",
    )

    by_line = {(e.line, e.column): e.message for e in report.errors}
    assert by_line[(2, "filiere")] == "Filière inconnue : « XXX » (filières : CPT, NUM)."
    assert by_line[(3, "type")].startswith("Valeur inconnue : « diplome » (valeurs possibles")
    assert by_line[(3, "duree_heures")] == "Nombre entier attendu : « huit »."
    assert by_line[(3, "modalites")] == (
        "Modalité(s) inconnue(s) : visio (valeurs possibles : presentiel, hybride, alternance, "
        "distance)."
    )
    assert by_line[(3, "publics")].startswith("Public(s) inconnue(s) : retraites")
    assert by_line[(3, "cpf")] == "Valeur « peut-être » non reconnue : « oui » ou « non » attendu."
    assert "niveau" in {column for line, column in by_line if line == 3}
    assert TrainingPath.objects.count() == 0


def test_catalogue_import_missing_column_refused_whole(sectors) -> None:
    report = catalogue_import(
        content="code;intitule;filiere\nX-01;Parcours;CPT\n", file_format="csv"
    )

    assert [(e.line, e.message.split(" :")[0]) for e in report.errors] == [
        (0, "Colonne(s) obligatoire(s) absente(s)")
    ]
    assert "type, duree_heures, modalites" in report.errors[0].message
    assert TrainingPath.objects.count() == 0


def test_catalogue_import_without_referentials_checks_the_format_only(sectors) -> None:
    report = catalogue_import(
        content=csv_file("CPT-01;Comptable;CPT;titre_rncp;4;800;presentiel;;;;oui;L1X60;M1203"),
        file_format="csv",
    )

    assert report.ok
    assert "Référentiel ROME non chargé : seul le format des codes ROME est vérifié." in (
        report.notes
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_catalogue_export_then_import_gives_the_same_catalogue(file_format, referentials) -> None:
    cpt = SectorFactory(code="CPT", name="Comptabilité")
    make_path(
        code="CPT-01",
        title="Comptable assistant",
        sector=cpt,
        certification_type=TrainingPath.CertificationType.RNCP_TITLE,
        level=4,
        duration_hours=800,
        prerequisites="Niveau 3e ; aisance avec les chiffres.",
        description="Tenir la comptabilité, préparer les déclarations.",
        bmo_codes=["L1X60", "L1Z60"],
        rome_codes=["M1203", "M1608"],
        modalities=["presentiel", "alternance"],
        pillars=["alternance", "formation_continue"],
        publics=["demandeurs_emploi", "bacheliers_pro"],
        concepts=["clef_en_main"],
        purposes=["reconversion", "vae"],
        rolling_entries=True,
        rncp_code="RNCP37098",
        illustrative=True,
    )
    make_path(
        code="ORI-01",
        title="Module DOC",
        sector=cpt,
        certification_type=TrainingPath.CertificationType.MODULE,
        level=None,
        duration_hours=70,
        cpf_eligible=False,
        status=TrainingPath.Status.ARCHIVED,
        modalities=["presentiel"],
    )
    before = snapshot()
    exported = catalogue_export(file_format=file_format)
    TrainingPath.objects.all().delete()
    assert snapshot() == []

    report = catalogue_import(content=exported, file_format=file_format)

    assert report.ok, report.errors
    assert report.created == 2
    assert snapshot() == before


def test_catalogue_reimport_of_the_export_updates_in_place(referentials) -> None:
    make_path(code="CPT-01", title="Comptable assistant", bmo_codes=["L1X60"])
    exported = catalogue_export().decode().replace("Comptable assistant", "Comptable")

    report = catalogue_import(content=exported, file_format="csv")

    assert (report.created, report.updated) == (0, 1)
    path = TrainingPath.objects.get(code="CPT-01")
    assert path.title == "Comptable"
    # The change is in the history, with the previous title.
    latest = path.history.first()
    assert (latest.title, latest.prev_record.title) == ("Comptable", "Comptable assistant")
    assert latest.diff_against(latest.prev_record).changed_fields == ["title"]


def test_catalogue_import_reads_purposes_and_rolling_entries(sectors) -> None:
    header = HEADER + ";finalites;entrees_permanentes;code_rncp_rs"
    report = catalogue_import(
        content="\n".join(
            [
                header,
                "NUM-02;Développeur web;NUM;titre_rncp;5;900;hybride;;;;oui;;;"
                "reconversion|bootcamp;oui;RNCP37674",
                "NUM-03;Admin;NUM;titre_rncp;6;900;hybride;;;;oui;;;reconversion|vie;non;RNCP-1",
            ]
        )
        + "\n",
        file_format="csv",
    )

    by_line = {(e.line, e.column): e.message for e in report.errors}
    assert by_line[(3, "finalites")].startswith("Finalité(s) inconnue(s) : vie (valeurs possibles")
    assert by_line[(3, "code_rncp_rs")] == "Code attendu : RNCP12345 ou RS1234."
    assert TrainingPath.objects.count() == 0  # nothing written on any error
