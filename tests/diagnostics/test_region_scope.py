"""Security review, finding 1: the regional comparison of a diagnostic (table and map « Bassins
de la région ») follows the reader's scope. A mayor's office sees the basins shared with it,
never the region's other basins (name, id, population or unemployment), on the page, in the
CSV/XLSX exports, the print version and the API; a regional delegate still sees them all."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from diagnostics.models import PdfJob, Role
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.sharing import share_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]

SECRET = "Bassin confidentiel de Langres"


@pytest.fixture
def scene():
    world = diagnostic_world()
    # Another registered basin of the same region (communes 52003 + 52004: 4 000 + 5 000
    # inhabitants), not shared with the mayor.
    secret = world.make_basin(SECRET, ["52003", "52004"])
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    share_run(run, mayor)
    return world, secret, run, mayor


def _region_rows(payload):
    return [dict(zip(payload["columns"], row, strict=True)) for row in payload["rows"]]


def test_stored_region_map_holds_both_basins(scene):
    # The stored run is shared by every reader: the filter is applied when it is read.
    world, secret, run, _ = scene

    rows = _region_rows(run.tables["region_map"])

    assert sorted(r["code"] for r in rows) == sorted([str(world.basin.pk), str(secret.pk)])
    assert {r["population"] for r in rows if r["code"] == str(secret.pk)} == {9000}


def test_delegate_still_sees_the_regions_other_basins(client, scene):
    world, secret, run, _ = scene
    client.force_login(world.delegate)

    page = client.get(reverse("diagnostic-detail", args=[run.pk])).content.decode()
    response = client.get(reverse("diagnostic-export", args=[run.pk, "region_map", "csv"]))

    assert SECRET in page
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3  # header + the two basins


def test_mayor_page_hides_unshared_basins_and_says_why(client, scene):
    world, secret, run, mayor = scene
    client.force_login(mayor)

    page = client.get(reverse("diagnostic-detail", args=[run.pk])).content.decode()

    assert SECRET not in page
    assert "Langres" not in page.split('id="cartes"')[1].split('id="comparaisons"')[0]
    assert "ne sont pas partagés avec votre compte" in page
    figures = json.loads(page.split('id="diagnostic-figures"')[1].split(">", 1)[1].split("</")[0])
    region_map = json.dumps(figures.get("map_region", {}))
    assert SECRET not in region_map
    assert f'"{secret.pk}"' not in region_map


def test_mayor_exports_hide_unshared_basins(client, scene):
    world, secret, run, mayor = scene
    client.force_login(mayor)

    csv_response = client.get(reverse("diagnostic-export", args=[run.pk, "region_map", "csv"]))
    xlsx_response = client.get(reverse("diagnostic-export", args=[run.pk, "tout", "xlsx"]))

    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2  # header + the shared basin only
    assert rows[1][1] == str(world.basin.pk)
    assert SECRET not in csv_response.content.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(xlsx_response.content))
    cells = [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert not any(SECRET in value for value in cells)
    region_sheet = next(s for s in workbook.worksheets if s.title.startswith("Bassins de la"))
    codes = [row[1].value for row in region_sheet.iter_rows(min_row=2)]
    assert codes == [str(world.basin.pk)]
    assert "9000" not in [str(row[3].value) for row in region_sheet.iter_rows(min_row=2)]


def test_mayor_print_version_hides_unshared_basins(client, scene, monkeypatch):
    world, secret, run, mayor = scene
    client.force_login(mayor)
    captured = {}

    def fake_pdf(html: str, **kwargs: object) -> bytes:
        captured["html"] = html
        return b"%PDF-1.4 fake"

    monkeypatch.setattr("diagnostics.services.pdf_render.render_pdf", fake_pdf)

    response = client.get(reverse("diagnostic-pdf", args=[run.pk]))

    assert response.status_code == 302  # to the PDF job, rendered at once (eager)
    assert SECRET not in captured["html"]
    job = PdfJob.objects.get(requested_by=mayor)
    assert client.get(reverse("pdf-job-file", args=[job.pk])).content == b"%PDF-1.4 fake"


def test_mayor_api_answers_do_not_name_unshared_basins(client, scene):
    world, secret, run, mayor = scene
    client.force_login(mayor)

    # A mayor's office reads its shared versions, not the live indicators (ADR 0014).
    live = client.get(reverse("api-basin-indicators", args=[world.basin.pk]))
    answer = client.get(reverse("api-share-list"))
    other = client.get(reverse("api-basin-indicators", args=[secret.pk]))

    assert live.status_code == 404
    assert answer.status_code == 200 and answer.json()["count"] == 1
    assert SECRET not in answer.content.decode()
    assert other.status_code == 404
    assert SECRET not in other.content.decode()


def test_mayor_compare_page_hides_unshared_basins(client, scene):
    world, secret, run, mayor = scene
    client.force_login(mayor)

    page = client.get(reverse("diagnostic-compare"), {"a": run.pk, "b": run.pk})

    assert SECRET not in page.content.decode()
