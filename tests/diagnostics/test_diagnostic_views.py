"""Diagnostic pages: starting a run from the basin page, the report, its progress, the exports
(CSV, XLSX, PDF) and the comparison of two runs (world: tests/factories/diagnostic_runs.py)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from diagnostics.exports import escape_cell, table_csv, tables_xlsx
from diagnostics.models import DiagnosticRun, Role
from diagnostics.services import diagnostic_document
from diagnostics.services import diagnostics as services
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from diagnostics.services.pdf_render import chromium_path
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import BMO_2025, bmo_batch
from tests.factories.sharing import share_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]


# --- Basin page and starting a run -------------------------------------------------------------


def test_basin_page_offers_to_run_the_diagnostic_to_its_delegate(client, world):
    client.force_login(world.delegate)

    page = client.get(reverse("basin-detail", args=[world.basin.pk])).content.decode()

    assert "Lancer le diagnostic" in page
    assert "Aucun diagnostic pour ce bassin." in page


def test_post_runs_the_diagnostic_and_redirects_to_its_page(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.delegate)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("diagnostic-run", args=[world.basin.pk]))

    run = DiagnosticRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("diagnostic-detail", args=[run.pk])
    assert run.status == DiagnosticRun.Status.DONE  # Celery eager in the tests
    basin_page = client.get(reverse("basin-detail", args=[world.basin.pk])).content.decode()
    assert f"n° {run.pk}" in basin_page and "terminé" in basin_page


def test_shared_mayor_reads_the_run_but_cannot_start_one(client, world, done_run):
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    version = share_run(done_run, mayor)
    client.force_login(mayor)

    basin_page = client.get(reverse("basin-detail", args=[world.basin.pk])).content.decode()
    report = client.get(reverse("diagnostic-detail", args=[done_run.pk]))
    refused = client.post(reverse("diagnostic-run", args=[world.basin.pk]))

    assert "Lancer le diagnostic" not in basin_page
    # The basin page lists the versions shared with the mayor (ADR 0014).
    assert reverse("shared-version-detail", args=[version.pk]) in basin_page
    assert report.status_code == 200
    assert refused.status_code == 403
    assert DiagnosticRun.objects.count() == 1


# --- The report --------------------------------------------------------------------------------


def test_report_shows_key_figures_trends_estimates_and_sources(client, world, done_run):
    client.force_login(world.delegate)

    page = client.get(reverse("diagnostic-detail", args=[done_run.pk])).content.decode()

    # Projects 2025 = 150, up from 120 in 2024 (+30, +25,0 %).
    assert "Projets de recrutement" in page and ">150<" in page.replace("\u202f", "")
    assert "▲" in page and "+30 (+25,0\u202f%) depuis 2024" in page
    # Difficulty 60 % in 2025, 58,3 % in 2024: +1,7 pt.
    assert "60,0" in page and "+1,7\u00a0pt depuis 2024" in page
    # Job seekers: estimated from the département's residual.
    assert "estimé" in page
    assert "1 cellule secrète non comptée" in page
    # Less unemployment reads well (green), more difficult recruitment badly (red).
    assert 'cnam-trend--good"><span aria-hidden="true">▼</span> −0,5\u00a0pt sur un an' in page
    assert 'cnam-trend--bad"><span aria-hidden="true">▲</span> +1,7\u00a0pt depuis 2024' in page
    # Series break and sources with vintages and licence.
    assert "2023-T3" in page and "Ruptures de série" in page
    assert "Licence Ouverte / Open Licence Etalab 2.0" in page
    assert "bmo_2025.xlsx" in page
    assert 'id="diagnostic-figures"' in page
    for anchor in ("recrutements", "tension", "chomage", "demandeurs", "cartes", "methode"):
        assert f'id="{anchor}"' in page


def test_report_says_newer_data_are_available(client, world, done_run):
    client.force_login(world.delegate)
    bmo_batch(2026, BMO_2025, file_name="Base_open_data_BMO_2026.xlsx")

    page = client.get(reverse("diagnostic-detail", args=[done_run.pk])).content.decode()

    assert "Données plus récentes disponibles" in page
    assert "Base_open_data_BMO_2026.xlsx" in page
    assert "Relancer avec les données à jour" in page


def test_running_run_shows_its_progress(client, world, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda run_id: None)
    run = diagnostic_request(basin_id=world.basin.pk)
    DiagnosticRun.objects.filter(pk=run.pk).update(
        status="running", progress_percent=35, progress_step="Calcul des indicateurs"
    )
    client.force_login(world.delegate)

    page = client.get(reverse("diagnostic-detail", args=[run.pk])).content.decode()
    progress = client.get(reverse("diagnostic-progress", args=[run.pk])).json()

    assert "Calcul en cours" in page and 'data-status="running"' in page
    assert progress == {
        "id": run.pk,
        "status": "running",
        "status_label": "en cours",
        "percent": 35,
        "step": "Calcul des indicateurs",
        "error": "",
        "done": False,
        "finished": False,
    }


def test_failed_run_shows_its_error_and_a_retry(client, world, monkeypatch):
    monkeypatch.setattr(
        diagnostic_document,
        "basin_diagnostic",
        lambda **kw: (_ for _ in ()).throw(RuntimeError("panne")),
    )
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    client.force_login(world.delegate)

    page = client.get(reverse("diagnostic-detail", args=[run.pk])).content.decode()

    assert "Le calcul a échoué" in page and "panne" in page
    assert "Relancer le diagnostic" in page


def test_another_regions_delegate_gets_404(client, world, done_run):
    other = make_user("delegue-53", role=Role.REGIONAL_DELEGATE, regions=[world.other_region])
    client.force_login(other)

    for url in (
        reverse("diagnostic-detail", args=[done_run.pk]),
        reverse("diagnostic-progress", args=[done_run.pk]),
        reverse("diagnostic-export", args=[done_run.pk, "years", "csv"]),
    ):
        assert client.get(url).status_code == 404


def test_list_shows_the_latest_run_of_each_basin(client, world, done_run):
    client.force_login(world.delegate)

    page = client.get(reverse("diagnostic-list")).content.decode()

    assert reverse("diagnostic-detail", args=[done_run.pk]) in page and "terminé" in page


# --- Exports -----------------------------------------------------------------------------------


def test_csv_export_reproduces_the_stored_table(client, world, done_run):
    client.force_login(world.delegate)

    response = client.get(reverse("diagnostic-export", args=[done_run.pk, "bmo_years", "csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "diagnostic-" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    payload = done_run.tables["bmo_years"]
    assert rows[0] == payload["labels"]
    last = dict(zip(payload["columns"], rows[-1], strict=True))
    assert (last["year"], last["projects"], last["difficulty_rate"]) == ("2025", "150", "0.6")
    assert last["estimated"] == "non"


def test_xlsx_export_of_every_table(client, world, done_run):
    client.force_login(world.delegate)

    response = client.get(reverse("diagnostic-export", args=[done_run.pk, "tout", "xlsx"]))

    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == len(done_run.tables)
    # 31 characters at most, cut between words: « Projets de recrutement BMO par année ».
    sheet = workbook["Projets de recrutement BMO par…"]
    assert [c.value for c in sheet[1]][:5] == done_run.tables["bmo_years"]["labels"][:5]


def _long_bmo_years(run: DiagnosticRun) -> dict:
    """The run's « bmo_years » table made long: 30 rows, years 1996 to 2025 (more than the 25
    rows from which the report sends a closed table without its rows)."""
    tables = run.tables or {}
    payload = dict(tables["bmo_years"])
    year = payload["columns"].index("year")
    template = payload["rows"][-1]
    payload["rows"] = [[*template[:year], y, *template[year + 1 :]] for y in range(1996, 2026)]
    # A done run refuses `save()`: the stored tables are rewritten as a migration would.
    DiagnosticRun.objects.filter(pk=run.pk).update(tables={**tables, "bmo_years": payload})
    run.refresh_from_db()
    return payload


def test_long_table_is_sent_without_its_rows_then_served_when_opened(client, world, done_run):
    _long_bmo_years(done_run)
    client.force_login(world.delegate)
    url = reverse("diagnostic-table", args=[done_run.pk, "bmo_years"])

    page = client.get(reverse("diagnostic-detail", args=[done_run.pk])).content.decode()
    table = client.get(url)

    # The report: the table's title, count and exports, and where its rows are; not the rows.
    start = page.index('id="tableau-bmo_years"')
    block = page[start : page.index("</details>", start)]
    assert f'data-table-src="{url}"' in block
    assert "30 lignes" in block and "export/bmo_years.csv" in block
    assert "<tbody>" not in block and 'data-sort="1996"' not in block
    # A short table keeps its rows in the page.
    years = page[page.index('id="tableau-years"') :]
    assert "<tbody>" in years[: years.index("</details>")]
    # Opened: every row, in the stored order, sortable as the other tables.
    assert table.status_code == 200
    assert table["Content-Type"] == "text/html; charset=utf-8"
    body = table.content.decode()
    assert body.count("<tr>") == 1 + 30
    assert body.index('data-sort="1996"') < body.index('data-sort="2025"')
    # Sort keys as numbers the script reads (Number("1 996") and Number("0,6") are NaN: such keys
    # were compared as text, 1 996 before 150).
    assert 'data-sort="0.6"' in body and 'data-sort="1 996"' not in body
    assert 'class="cnam-sortable"' in body and 'class="cnam-sort"' in body


def test_printed_report_keeps_every_row_of_a_long_table(world, done_run):
    from django.template.loader import render_to_string

    from diagnostics.views.diagnostic_report import display_table

    payload = _long_bmo_years(done_run)
    context = {"table": display_table("bmo_years", payload), "run": done_run, "lazy_tables": True}

    on_page = render_to_string("diagnostics/diagnostic_table.html", context)
    printed = render_to_string("diagnostics/diagnostic_table.html", {**context, "for_print": True})
    opened = render_to_string("diagnostics/diagnostic_table.html", {**context, "open": True})

    assert "data-table-src" in on_page and on_page.count("<tr>") == 0
    assert "data-table-src" not in printed and printed.count("<tr>") == 1 + 30
    assert "data-table-src" not in opened and opened.count("<tr>") == 1 + 30


def test_table_of_a_run_not_done_unknown_or_of_another_region_is_404(client, world, done_run):
    client.force_login(world.delegate)
    other = make_user("delegue-autre", role=Role.REGIONAL_DELEGATE, regions=[world.other_region])

    unknown = client.get(reverse("diagnostic-table", args=[done_run.pk, "nope"]))
    DiagnosticRun.objects.filter(pk=done_run.pk).update(status=DiagnosticRun.Status.RUNNING)
    running = client.get(reverse("diagnostic-table", args=[done_run.pk, "years"]))
    DiagnosticRun.objects.filter(pk=done_run.pk).update(status=DiagnosticRun.Status.DONE)
    client.force_login(other)
    elsewhere = client.get(reverse("diagnostic-table", args=[done_run.pk, "years"]))

    assert (unknown.status_code, running.status_code, elsewhere.status_code) == (404, 404, 404)


def test_unknown_table_or_format_is_404(client, world, done_run):
    client.force_login(world.delegate)

    assert client.get(f"/diagnostics/{done_run.pk}/export/nope.csv").status_code == 404
    assert client.get(f"/diagnostics/{done_run.pk}/export/years.pdf").status_code == 404


def test_formula_like_text_cells_are_escaped_in_csv_and_xlsx():
    payload = {
        "title": "Essai",
        "columns": ["label", "value"],
        "labels": ["=Libellé", "Valeur"],
        "rows": [
            ['=HYPERLINK("http://x")', 1],
            ["+33 1 23", -5],
            ["-moins", 2.5],
            ["@SUM(A1)", None],
            ["ordinaire", True],
        ],
    }

    rows = list(csv.reader(io.StringIO(table_csv(payload).decode("utf-8-sig")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(tables_xlsx([("essai", payload)]))).active

    assert rows == [
        ["'=Libellé", "Valeur"],
        ['\'=HYPERLINK("http://x")', "1"],
        ["'+33 1 23", "-5"],  # a negative number stays a number
        ["'-moins", "2.5"],
        ["'@SUM(A1)", ""],
        ["ordinaire", "oui"],
    ]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ['\'=HYPERLINK("http://x")', 1]
    assert values[2] == ["'+33 1 23", -5]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert escape_cell("\tTAB") == "'\tTAB" and escape_cell(12) == 12


@pytest.mark.skipif(chromium_path() is None, reason="Chromium absent : pas de PDF")
def test_pdf_is_a_real_a4_pdf(client, world, done_run):
    client.force_login(world.delegate)

    # The link makes a PDF job, rendered at once in the embedded default (eager); its page
    # offers the file.
    page = client.get(reverse("diagnostic-pdf", args=[done_run.pk]), follow=True)
    job = page.context["job"]
    assert page.redirect_chain == [(reverse("pdf-job-detail", args=[job.pk]), 302)]
    assert "Prêt : télécharger" in page.content.decode()
    response = client.get(reverse("pdf-job-file", args=[job.pk]))

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # A4 = 595 × 842 points.
    assert b"/MediaBox [0 0 594.96 841.92]" in response.content or b"595" in response.content


def test_pdf_without_chromium_explains_and_offers_printing(client, world, done_run, monkeypatch):
    from diagnostics.services import pdf_render

    monkeypatch.setattr(pdf_render, "chromium_path", lambda: None)
    client.force_login(world.delegate)

    response = client.get(reverse("diagnostic-pdf", args=[done_run.pk]), follow=True)

    page = response.content.decode()
    assert response.context["job"].status == "failed"
    assert "Chromium est introuvable sur le serveur" in page
    assert "Relancer la fabrication du PDF" in page and "imprimer la page du rapport" in page


# --- Comparison --------------------------------------------------------------------------------


def test_compare_two_runs_of_a_basin_shows_the_differences(client, world, done_run):
    # A new 2025 file with 30 more projects for A1Z40 in bassin 4418.
    world.batches["bmo2025"].status = "superseded"
    world.batches["bmo2025"].save()
    cells = [("4418", "A1Z40", "Agriculteurs salariés", "A", 130, 70, 10), *BMO_2025[1:]]
    bmo_batch(2025, cells, file_name="bmo_2025_corrige.xlsx")
    newer = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    client.force_login(world.delegate)

    page = client.get(
        reverse("diagnostic-compare") + f"?a={newer.pk}&b={done_run.pk}"
    ).content.decode()

    assert "bmo_2025_corrige.xlsx" in page and "ajouté" in page and "retiré" in page
    # 2025 projects: 150 → 180 (+30).
    normalised = page.replace("\u202f", " ")
    assert ">150<" in normalised and ">180<" in normalised and ">+30<" in normalised


def test_compare_refuses_runs_of_two_basins(client, world, done_run):
    other = world.make_basin("Langres", ["52004"])
    other_run = diagnostic_execute(run_id=diagnostic_request(basin_id=other.pk).pk)
    client.force_login(world.delegate)

    response = client.get(reverse("diagnostic-compare") + f"?a={done_run.pk}&b={other_run.pk}")

    assert response.status_code == 400
    assert "même bassin" in response.content.decode()
