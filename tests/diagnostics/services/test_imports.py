"""The import service end to end: batches, validation before any write, atomic versioned writes,
supersession, idempotency, the command, and every bad input of issue 3."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError
from openpyxl import Workbook

from diagnostics.models import (
    BassinBmo,
    BmoFact,
    ChomageZeFact,
    ImportBatch,
    IndicatorFact,
    ZoneEmploi,
)
from diagnostics.services import import_requests, import_stores
from diagnostics.services import imports as import_services
from diagnostics.services.import_requests import import_dataset
from diagnostics.services.imports import import_batch_process
from tests.diagnostics.importers.bmo_samples import bmo_row, metier_code, write_bmo
from tests.factories.diagnostics import CommuneFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "celery_eager")]
Status = ImportBatch.Status


@pytest.fixture
def bassins() -> None:
    BassinBmo.objects.bulk_create(
        [
            BassinBmo(code=c, name=n)
            for c, n in [("4418", "CHAUMONT"), ("5317", "VITRE"), ("0101", "BASSE-TERRE")]
        ]
    )


def _small_bmo(tmp_path: Path, name: str = "bmo.xlsx", *, met: str = "120") -> Path:
    return write_bmo(
        tmp_path / name,
        [
            bmo_row("A0X40", "4418", met, "80", "*"),
            bmo_row("A0X40", "5317", "*", "*", "*"),
            bmo_row("W1X80", "101", "15", "0", "3"),
        ],
    )


# --- The happy path ------------------------------------------------------------------------------


def test_bmo_import_writes_facts_and_marks_done(
    tmp_path: Path, bassins: None, media_root: Path
) -> None:
    path = _small_bmo(tmp_path)

    batch = import_dataset(kind=None, path=path, file_name="Base_BMO_2025.xlsx", sync=True)

    assert batch.status == Status.DONE, batch.error_message
    assert (batch.kind, batch.kind_detected) == ("bmo", True)
    assert (batch.vintage, batch.vintage_detected) == ("2025", True)
    assert (batch.rows_read, batch.rows_written, batch.rows_rejected) == (3, 3, 0)
    assert batch.progress_percent == 100
    assert set(batch.step_durations) >= {"lecture et validation", "écriture", "total"}
    assert (media_root / batch.file_path).read_bytes() == path.read_bytes()
    assert batch.file_path == f"imports/{batch.sha256}/Base_BMO_2025.xlsx"
    facts = {f.bassin_code: f for f in BmoFact.objects.filter(batch=batch)}
    assert (facts["4418"].met, facts["4418"].xmet, facts["4418"].smet) == (120, 80, None)
    assert facts["4418"].smet_masked is True
    # Secret cells are unknown, never 0 or 1.
    assert (facts["5317"].met, facts["5317"].met_masked) == (None, True)
    assert (facts["0101"].xmet, facts["0101"].xmet_masked) == (0, False)
    assert facts["0101"].departement_code == "971"


def test_same_file_again_is_a_noop(tmp_path: Path, bassins: None) -> None:
    path = _small_bmo(tmp_path)
    first = import_dataset(kind="bmo", path=path, file_name="a.xlsx", sync=True)

    again = import_dataset(kind="bmo", path=path, file_name="copie.xlsx", sync=True)

    assert again.pk == first.pk
    assert ImportBatch.objects.count() == 1
    assert BmoFact.objects.count() == 3


def test_new_file_same_vintage_supersedes_and_keeps_the_old_one(
    tmp_path: Path, bassins: None
) -> None:
    old = import_dataset(
        kind="bmo", path=_small_bmo(tmp_path, "a.xlsx"), file_name="a.xlsx", sync=True
    )
    new = import_dataset(
        kind="bmo", path=_small_bmo(tmp_path, "b.xlsx", met="130"), file_name="b.xlsx", sync=True
    )

    old.refresh_from_db()
    assert (old.status, new.status) == (Status.SUPERSEDED, Status.DONE)
    assert new.supersedes_id == old.pk
    assert list(old.superseded_by.all()) == [new]
    # The old facts are kept and still point to the old batch; "current" means the new ones.
    assert BmoFact.objects.filter(batch=old).count() == 3
    assert BmoFact.objects.count() == 6
    current = BmoFact.objects.current().get(bassin_code="4418")
    assert (current.batch_id, current.met) == (new.pk, 130)


def test_other_vintage_does_not_supersede(tmp_path: Path, bassins: None) -> None:
    a = import_dataset(kind="bmo", path=_small_bmo(tmp_path), file_name="a.xlsx", sync=True)
    path_2024 = write_bmo(tmp_path / "b.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")], year=2024)
    b = import_dataset(kind="bmo", path=path_2024, file_name="b.xlsx", sync=True)
    a.refresh_from_db()
    assert (a.status, b.status, b.vintage) == (Status.DONE, Status.DONE, "2024")


# --- Refusals: nothing written ------------------------------------------------------------------


def test_invalid_rows_reject_the_whole_file(tmp_path: Path, bassins: None) -> None:
    path = write_bmo(
        tmp_path / "bmo.xlsx",
        [
            bmo_row("A0X40", "4418", "10", "2", "1"),
            bmo_row("A0X41", "4418", "-1", "*", "*"),  # negative count
            bmo_row("A0X42", "4418", "10", "11", "*"),  # xmet > met
            bmo_row("A0X43", "7777", "1", "1", "1"),  # unknown bassin
            bmo_row("A0X40", "4418", "3", "1", "1"),  # duplicated key
        ],
    )

    batch = import_dataset(kind="bmo", path=path, file_name="bmo.xlsx", sync=True)

    assert batch.status == Status.REJECTED
    assert BmoFact.objects.count() == 0
    assert (batch.rows_written, batch.rows_rejected, batch.errors_total) == (0, 4, 4)
    assert [(e["line"], e["column"], e["value"]) for e in batch.error_report] == [
        (3, "met", "-1"),
        (4, "xmet", "11"),
        (5, "BE25", "7777"),
        (6, "BE25 + Dept + Code métier BMO", "4418 / 52 / A0X40"),
    ]
    assert batch.error_message.startswith(
        "4 erreurs sur 4 lignes : fichier refusé en entier, aucune donnée écrite."
    )
    assert "7777 BASSIN 7777" in batch.error_message


def test_one_bad_row_among_50000(tmp_path: Path) -> None:
    bassin_codes = [str(1000 + i) for i in range(200)]
    BassinBmo.objects.bulk_create([BassinBmo(code=c, name=f"B{c}") for c in bassin_codes])
    bad_index = 31_337

    def rows():  # type: ignore[no-untyped-def]
        i = 0
        for bassin in bassin_codes:
            for m in range(250):
                if i == bad_index:
                    yield bmo_row(metier_code(m), bassin, "5", "9", "*")  # xmet > met
                else:
                    yield bmo_row(metier_code(m), bassin, str(m % 40), "*", "0")
                i += 1

    # The plain writer: openpyxl takes a minute of CPU for these 700,000 cells (read alike by
    # the importer: tests/diagnostics/importers/test_xlsx_writer.py).
    path = write_bmo(tmp_path / "big.xlsx", rows(), fast=True)

    batch = import_dataset(kind="bmo", path=path, file_name="big.xlsx", sync=True)

    assert batch.rows_read == 50_000
    assert batch.status == Status.REJECTED
    assert batch.error_report == [
        {
            "line": bad_index + 2,  # header is line 1
            "column": "xmet",
            "value": "9",
            "rule": "projets difficiles supérieurs aux projets de recrutement (xmet > met)",
        }
    ]
    assert BmoFact.objects.count() == 0


def test_a_bug_while_reading_fails_the_import_in_french_without_its_english_text(
    tmp_path: Path, bassins: None, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.importers import bmo

    def broken(path, *, vintage, context):  # type: ignore[no-untyped-def]
        raise ValueError("cannot reshape array of size 3 into shape (2,)")

    monkeypatch.setattr(bmo, "read", broken)

    batch = import_dataset(
        kind="bmo", path=_small_bmo(tmp_path, "b.xlsx"), file_name="b.xlsx", sync=True
    )

    assert batch.status == Status.FAILED
    assert batch.error_message == (
        "Erreur inattendue pendant la lecture du fichier : le fichier n'a pas été importé. "
        f"L'incident est consigné dans le journal du serveur (import n° {batch.pk}) ; relancez "
        "l'import ou signalez-le à l'administrateur."
    )
    assert "cannot reshape" in caplog.text  # the cause, for whoever reads the log
    assert BmoFact.objects.count() == 0


def test_database_failure_midway_rolls_back(tmp_path: Path, bassins: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    previous = import_dataset(
        kind="bmo", path=_small_bmo(tmp_path, "a.xlsx"), file_name="a.xlsx", sync=True
    )
    monkeypatch.setattr(import_stores, "WRITE_CHUNK_ROWS", 1)
    real_write = import_stores._write_rows
    calls = {"n": 0}

    def failing_write(model, attnames, rows):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("disque plein (simulé)")
        real_write(model, attnames, rows)

    monkeypatch.setattr(import_stores, "_write_rows", failing_write)

    batch = import_dataset(
        kind="bmo", path=_small_bmo(tmp_path, "b.xlsx", met="999"), file_name="b.xlsx", sync=True
    )

    assert calls["n"] == 2  # the first chunk was written, then the database failed
    assert batch.status == Status.FAILED
    assert "disque plein (simulé)" in batch.error_message
    assert "aucune ligne écrite" in batch.error_message
    assert batch.rows_written == 0
    previous.refresh_from_db()
    assert previous.status == Status.DONE  # still in force
    assert BmoFact.objects.count() == 3
    assert not BmoFact.objects.filter(batch=batch).exists()
    assert BmoFact.objects.current().get(bassin_code="4418").met == 120


def test_wrong_kind_of_file(tmp_path: Path, bassins: None) -> None:
    workbook = Workbook()
    workbook.active.title = "txcho_ze"
    workbook.save(tmp_path / "chomage.xlsx")

    batch = import_dataset(
        kind="bmo", path=tmp_path / "chomage.xlsx", file_name="chomage.xlsx", sync=True
    )

    assert batch.status == Status.REJECTED
    assert batch.error_message == (
        "Feuille « BMO_AAAA_open_data » introuvable dans « chomage.xlsx ». "
        "Feuilles présentes : « txcho_ze »."
    )


def test_unrecognised_file_when_detecting(tmp_path: Path) -> None:
    path = tmp_path / "divers.csv"
    path.write_text("nom;age\nAlice;30\n", encoding="utf-8")
    batch = import_dataset(kind=None, path=path, file_name="divers.csv", sync=True)
    assert batch.status == Status.REJECTED
    assert batch.error_message.startswith(
        "Type de données non reconnu pour « divers.csv » (fichier CSV, colonnes : « nom », « age »)."
    )


def test_csv_for_an_xlsx_kind(tmp_path: Path) -> None:
    path = tmp_path / "bmo.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    batch = import_dataset(kind="bmo", path=path, file_name="bmo.csv", sync=True)
    assert batch.status == Status.REJECTED
    assert "attend un fichier .xlsx" in batch.error_message


def test_missing_column(tmp_path: Path, bassins: None) -> None:
    path = write_bmo(
        tmp_path / "b.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")], drop_column="met"
    )
    batch = import_dataset(kind="bmo", path=path, file_name="b.xlsx", sync=True)
    assert batch.status == Status.REJECTED
    # Without `met` the header row itself cannot be found.
    assert "« met »" in batch.error_message
    assert BmoFact.objects.count() == 0


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    batch = import_dataset(kind="indicator", path=path, file_name="vide.csv", sync=True)
    assert (batch.status, batch.error_message) == (
        Status.REJECTED,
        "Le fichier « vide.csv » est vide.",
    )
    assert batch.file_path == ""


def test_file_over_the_size_limit(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "gros.csv"
    path.write_bytes(b"niveau;code\n" + b"commune;01001\n" * 100_000)  # 1.4 MB
    batch = import_dataset(kind="indicator", path=path, file_name="gros.csv", sync=True)
    assert batch.status == Status.REJECTED
    assert "au-delà de la limite de 1 Mo" in batch.error_message
    assert batch.file_path == ""  # not even stored


def test_xlsx_zip_bomb_refused_before_parsing(tmp_path: Path, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 5
    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (8 * 1024 * 1024))
    parsed = []
    monkeypatch.setattr("diagnostics.importers.bmo.read_xlsx", lambda *a, **k: parsed.append(1))

    batch = import_dataset(kind="bmo", path=path, file_name="bombe.xlsx", sync=True)

    assert batch.status == Status.REJECTED
    assert "se décompresse en 8 Mo, au-delà de la limite de 5 Mo" in batch.error_message
    assert parsed == []


def test_extension_that_lies(tmp_path: Path) -> None:
    path = tmp_path / "faux.xlsx"
    path.write_text("niveau;code\ncommune;01001\n", encoding="utf-8")
    batch = import_dataset(kind=None, path=path, file_name="faux.xlsx", sync=True)
    assert batch.status == Status.REJECTED
    assert "porte l'extension .xlsx mais n'est pas un classeur Excel" in batch.error_message


def test_no_territories_loaded(tmp_path: Path) -> None:
    batch = import_dataset(kind="bmo", path=_small_bmo(tmp_path), file_name="b.xlsx", sync=True)
    assert batch.status == Status.REJECTED
    assert "chargez d'abord les territoires" in batch.error_message


def test_register_bassins_option_adds_them_in_the_same_transaction(
    tmp_path: Path, bassins: None
) -> None:
    path = write_bmo(tmp_path / "b.xlsx", [bmo_row("A0X40", "7549", "4", "1", "1")])
    batch = import_dataset(
        kind="bmo", path=path, file_name="b.xlsx", sync=True, options={"register_bassins": True}
    )
    assert batch.status == Status.DONE
    assert BassinBmo.objects.get(code="7549").name == "BASSIN 7549"


# --- Indicator and unemployment through the service ----------------------------------------------


def test_indicator_cp1252_semicolon_decimal_comma(tmp_path: Path) -> None:
    CommuneFactory(code="52121")
    path = tmp_path / "neet.csv"
    path.write_bytes(
        "niveau;code;période;indicateur;valeur;unité;source\n"
        "commune;52121;2020;part_neet;17,5;%;Insee, recensement\n".encode("cp1252")
    )

    batch = import_dataset(kind=None, path=path, file_name="neet.csv", sync=True)

    assert (batch.status, batch.kind) == (Status.DONE, "indicator")
    fact = IndicatorFact.objects.get()
    assert (fact.level, fact.code, fact.period, fact.value, fact.unit) == (
        "commune",
        "52121",
        "2020",
        17.5,
        "%",
    )
    assert fact.source == "Insee, recensement"


def test_chomage_import(tmp_path: Path) -> None:
    ZoneEmploi.objects.create(code="4404", name="Chaumont")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "txcho_ze"
    sheet.append(["Titre"])
    sheet.append([])
    sheet.append(["ZE2020", "LIBZE2020", "REG", "LIBREG", "2023-T2", "2023-T3"])
    sheet.append(["4404", "Chaumont", "44", "GRAND EST", 5.8, 5.9])
    workbook.save(tmp_path / "chomage.xlsx")

    batch = import_dataset(
        kind=None, path=tmp_path / "chomage.xlsx", file_name="chomage.xlsx", sync=True
    )

    assert (batch.status, batch.vintage, batch.rows_written) == (Status.DONE, "2023-T3", 2)
    assert list(ChomageZeFact.objects.order_by("period").values_list("period", "rate")) == [
        ("2023-T2", 5.8),
        ("2023-T3", 5.9),
    ]


# --- Task, claim, stale runs ------------------------------------------------------------------------


def test_upload_enqueues_after_commit_and_the_task_runs(
    tmp_path: Path,
    bassins: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = import_dataset(
            kind="bmo", path=_small_bmo(tmp_path), file_name="b.xlsx", sync=False
        )
    assert batch.status == Status.PENDING
    assert len(callbacks) == 1

    callbacks[0]()  # eager Celery: the task runs here

    batch.refresh_from_db()
    assert batch.status == Status.DONE
    assert BmoFact.objects.count() == 3


def test_claim_makes_a_redelivered_task_do_nothing(
    tmp_path: Path,
    bassins: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        batch = import_dataset(
            kind="bmo", path=_small_bmo(tmp_path), file_name="b.xlsx", sync=False
        )
    import_batch_process(batch_id=batch.pk)
    finished = ImportBatch.objects.get(pk=batch.pk).finished_at

    again = import_batch_process(batch_id=batch.pk)

    assert again.status == Status.DONE
    assert again.finished_at == finished
    assert BmoFact.objects.count() == 3


def test_stale_running_batches_are_failed(tmp_path: Path) -> None:
    from datetime import timedelta

    from django.utils import timezone

    stuck = ImportBatch.objects.create(
        kind="bmo",
        file_name="x.xlsx",
        sha256="1" * 64,
        status=Status.IMPORTING,
        started_at=timezone.now() - timedelta(hours=3),
    )
    fresh = ImportBatch.objects.create(
        kind="bmo",
        file_name="y.xlsx",
        sha256="2" * 64,
        status=Status.VALIDATING,
        started_at=timezone.now(),
    )

    assert import_services.import_batches_fail_stale(older_than=timedelta(hours=1)) == 1

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, fresh.status) == (Status.FAILED, Status.VALIDATING)


def test_beat_runs_the_stale_import_sweeper_every_30_seconds(settings) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from cnam_territoires.celery import app
    from diagnostics.tasks import import_batches_fail_stale

    entry = settings.CELERY_BEAT_SCHEDULE["import-batches-fail-stale"]
    stuck = ImportBatch.objects.create(
        kind="bmo", file_name="s.xlsx", sha256="s" * 64, status=Status.IMPORTING,
        started_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120),
    )  # fmt: skip

    assert entry == {"task": "diagnostics.tasks.import_batches_fail_stale", "schedule": 30.0}
    assert app.conf.beat_schedule["import-batches-fail-stale"]["schedule"] == 30.0
    assert entry["task"] == import_batches_fail_stale.name
    assert import_batches_fail_stale.delay().get() == 1  # the beat entry's task, run
    stuck.refresh_from_db()
    assert (stuck.status, stuck.progress_step) == (Status.FAILED, "Interrompu")


# --- The command ---------------------------------------------------------------------------------


def test_command_success(tmp_path: Path, bassins: None) -> None:
    out = io.StringIO()
    call_command("import_dataset", str(_small_bmo(tmp_path)), "--kind", "bmo", "--sync", stdout=out)
    assert "importé" in out.getvalue()
    assert "3 lignes lues, 3 lignes écrites" in out.getvalue()


def test_command_rejected_exits_non_zero_with_report_on_stderr(
    tmp_path: Path, bassins: None
) -> None:
    path = write_bmo(tmp_path / "b.xlsx", [bmo_row("A0X40", "4418", "5", "6", "1")])
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exc:
        call_command("import_dataset", str(path), "--sync", stdout=out, stderr=err)

    assert exc.value.code == 1
    assert "refusé" in err.getvalue()
    assert "ligne 2, colonne « xmet », valeur « 6 »" in err.getvalue()
    assert out.getvalue() == ""


def test_command_unknown_option(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Option inconnue : tout_accepter"):
        call_command("import_dataset", str(_small_bmo(tmp_path)), "--option", "tout_accepter")


def test_command_generic_option(tmp_path: Path, bassins: None) -> None:
    path = write_bmo(tmp_path / "b.xlsx", [bmo_row("A0X40", "9399", "4", "1", "1")])
    out = io.StringIO()
    call_command("import_dataset", str(path), "--sync", "--option", "register_bassins", stdout=out)
    assert ImportBatch.objects.get().options == {"register_bassins": True}
    assert "  bassins ajoutés au référentiel : 9399 BASSIN 9399\n" in out.getvalue()


def test_retry_a_rejected_batch_once_the_territories_are_loaded(tmp_path: Path) -> None:
    from diagnostics.services.import_requests import import_batch_retry

    first = import_dataset(kind=None, path=_small_bmo(tmp_path), file_name="b.xlsx", sync=True)
    assert first.status == Status.REJECTED  # no bassin in the referential yet
    BassinBmo.objects.bulk_create([BassinBmo(code=c, name=c) for c in ("4418", "5317", "0101")])

    second = import_batch_retry(batch_id=first.pk, sync=True)

    assert (second.status, second.kind, second.file_path) == (Status.DONE, "bmo", first.file_path)
    assert BmoFact.objects.filter(batch=second).count() == 3
    with pytest.raises(import_requests.ImportRequestError):
        import_batch_retry(batch_id=second.pk, sync=True)
    # The refused batch again: its file is imported now, so that batch is returned as it is.
    assert import_batch_retry(batch_id=first.pk, sync=True).pk == second.pk
    assert ImportBatch.objects.count() == 2


def test_retry_refused_for_a_role_that_may_not_import_the_kind(tmp_path: Path) -> None:
    from diagnostics.models import Role
    from diagnostics.services.accounts import user_create
    from diagnostics.services.import_requests import import_batch_retry

    first = import_dataset(kind="bmo", path=_small_bmo(tmp_path), file_name="b.xlsx", sync=True)
    catalogue = user_create(username="catalogue", role=Role.CATALOGUE_ADMIN)

    with pytest.raises(import_requests.ImportRequestError, match="Votre rôle ne permet pas"):
        import_batch_retry(batch_id=first.pk, user=catalogue, sync=True)
    assert ImportBatch.objects.count() == 1
