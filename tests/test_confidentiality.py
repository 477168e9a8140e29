"""Confidentiality sweep: for each role, every page, export (CSV, XLSX, the PDF's HTML) and API
answer reachable for it — the site's pages crawled from its home and the lists, plus every
object URL of the world tried directly — must not name, link to or give the figures of a basin
that role may not see.

World: region 44 with a basin shared with one mayor (« Bassin Partagé de Chaumont ») and an
unshared one (« Bassin Zorglub de Biesles », population planted at 9 396 = 4 187 + 5 209),
region 53 with « Bassin Quimperlé Secret » (5 859 = 3 141 + 2 718); a done diagnostic and an
implantation project on each. Who may see what (the rules of diagnostics/selectors/access.py,
written out here on purpose): the national admin everything; a region's delegate and the API
client of region 44 their region's basins; the shared mayor the shared basin; the catalogue
admin, the other mayor and anonymous visitors none."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from diagnostics.models import Basin, BasinShare, Commune, DiagnosticRun, Role, User
from diagnostics.selectors import diagnostic_frames
from diagnostics.services.accounts import user_create
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import BasinFactory, make_commune, make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import make_token

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
]

SHARED, SECRET_A, SECRET_B = "shared", "secret_a", "secret_b"
NAMES = {
    SHARED: ["Bassin Partagé de Chaumont", "Projet Partagé Chaumont"],
    SECRET_A: ["Bassin Zorglub de Biesles", "Projet Zorglub"],
    SECRET_B: ["Bassin Quimperlé Secret", "Projet Quimperlé"],
}
# Planted populations (sums of the basins' communes), in every way a page may write them.
FIGURES = {SHARED: [], SECRET_A: [9396], SECRET_B: [5859]}
VISIBLE = {
    "anonyme": set(),
    "admin_national": {SHARED, SECRET_A, SECRET_B},
    "delegue_region_a": {SHARED, SECRET_A},
    "delegue_region_b": {SECRET_B},
    "admin_catalogue": set(),
    "mairie_partagee": {SHARED},
    "mairie_non_partagee": set(),
    "client_api": {SHARED, SECRET_A},
}
MAX_URLS = 400
NOT_CRAWLED = re.compile(r"^/(static|media)/|/deconnexion/|/admin/.+/(delete|history)/")


def figure_forms(n: int) -> list[str]:
    plain = str(n)
    grouped = f"{n:,}"
    return [plain] + [grouped.replace(",", sep) for sep in (" ", "\u202f", "\xa0", ".")]


@dataclass
class Scene:
    users: dict[str, User | None]
    basins: dict[str, Basin]
    runs: dict[str, DiagnosticRun]
    projects: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def scene() -> Iterator[Scene]:
    diagnostic_frames.frames_cache_clear()
    world = diagnostic_world()
    Commune.objects.filter(code="52003").update(population=4187)
    Commune.objects.filter(code="52004").update(population=5209)
    shared = world.basin
    Basin.objects.filter(pk=shared.pk).update(name=NAMES[SHARED][0])
    secret_a = world.make_basin(NAMES[SECRET_A][0], ["52003", "52004"])
    communes_b = [
        make_commune("29001", name="Quimperlé", population=3141, region=world.other_region, col=5),
        make_commune("29002", name="Mellac", population=2718, region=world.other_region, col=6),
    ]
    secret_b = BasinFactory(name=NAMES[SECRET_B][0], region=world.other_region, communes=communes_b)
    basins: dict[str, Basin] = {
        SHARED: Basin.objects.get(pk=shared.pk),
        SECRET_A: secret_a,
        SECRET_B: cast(Basin, secret_b),
    }
    runs = {
        key: diagnostic_execute(run_id=diagnostic_request(basin_id=b.pk).pk)
        for key, b in basins.items()
    }

    from implantations.models import ImplantationProject

    projects = {
        key: ImplantationProject.objects.create(
            basin=b,
            name=NAMES[key][1],
            concept="fab_id",
            start_year=2025,
            study_started_on=dt.date(2025, 1, 6),
        ).pk
        for key, b in basins.items()
    }
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=shared, user=mayor)
    api_client = user_create(username="client-api-44", role=Role.API_CLIENT, regions=["44"])
    users: dict[str, User | None] = {
        "anonyme": None,
        "admin_national": make_user("admin-national", role=Role.NATIONAL_ADMIN),
        "delegue_region_a": world.delegate,
        "delegue_region_b": make_user("delegue-53", regions=[world.other_region]),
        "admin_catalogue": make_user("admin-catalogue", role=Role.CATALOGUE_ADMIN),
        "mairie_partagee": mayor,
        "mairie_non_partagee": make_user("mairie-autre", role=Role.MAYOR_VIEWER),
        "client_api": api_client,
    }
    scene = Scene(users=users, basins=basins, runs=runs, projects=projects)
    scene.tokens["client_api"] = make_token(api_client)
    yield scene
    diagnostic_frames.frames_cache_clear()


def object_urls(scene: Scene) -> list[str]:
    """Every page, export and API answer about each object of the world (seen or not)."""
    urls = []
    for key, basin in scene.basins.items():
        pk, run = basin.pk, scene.runs[key].pk
        urls += [
            reverse("basin-detail", args=[pk]),
            reverse("catalogue-basin-gap", args=[pk]),
            reverse("recommendation-detail", args=[pk]),
            reverse("basin-assets", args=[pk]),
            reverse("business-model", args=[pk]),
            reverse("diagnostic-detail", args=[run]),
            reverse("diagnostic-pdf", args=[run]),
            reverse("diagnostic-export", args=[run, "tout", "xlsx"]),
            reverse("diagnostic-export", args=[run, "region_map", "csv"]),
            # A table of the report as fetched when opened (the long ones are sent without rows).
            reverse("diagnostic-table", args=[run, "region_map"]),
            reverse("project-detail", args=[scene.projects[key]]),
            reverse("diagnostic-compare") + f"?a={run}&b={run}",
            reverse("diagnostic-compare") + f"?basin={pk}",
            reverse("api-basin-indicators", args=[pk]),
            reverse("api-basin-gap", args=[pk]),
            reverse("api-basin-recommendation", args=[pk]),
            f"/api/v1/basins/{pk}/",
            f"/api/v1/basins/{pk}/runs/",
            f"/api/v1/runs/{run}/",
            f"/api/v1/runs/{run}/tables/",
            f"/api/v1/runs/{run}/tables/region_map/",
            f"/api/v1/runs/{run}/series/",
        ]
    return urls


START = [
    "/",
    "/bassins/",
    "/diagnostics/",
    "/diagnostics/compare/",
    "/implantations/",
    "/implantations/planification/?region=44&source=registered",
    "/implantations/planification/?region=53&source=registered",
    "/implantations/planification/export.csv?region=44&source=registered",
    "/implantations/projets/",
    "/catalogue/",
    "/donnees/",
    "/donnees/imports/",
    "/journal-securite/",
    "/api/v1/basins/",
    "/api/v1/imports/",
    "/admin/",
]


def texts_of(response) -> Iterator[str]:  # type: ignore[no-untyped-def]
    kind = response.get("Content-Type", "")
    body = response.content
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                yield " | ".join("" if v is None else str(v) for v in row)
        return
    text = body.decode("utf-8-sig", errors="replace")
    if "text/csv" in kind:
        for row in csv.reader(io.StringIO(text), delimiter=";"):
            yield " | ".join(row)
        return
    yield text


def links_of(text: str) -> list[str]:
    found = re.findall(r'href="([^"#]+)', text) + re.findall(
        r'"(/(?:api|bassins|diagnostics|implantations|catalogue|donnees)/[^"\s]*)"', text
    )
    found += re.findall(r'"http://testserver(/[^"\s]*)"', text)
    out = []
    for link in found:
        parts = urlsplit(link.replace("&amp;", "&"))
        if parts.netloc and parts.netloc != "testserver":
            continue
        if parts.path.startswith("/") and not NOT_CRAWLED.search(parts.path):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def forbidden_for(persona: str, scene: Scene) -> dict[str, list[re.Pattern[str]]]:
    hidden = set(NAMES) - VISIBLE[persona]
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for key in hidden:
        basin, run = scene.basins[key], scene.runs[key]
        words = [re.escape(n) for n in NAMES[key]]
        words += [
            rf"(?<!\d)(?<!\d[ .,\u202f\xa0]){re.escape(f)}(?!\d)(?![ .,\u202f\xa0]\d)"
            for n in FIGURES[key]
            for f in figure_forms(n)
        ]
        # Links and API references to the hidden objects.
        words += [
            rf"/bassins/{basin.pk}/",
            rf"/diagnostics/{run.pk}/",
            rf"/api/v1/basins/{basin.pk}/",
            rf"/api/v1/runs/{run.pk}/",
            rf"/implantations/projets/{scene.projects[key]}/",
        ]
        patterns[key] = [re.compile(w) for w in words]
    return patterns


def sweep(persona: str, scene: Scene, monkeypatch) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    client = Client()
    user = scene.users[persona]
    if persona == "client_api":
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {scene.tokens[persona]}"
    elif user is not None:
        client.force_login(user)
    # The PDF job's file is then the printed page itself, swept like the pages.
    monkeypatch.setattr(
        "diagnostics.services.pdf_render.render_pdf", lambda html, **kw: html.encode("utf-8")
    )
    forbidden = forbidden_for(persona, scene)
    queue = list(START) + object_urls(scene)
    seen: set[str] = set()
    leaks: list[str] = []
    while queue and len(seen) < MAX_URLS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            leaks.append(f"{url}: HTTP {response.status_code}")
            continue
        location = response.get("Location", "") if response.status_code == 302 else ""
        if location.startswith("/") and not location.startswith("/connexion/"):
            queue.append(location)  # e.g. a PDF link's job page
        for text in texts_of(response):
            for key, patterns in forbidden.items():
                for pattern in patterns:
                    if match := pattern.search(text):
                        around = text[max(0, match.start() - 60) : match.end() + 60]
                        leaks.append(f"{url} [{response.status_code}] montre {key}: …{around}…")
            if (
                response.status_code == 200
                and "html" in response.get("Content-Type", "")
                or "json" in response.get("Content-Type", "")
            ):
                queue += [link for link in links_of(text) if link not in seen]
    return leaks, len(seen)


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_role_sees_nothing_of_the_basins_it_may_not_see(persona, scene, monkeypatch):  # type: ignore[no-untyped-def]
    leaks, fetched = sweep(persona, scene, monkeypatch)

    assert fetched >= len(START), fetched
    assert leaks == [], "\n".join(sorted(set(leaks))[:40])


def test_the_sweep_catches_a_planted_leak(scene):  # type: ignore[no-untyped-def]
    """Control: what the sweep looks for is found on a page that shows it, and a figure that
    merely contains the planted digits is not."""
    forbidden = forbidden_for("mairie_non_partagee", scene)
    run = scene.runs[SECRET_A].pk
    page = (
        f'<p>{NAMES[SECRET_A][0]} : 9\u202f396 habitants</p><a href="/diagnostics/{run}/">x</a>'
        "<td>19396</td><td>9396,5</td>"
    )

    hits = [p.pattern for p in forbidden[SECRET_A] if p.search(page)]

    assert len(hits) == 3  # the name, the figure (once, as written), the link
    assert not any(p.search("<td>19396</td><td>9396,5</td>") for p in forbidden[SECRET_A])
