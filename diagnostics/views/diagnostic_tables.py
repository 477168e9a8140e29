"""One table of a done run's report, served alone: the report page sends its long tables
(`display_table(...)["long"]`, more than 25 rows) closed and without their rows, and
diagnostic.js fetches them from here when the reader opens one. Same reader, same scope and same
rows as the report and the table's exports (`diagnostic_run_scoped`: a mayor's office gets only
what it may see); the rendered rows are cached per run, scope and table, as the exports are."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from diagnostics.models import DiagnosticRun, User
from diagnostics.permissions import BASIN_READERS, role_required
from diagnostics.selectors.access import diagnostic_run_scoped
from diagnostics.selectors.page_cache import cached, fragment_key, run_scope
from diagnostics.views.diagnostic_report import display_table
from diagnostics.views.diagnostics import visible_run


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_table(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """The HTML of table `table` of run `pk` (diagnostics/diagnostic_table_body.html): a
    fragment for the report page's script, 404 for a run the reader may not open, a run not
    done or an unknown table."""
    user: User = request.user  # type: ignore[assignment]
    full = visible_run(request, pk, documents=("tables",))
    run = diagnostic_run_scoped(full, user=user)
    if not run.is_done:
        raise Http404("Ce diagnostic n'est pas terminé : aucun tableau à afficher.")
    return HttpResponse(table_fragment(full, run, table), content_type="text/html; charset=utf-8")


def table_fragment(full: DiagnosticRun, run: DiagnosticRun, table: str) -> str:
    """The rendered rows of table `table` of the done `run` as scoped for its reader (`full`:
    the run as stored), kept in the cache per run, scope and table; Http404 for an unknown
    table. Also served under a read-only link (`implantations.views.share_link`)."""
    tables = run.tables or {}
    if table not in tables:
        raise Http404(f"Tableau « {table} » inconnu pour ce diagnostic.")

    def build() -> str:
        return render_to_string(
            "diagnostics/diagnostic_table_body.html", {"t": display_table(table, tables[table])}
        )

    key = fragment_key(
        "table-html", run.pk, str(run.finished_at), run_scope(full, run), table, data=False
    )
    return str(cached(key, build))
