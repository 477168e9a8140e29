"""The browser walk: every page of the demo, as each role, at 1366 and 320 px.

For each role (anonymous, delegate, mayor, catalogue admin, national admin: one test each, every
one starting from the same demo rows, tests/e2e/conftest.py) the walk starts at the role's home and a list of known pages, follows same-origin links (deduplicated by URL pattern,
numbers replaced by `{n}`, and bounded), and fails on:
- an HTTP error on the page or on any asset it loads (404 favicon included);
- a console error or an uncaught exception, a Content-Security-Policy violation included (each
  one is logged to the console by an init script, tests/e2e/conftest.py);
- a dead link for that role (a link shown on a page that answers 403/404/500 when followed);
- an in-page link (skip links…) whose target is missing;
- a serious or critical axe-core violation (axe 4.12.1, bundled by axe-playwright-python: nothing
  is fetched at test time);
- a page wider than the screen, at 1366 or 320 px (tables scroll inside their own container).
On a report, the first long table (sent without its rows) is opened, which fetches them.
Exports and PDFs are not walked: their status is checked once with a GET through the browser's
request context (same session); a PDF link that redirects to its PDF job (reports, business
model) is followed, and the job's page must answer and is walked. Screenshots (JPEG) go to
var/walk/ and a summary per role to var/walk/report-<role>.json (page, width, console errors,
axe violations by rule).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.e2e.conftest import login, new_context, settle, wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WALK_DIR = Path(__file__).resolve().parents[2] / "var" / "walk"
PASSWORD = "territoires-demo-2026"
ROLES: dict[str, str | None] = {
    "anonyme": None,
    "delegue": "demo-delegue",
    "mairie": "demo-mairie",
    "catalogue": "demo-catalogue",
    "admin": "demo-admin",
}
KNOWN_PAGES = ["/", "/connexion/", "/api/docs/", "/compte/jetons/"]
# The API documentation and the tokens page are for signed-in users (issue 14).
SIGNED_IN_ONLY = ("/api/docs/", "/compte/jetons/")
# Pages of some roles only, walked first for them (elsewhere a 404 by design): the national
# planning is for national admins (issue 16); the programme dashboard, a stage of its pipeline,
# its targets and the typed partners (issue 18).
ROLE_PAGES: dict[str, list[str]] = {
    "admin": [
        "/implantations/planification/nationale/",
        "/implantations/programme/",
        "/implantations/programme/etapes/?etape=diagnostique",
        "/implantations/programme/objectifs/",
        "/partenaires/",
        "/partenaires/nouveau/",
    ],
    "delegue": ["/implantations/programme/", "/partenaires/"],
}
# Follow-up and evaluation (issue 18): the programme summary and the evaluation page of the demo
# project followed for a year, for the roles that read projects (visited first: the links may not
# reach them within MAX_PAGES_PER_ROLE).
EVALUATION_ROLES = ("delegue", "mairie", "admin")
WIDTHS = (1366, 320)
# Each role's budget of pages found by its links; past it, the role walks only the pages of its
# own (MUST_REACH) it has not reached yet, whatever it takes. The budget used to end the walk:
# 11 kinds of page were walked by no role (the basin's assets, its gap, its shared versions…).
MAX_PAGES_PER_ROLE = int(os.environ.get("WALK_MAX_PAGES", "30"))
SERIOUS = {"serious", "critical"}
# Not walked (not our pages, or files): their status is checked, their content is not.
NOT_WALKED = re.compile(
    r"^/(admin|static|media)/|/api/(?!docs/)|\.(pdf|csv|xlsx|json|geojson|zip)$|/export|/pdf|"
    r"/deconnexion/|/telecharger"
)
FILES = re.compile(r"\.(pdf|csv|xlsx|json|geojson|zip)$|/export|/pdf|/telecharger")


# Every page of the site (a URL name of the URLconf that is not a file, the API or the admin) is
# either walked by a role that must reach it, or named in NOT_PAGES with why it is not a page to
# walk; tests/test_walk_coverage.py checks it against the URLconf, so that a new page is walked
# from the day it is added. Each role's walk fails if it misses a page of its own.
MUST_REACH: dict[str, frozenset[str]] = {
    "anonyme": frozenset(["home", "login", "share-link-open"]),
    "delegue": frozenset(
        [
            "api-docs",
            "basin-assets",
            "basin-create",
            "basin-detail",
            "basin-list",
            "basin-shares",
            "business-model",
            "catalogue-basin-gap",
            "catalogue-home",
            "catalogue-local-offers",
            "data-home",
            "diagnostic-compare",
            "diagnostic-detail",
            "diagnostic-list",
            "evaluation-summary",
            "implantation-home",
            "national-atlas",
            "national-atlas-compare",
            "notification-list",
            "partner-create",
            "partner-edit",
            "partner-list",
            "pdf-job-detail",
            "planning",
            "programme",
            "programme-stage",
            "project-create",
            "project-detail",
            "project-edit",
            "project-evaluation",
            "project-followup",
            "project-followup-import",
            "project-funding",
            "project-learners",
            "project-list",
            "project-services",
            "project-topup",
            "recommendation-detail",
            "token-list",
        ]
    ),
    "mairie": frozenset(
        [
            "basin-detail",
            "contribution-create",
            "contribution-list",
            "pdf-job-detail",
            "project-detail",
            "shared-version-detail",
        ]
    ),
    "catalogue": frozenset(
        ["catalogue-home", "catalogue-path-detail", "import-create", "import-detail", "import-list"]
    ),
    "admin": frozenset(
        [
            "audit-log",
            "national-batch-detail",
            "national-batches",
            "national-planning",
            "programme-targets",
        ]
    ),
}
# URL names the walk does not visit, and why (their answers are checked by their own tests).
NOT_PAGES: dict[str, str] = {
    "basin-delete": "action (POST)",
    "basin-share": "action (POST) du formulaire de partage",
    "catalogue-local-offer-delete": "action (POST)",
    "contribution-decide": "action (POST)",
    "diagnostic-run": "action (POST) : lance un diagnostic",
    "import-retry": "action (POST)",
    "pdf-job-retry": "action (POST)",
    "programme-target-delete": "action (POST)",
    "project-status": "action (POST)",
    "shared-version-comment": "action (POST)",
    "token-revoke": "action (POST)",
    "diagnostic-progress": "JSON lu par la page d'un diagnostic en cours",
    "import-progress": "JSON lu par la page d'un import en cours",
    "pdf-job-status": "JSON lu par la page d'un rapport PDF en cours",
    "territory-search": "JSON de l'autocomplétion des territoires",
    "diagnostic-table": "fragment d'un tableau long, chargé par le rapport (la visite en ouvre un)",
    "share-link-table": "fragment d'un tableau long, chargé par la page d'un lien",
    "favicon": "redirection vers l'icône du DSFR",
}


def url_name(path: str) -> str:
    """The URL name of a path of the site ("" when none)."""
    from django.urls import Resolver404, resolve

    try:
        return str(resolve(urlsplit(path).path).url_name or "")
    except Resolver404:
        return ""


def reached(results: list[Any]) -> set[str]:
    """The URL names of the pages walked."""
    return {url_name(result.path) for result in results} - {""}


def _share_link_pages() -> list[str]:
    """A link to a shared version (issue 15's public read-only page), made for the anonymous
    walk by the account that shared it: the demo keeps no link (their token is shown once)."""
    from diagnostics.models import SharedVersion
    from diagnostics.services.share_links import share_link_create

    version = SharedVersion.objects.select_related("shared_by").order_by("pk").first()
    if version is None:
        return []
    created = share_link_create(version=version, user=version.shared_by, label="visite")
    return [f"/lien/{created.token}/"]


def _comparison_pages(username: str) -> list[str]:
    """The two comparisons, filled in as their forms (GET) fill them, which the walk does not
    submit: two diagnostics of one basin side by side, and the first two basins of the atlas."""
    from django.db.models import Count, Q

    from diagnostics.models import DiagnosticRun, User
    from diagnostics.selectors.access import basin_list_for
    from diagnostics.selectors.national import atlas_rows

    user = User.objects.get(username=username)
    pages = []
    basin = (
        basin_list_for(user)
        .annotate(
            done=Count(
                "diagnostic_runs", filter=Q(diagnostic_runs__status=DiagnosticRun.Status.DONE)
            )
        )
        .filter(done__gte=2)
        .order_by("pk")
        .first()
    )
    if basin is not None:
        runs = DiagnosticRun.objects.filter(basin=basin, status=DiagnosticRun.Status.DONE)
        a, b = runs.order_by("pk").values_list("pk", flat=True)[:2]
        pages.append(f"/diagnostics/compare/?a={a}&b={b}")
    rows = atlas_rows(zoning="zone_emploi", user=user)
    if len(rows) >= 2:
        first, second = (int(v) for v in rows["basin_id"].head(2))
        pages.append(f"/national/atlas/comparer/?zonage=zone_emploi&b={first}&b={second}")
    return pages


# Roles that manage the demo project: they walk its business-model pages first (issue 18), so
# that the basin's business model is seen with the project's funding, top-up and services.
MANAGING_ROLES = ("delegue", "admin")


def demo_project_pages() -> list[str]:
    from implantations.models import ImplantationProject
    from implantations.services.demo import PROJECT_NAME

    project = ImplantationProject.objects.filter(name=PROJECT_NAME).first()
    if project is None:
        return []
    base = f"/implantations/projets/{project.pk}"
    return [
        f"/bassins/{project.basin_id}/modele-economique/?projet={project.pk}",
        f"{base}/financements/",
        f"{base}/services/",
        f"{base}/abondement/",
    ]


def pattern(path: str) -> str:
    """`/bassins/12/diagnostic/` → `/bassins/{n}/diagnostic/`: one visit per kind of page."""
    return re.sub(r"/\d+(?=/|$|\.)", "/{n}", path)


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "accueil"


@dataclass
class PageResult:
    role: str
    path: str
    width: int
    status: int
    console: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)
    axe: dict[str, int] = field(default_factory=dict)  # rule id → nodes (serious/critical)
    axe_minor: int = 0
    missing_anchors: list[str] = field(default_factory=list)
    overflow_px: int = 0
    # Seconds per step of the visit (load, axe, screenshot…), in the report: where the walk's
    # time goes.
    timings: dict[str, float] = field(default_factory=dict)

    def problems(self) -> list[str]:
        found = []
        if self.status >= 400:
            found.append(f"HTTP {self.status}")
        found += [f"console: {c}" for c in self.console]
        found += [f"asset: {a}" for a in self.failed_assets]
        found += [f"axe {rule} ×{n}" for rule, n in self.axe.items()]
        found += [f"ancre absente: {a}" for a in self.missing_anchors]
        if self.overflow_px > 1:
            found.append(f"page plus large que l'écran de {self.overflow_px} px")
        return found


@pytest.fixture
def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


# Left out of axe's audit: the SVG layers plotly draws inside a chart. cnam/charts.js gives
# every chart's node role="img" and a French name, so those layers are presentational children
# that assistive technologies do not read; the node itself, its caption, its data table and its
# toolbar are audited with the page, and tests/e2e/test_charts_a11y.py checks that nothing
# focusable sits inside. On a report (15 charts, 4,300 SVG nodes of 11,900) leaving them out
# took axe from 3.7 to 2.3 s, and from 4.6 to 3.5 s once its first long table was opened.
AXE_EXCLUDED = [".js-plotly-plot .main-svg"]


def _audit(page: Any, axe_script: str) -> tuple[dict[str, int], int, list[str]]:
    # Injected once per document: at 320 px the page narrowed in place still holds it.
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.evaluate(axe_script)
    results = page.evaluate(
        "(excluded) => axe.run({exclude: excluded.map(s => [s])}, "
        "{resultTypes: ['violations']}).then(r => r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length})))",
        AXE_EXCLUDED,
    )
    serious: dict[str, int] = {}
    minor = 0
    for v in results:
        if v["impact"] in SERIOUS:
            serious[v["id"]] = serious.get(v["id"], 0) + v["nodes"]
        else:
            minor += v["nodes"]
    missing = page.evaluate(
        "Array.from(document.querySelectorAll('a[href^=\"#\"]'))"
        ".map(a => a.getAttribute('href')).filter(h => h.length > 1 && !h.startsWith('#/'))"
        ".filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))"
    )
    return serious, minor, sorted(set(missing))


def _links(page: Any, origin: str) -> list[str]:
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    out = []
    for href in hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or not parts.path:
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _evaluation_pages() -> list[str]:
    from implantations.models import ProjectFollowup

    followed = ProjectFollowup.objects.values_list("project_id", flat=True).distinct()
    return ["/implantations/evaluation/"] + [
        f"/implantations/projets/{pk}/evaluation/" for pk in sorted(followed)
    ]


def _pdf_job_pages(page: Any, base: str, username: str) -> list[str]:
    """The pages of PDF jobs (issue 15): made through the « Rapport PDF » link of a diagnostic the
    account reads and the « Exporter en PDF » link of the demo project's business model (both
    rendered at once in the embedded default), then walked like the others."""
    from diagnostics.models import User
    from diagnostics.selectors.access import diagnostic_run_readable_for

    user = User.objects.get(username=username)
    run = diagnostic_run_readable_for(user).filter(status="done").order_by("pk").first()
    links = [f"/diagnostics/{run.pk}/rapport.pdf"] if run is not None else []
    links += [
        path.replace("/modele-economique/?", "/modele-economique.pdf?")
        for path in demo_project_pages()[:1]
    ]
    pages = []
    for link in links:
        response = page.request.get(base + link, timeout=120_000)
        assert response.ok, f"lien PDF {link} : HTTP {response.status}"
        landed = urlsplit(response.url).path
        assert landed.startswith("/rapports-pdf/"), f"lien PDF {link} : arrivé sur {landed}"
        pages.append(landed)
    return pages


def _walk_role(
    browser: Any,
    base: str,
    role: str,
    username: str | None,
    axe_script: str,
    audited_small: set[str],
    extra: list[str] | None = None,
) -> Iterator[PageResult | tuple[str, str, int]]:
    """Yields a PageResult per page and width, and (role, link, status) for each dead link.

    At 1366 px every page is loaded and audited (axe, anchors, console, HTTP) for every role. At
    320 px the same page is narrowed in place for every role (console, width), and axe + a
    full-page screenshot are taken once per kind of page (`audited_small`, shared by the roles)
    to keep the walk short.
    """
    context = new_context(browser, viewport={"width": WIDTHS[0], "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(60_000)  # a loaded CI machine
    console: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(f"exception: {exc}"))
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {urlsplit(r.url).path}") if r.status >= 400 else None,
    )
    if username:
        login(page, _Live(base), username, PASSWORD)
    queue = [p for p in KNOWN_PAGES if username or p not in SIGNED_IN_ONLY]
    queue[1:1] = ROLE_PAGES.get(role, [])
    if role in EVALUATION_ROLES:
        queue += _evaluation_pages()
    queue += list(extra or [])
    if role == "anonyme":
        queue += _share_link_pages()
    if role == "delegue" and username:
        queue += _comparison_pages(username)
    if role == "delegue" and username:
        queue[1:1] = _pdf_job_pages(page, base, username)
    found_on: dict[str, str] = {}  # link → the page that shows it (for the failure message)
    seen_patterns: set[str] = set()
    visited = 0
    own = set(MUST_REACH[role])
    while queue:
        if visited >= MAX_PAGES_PER_ROLE:
            # Past the budget: only the role's own pages it has not reached yet.
            queue = [p for p in queue if url_name(p) in own]
            if not queue:
                break
        path = queue.pop(0)
        bare = path.split("?")[0]
        key = pattern(bare)
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        if NOT_WALKED.search(bare):
            if FILES.search(bare):
                # A PDF is rendered on demand: the loaded CI machine's margin, as for the pages.
                status = page.request.get(base + path, max_redirects=0, timeout=120_000).status
                if status >= 400:
                    yield (role, f"{path} (lien de {found_on.get(path, '?')})", status)
                elif status in (301, 302, 303):
                    # A PDF link hands the print to a PDF job (rendered at once in the embedded
                    # default): its page must answer, and is walked like the others.
                    landed = page.request.get(base + path, timeout=120_000)
                    if not landed.ok:
                        yield (role, f"{path} (lien de {found_on.get(path, '?')})", landed.status)
                    else:
                        queue.append(urlsplit(landed.url).path)
            continue
        visited += 1
        own.discard(url_name(path))
        status = 0
        for width in WIDTHS:
            console.clear()
            failed.clear()
            timings: dict[str, float] = {}
            clock = [time.monotonic()]

            def lap(
                step: str, timings: dict[str, float] = timings, clock: list[float] = clock
            ) -> None:
                now = time.monotonic()
                timings[step] = round(now - clock[0], 2)
                clock[0] = now

            page.set_viewport_size({"width": width, "height": 900})
            if width == WIDTHS[0]:
                response = page.goto(base + path, wait_until="load")
                status = response.status if response else 0
                landed = urlsplit(page.url).path
                if landed != bare and status < 400:
                    # Redirected (the login page, a home…): the target is walked on its own.
                    queue.append(landed)
                lap("chargement")
                wait_for_charts(page)
                lap("graphiques")
                _open_first_lazy_table(page)
                lap("tableau long")
            else:
                # The same page narrowed in place, as a window is: the media queries, DSFR's
                # scripts and plotly's responsive charts follow the resize (a console error they
                # throw is this width's); the HTML and its assets are the ones loaded above
                # (reloading it cost a second page load and chart drawing per page, ADR 0012).
                _redrawn(page)
                lap("redessin")
                _scroll_regions_marked(page)
                lap("défilement")
            settle(page)  # late console errors of DSFR's scripts
            lap("stabilisation")
            full = width == WIDTHS[0] or key not in audited_small
            serious: dict[str, int] = {}
            minor, missing = 0, list[str]()
            if full:
                serious, minor, missing = _audit(page, axe_script)
                lap("axe")
                shot = WALK_DIR / f"{role}--{slug(key)}--{width}.jpg"
                page.screenshot(
                    path=str(shot), full_page=width != WIDTHS[0], type="jpeg", quality=70
                )
                lap("capture")
                if width != WIDTHS[0]:
                    audited_small.add(key)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if status in (403, 404) and width == WIDTHS[0]:
                yield (role, f"{path} (lien de {found_on.get(path, 'la liste')})", status)
            yield PageResult(
                role=role,
                path=path,
                width=width,
                status=status,
                console=list(console),
                failed_assets=list(failed),
                axe=serious,
                axe_minor=minor,
                missing_anchors=missing,
                overflow_px=int(overflow),
                timings=timings,
            )
            if width == WIDTHS[0]:
                for link in _links(page, base):
                    if pattern(link.split("?")[0]) not in seen_patterns:
                        found_on.setdefault(link, path)
                        queue.append(link)
    context.close()


def _until(page: Any, condition: str, seconds: float, arg: Any = None) -> None:
    """Waits (`seconds` at most) until `condition`, a JavaScript function of `arg`, holds in the
    page: polled on animation frames by a function Playwright sends as code, not by
    `wait_for_function` with a string, which Playwright polls with eval and the page's
    Content-Security-Policy (no 'unsafe-eval') reports as a violation."""
    page.evaluate(
        "(arg) => new Promise(done => {"
        f" const until = performance.now() + {int(seconds * 1000)};"
        f" const holds = {condition};"
        " const check = () => (holds(arg) || performance.now() > until)"
        " ? done() : requestAnimationFrame(check);"
        " requestAnimationFrame(check);"
        " })",
        arg,
    )


def _redrawn(page: Any) -> None:
    """After a resize: plotly redraws its responsive charts on the window's resize event; waits
    (five seconds at most) until every shown chart is as wide as its container."""
    _until(
        page,
        """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
            .filter(e => e.offsetParent !== null && e._fullLayout)
            .every(e => Math.abs(e._fullLayout.width - e.getBoundingClientRect().width) < 2)""",
        5,
    )


# The boxes cnam/responsive.js watches, as it lists them: one that scrolls gets a tabindex.
SCROLL_BOXES = (
    ".fr-table, .fr-table__wrapper, .fr-table__container, .fr-table__content, .fr-table__shadow,"
    " .cnam-table-scroll, main table, main pre"
)


def _scroll_regions_marked(page: Any) -> None:
    """After a resize: cnam/responsive.js makes every table box that now scrolls focusable
    (axe `scrollable-region-focusable`) 150 ms after the window's last resize event; waits
    (thirty seconds at most) until it has. Audited before that, a table that scrolls only at
    320 px was reported unfocusable (/connexion/, /donnees/ on a loaded machine); a box the
    script misses is still reported, by axe, after the wait."""
    _until(
        page,
        """(selector) => Array.from(document.querySelectorAll(selector)).every(box => {
            const scrollsY = box.scrollHeight > box.clientHeight
                && /auto|scroll/.test(getComputedStyle(box).overflowY);
            const scrolls = box.scrollWidth > box.clientWidth || scrollsY;
            return !scrolls || box.hasAttribute("tabindex");
        })""",
        30,
        SCROLL_BOXES,
    )


def _open_first_lazy_table(page: Any) -> None:
    """A report sends its long tables closed and without their rows: the first is opened, so
    that fetching its rows is seen to work (HTTP, console) and the rows are audited with the page."""
    lazy = page.locator("details.cnam-dtable:has([data-table-src])")
    if lazy.count():
        lazy.first.locator("summary").click()
        page.locator("[data-table-src][data-state=loaded]").first.wait_for(timeout=30_000)


@dataclass
class _Live:
    url: str


def _write_report(
    role: str, results: list[PageResult], dead: list[tuple[str, str, int]], seconds: float
) -> None:
    report = {
        "seconds": round(seconds, 1),
        "pages": [
            {
                "role": r.role,
                "path": r.path,
                "width": r.width,
                "status": r.status,
                "console": r.console,
                "failed_assets": r.failed_assets,
                "axe_serious": r.axe,
                "axe_minor_nodes": r.axe_minor,
                "missing_anchors": r.missing_anchors,
                "overflow_px": r.overflow_px,
                "seconds": r.timings,
            }
            for r in results
        ],
        "dead_links": [{"role": d[0], "path": d[1], "status": d[2]} for d in dead],
    }
    (WALK_DIR / f"report-{role}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))


# Kinds of page already audited at 320 px by an earlier role on this xdist worker (see
# `_walk_role`): each kind once per worker, whichever role reaches it first.
AUDITED_SMALL: set[str] = set()


# One test per role, scheduled one by one (`ungrouped`, not in the browser group): both xdist
# workers share the walk instead of one worker walking every role at the end of the run.
@pytest.mark.ungrouped
@pytest.mark.timeout(900)  # a minute or two on a quiet machine; CI's shared cores are slower
@pytest.mark.parametrize("role", list(ROLES))
def test_walk_every_page_as_each_role(  # type: ignore[no-untyped-def]
    role, live_server, chromium_browser, demo, axe_script
) -> None:
    WALK_DIR.mkdir(parents=True, exist_ok=True)
    for old in [*WALK_DIR.glob(f"{role}--*.png"), *WALK_DIR.glob(f"{role}--*.jpg")]:
        old.unlink()
    started = time.monotonic()
    results: list[PageResult] = []
    dead: list[tuple[str, str, int]] = []
    project_pages = demo_project_pages()
    extra = project_pages if role in MANAGING_ROLES else []
    for item in _walk_role(
        chromium_browser, live_server.url, role, ROLES[role], axe_script, AUDITED_SMALL, extra
    ):
        if isinstance(item, PageResult):
            results.append(item)
        else:
            dead.append(item)
    _write_report(role, results, dead, time.monotonic() - started)

    # The role was walked; the delegate reached basins, diagnostics and their charts.
    assert results and {r.role for r in results} == {role}
    if role == "delegue":
        delegate_paths = {pattern(r.path.split("?")[0]) for r in results}
        assert {"/bassins/{n}/", "/diagnostics/{n}/"} <= delegate_paths
        assert "/implantations/projets/{n}/evaluation/" in delegate_paths
        assert {pattern(p.split("?")[0]) for p in project_pages} <= delegate_paths
    # Every page of the role's own was walked.
    assert MUST_REACH[role] <= reached(results), sorted(MUST_REACH[role] - reached(results))
    problems = [f"{r.role} {r.width}px {r.path}: {p}" for r in results for p in r.problems()]
    problems += [f"{d[0]} lien mort {d[1]} → HTTP {d[2]}" for d in dead]
    assert not problems, "\n".join(problems)
