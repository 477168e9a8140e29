"""Browser: cnam/charts.js on a bare page (plotly.js and our script from disk, no server): the
chart has no toolbar nor any focusable element inside its role="img", a French caption with its
main message, and its data table one key away, numbers in French format."""

from __future__ import annotations

from pathlib import Path

import plotly
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
CHARTS_JS = ROOT / "cnam_territoires" / "static" / "cnam" / "charts.js"
NNBSP = "\u202f"


def _draw(page, figure_js: str) -> None:  # type: ignore[no-untyped-def]
    page.set_content(
        '<html lang="fr"><body><main><div id="c" class="cnam-chart" role="img" '
        'aria-label="Projets par année"></div></main></body></html>'
    )
    page.add_script_tag(path=str(PLOTLY_JS))
    page.add_script_tag(path=str(CHARTS_JS))
    page.evaluate(f"Plotly.newPlot('c', {figure_js})")
    page.wait_for_selector("#c .main-svg")


def _data_table(page) -> tuple[list[str], list[list[str]]]:  # type: ignore[no-untyped-def]
    """Opens the chart's data table (a <details> right after the chart) and reads its header
    cells and its rows, cell by cell."""
    page.locator(".cnam-chart-data > summary").click()
    headers = page.locator(".cnam-chart-data thead th").all_inner_texts()
    rows = page.locator(".cnam-chart-data tbody tr").all_inner_texts()
    return headers, [row.split("\t") for row in rows]


def test_bar_chart_is_french_without_toolbar_with_caption_and_table(page) -> None:  # type: ignore[no-untyped-def]
    _draw(
        page,
        "[{type: 'bar', name: 'Projets', x: ['2023', '2024', '2025'], y: [1200.5, 30, 7]}],"
        " {xaxis: {title: {text: 'Année'}}}, {displayModeBar: true}",
    )

    assert page.locator(".modebar-btn").count() == 0  # even when asked for
    focusable = page.evaluate(
        "document.querySelectorAll('#c a[href], #c button, #c [tabindex]').length"
    )
    assert focusable == 0
    caption = page.locator(".cnam-chart-caption").inner_text()
    # First 1 200,5 (2023), last 7 (2025), max 1 200,5 (2023), min 7 (2025).
    assert caption == (
        f"Projets : de 1{NNBSP}200,5 (2023) à 7 (2025) ; maximum 1{NNBSP}200,5 (2023), "
        "minimum 7 (2025)."
    )
    assert page.get_attribute("#c", "aria-describedby") == "c-message"
    # The table is inside a <details> right after the chart.
    headers, rows = _data_table(page)
    assert headers == ["Année", "Projets"]
    assert rows == [
        ["2023", f"1{NNBSP}200,5"],
        ["2024", "30"],
        ["2025", "7"],
    ]
    # The French toolbar outside the chart.
    assert page.get_by_role("button", name="Télécharger l'image (PNG)").count() == 1
    assert page.get_by_role("button", name="Réinitialiser la vue").count() == 1
    # plotly's own number format follows the layout's separators (decimal comma).
    assert page.evaluate("document.getElementById('c').layout.separators") == ", "


def test_map_table_lists_what_the_hover_shows(page) -> None:  # type: ignore[no-untyped-def]
    _draw(
        page,
        "[{type: 'scatter', mode: 'lines', fill: 'toself', x: [0, 1, 1, 0], y: [0, 0, 1, 1],"
        " hoverinfo: 'text', text: '<b>Vitré</b> (35360)<br>Population : 18 000', name: 'c1'},"
        " {type: 'scatter', mode: 'markers', x: [0.5], y: [0.5], hoverinfo: 'skip', name: 'x'},"
        " {type: 'scatter', mode: 'markers', x: [0.2, 0.8], y: [0.2, 0.8], name: 'Sites',"
        "  hovertext: ['<b>Cnam Rennes</b>', '<b>Cnam Vitré</b>'], hoverinfo: 'text'}],"
        " {xaxis: {visible: false}, yaxis: {visible: false}}",
    )

    _, rows = _data_table(page)
    assert rows == [
        ["c1", "Vitré (35360) · Population : 18 000"],
        ["Sites", "Cnam Rennes"],
        ["Sites", "Cnam Vitré"],
    ]
    assert page.locator(".cnam-chart-caption").inner_text().startswith("Carte : 3 éléments")


def _draw_when_near(page, body: str, figure_js: str) -> None:  # type: ignore[no-untyped-def]
    """`body` in a window 720 px high, then `Plotly.cnamDrawWhenNear` on each of its charts
    (`.cnam-chart`, in order) with `figure_js`."""
    page.set_viewport_size({"width": 1000, "height": 720})
    page.set_content(f'<html lang="fr"><body><main>{body}</main></body></html>')
    page.add_script_tag(path=str(PLOTLY_JS))
    page.add_script_tag(path=str(CHARTS_JS))
    page.evaluate(
        "(figure) => document.querySelectorAll('.cnam-chart').forEach("
        "(node) => Plotly.cnamDrawWhenNear(node, ...figure, {responsive: true}))",
        # The figure as [data, layout], from its JavaScript text.
        page.evaluate(f"[{figure_js}]"),
    )


def test_a_chart_far_from_the_window_is_drawn_when_it_comes_near(page) -> None:  # type: ignore[no-untyped-def]
    # Two charts: one at the top, one 6,000 px below (the window is 720 px high: « near » is
    # within half a window of it, 360 px).
    _draw_when_near(
        page,
        '<div id="haut" class="cnam-chart" aria-label="Haut"></div>'
        '<div style="height: 6000px"></div>'
        '<div id="bas" class="cnam-chart" aria-label="Bas"></div>'
        '<div style="height: 1000px"></div>',
        "[{type: 'bar', name: 'Projets', x: ['2024', '2025'], y: [3, 5]}], {height: 300}",
    )

    assert page.locator("#haut.js-plotly-plot").count() == 1  # near the window: drawn at once
    assert page.locator("#haut[data-chart-pending]").count() == 0
    # Far below: not drawn yet, but its box keeps the chart's height and its text alternative
    # (caption, data table, tools) is already there.
    assert page.locator("#bas .main-svg").count() == 0
    assert page.locator("#bas.js-plotly-plot").count() == 0
    assert page.locator("#bas[data-chart-pending]").count() == 1
    assert page.evaluate("document.getElementById('bas').getBoundingClientRect().height") == 300
    assert (
        page.locator(".cnam-chart-caption").all_inner_texts()
        == [
            "Projets : de 3 (2024) à 5 (2025) ; maximum 5 (2025), minimum 3 (2024).",
        ]
        * 2
    )
    assert page.locator(".cnam-chart-data").count() == 2

    # The top chart and its caption, table and tools put it about 6,800 px down: 800 px from
    # the top of the window once scrolled by 6,000, within 1.5 windows (1,080 px).
    page.mouse.wheel(0, 6000)
    page.wait_for_selector("#bas.js-plotly-plot", state="attached")
    assert page.locator("#bas[data-chart-pending]").count() == 0
    assert page.evaluate("document.getElementById('bas').layout.separators") == ", "


def test_printing_or_a_chart_tool_draws_the_charts_not_drawn_yet(page) -> None:  # type: ignore[no-untyped-def]
    _draw_when_near(
        page,
        '<div style="height: 5000px"></div>'
        '<div id="a" class="cnam-chart" aria-label="A"></div>'
        '<div id="b" class="cnam-chart" aria-label="B"></div>',
        "[{type: 'bar', x: ['2024', '2025'], y: [3, 5]}], {}",
    )
    assert page.locator("[data-chart-pending]").count() == 2
    assert page.evaluate("document.getElementById('a').getBoundingClientRect().height") == 450

    # « Réinitialiser la vue » of chart A, clicked from the keyboard without scrolling to it.
    page.evaluate(
        "document.querySelectorAll('.cnam-chart-tools')[0].querySelectorAll('button')[2].click()"
    )
    assert page.locator("#a.js-plotly-plot").count() == 1
    assert page.locator("#b[data-chart-pending]").count() == 1

    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("#b.js-plotly-plot").count() == 1
    assert page.locator("[data-chart-pending]").count() == 0


def test_a_multicategory_axis_reads_as_its_levels_joined(page) -> None:  # type: ignore[no-untyped-def]
    # The recommendation's waterfalls: criteria grouped by pillar (x = [pillars, criteria]).
    _draw(
        page,
        "[{type: 'waterfall', measure: ['relative', 'relative', 'total'],"
        " x: [['Demande', 'Demande', 'Total'], ['Projets', 'Écart', 'Score']],"
        " y: [10, 5.5, 15.5]}], {}",
    )

    caption = page.locator(".cnam-chart-caption").inner_text()
    assert caption == (
        # No series name nor axis title: the chart's name (the page names the waterfall's
        # series « Points apportés »).
        "Projets par année : de 10 (Demande · Projets) à 15,5 (Total · Score) ; maximum 15,5 "
        "(Total · Score), minimum 5,5 (Demande · Écart)."
    )
    _, rows = _data_table(page)
    assert rows == [
        ["Demande · Projets", "10"],
        ["Demande · Écart", "5,5"],
        ["Total · Score", "15,5"],
    ]


def test_a_lone_series_without_a_name_reads_as_its_value_axis(page) -> None:  # type: ignore[no-untyped-def]
    # The report's « métiers difficiles »: one horizontal bar series, no name.
    _draw(
        page,
        "[{type: 'bar', orientation: 'h', x: [255, 33], y: ['Cuisinier', 'Vendeur']}],"
        " {xaxis: {title: {text: 'Projets jugés difficiles'}}}",
    )

    caption = page.locator(".cnam-chart-caption").inner_text()
    assert caption == (
        "Projets jugés difficiles : de 255 (Cuisinier) à 33 (Vendeur) ; maximum 255 "
        "(Cuisinier), minimum 33 (Vendeur)."
    )
    headers, _ = _data_table(page)
    assert headers == [
        "Catégorie",
        "Projets jugés difficiles",
    ]


def test_a_lone_series_without_a_name_nor_axis_title_reads_as_its_chart(page) -> None:  # type: ignore[no-untyped-def]
    # The chart's own name (aria-label « Projets par année ») when no axis says what is counted.
    _draw(page, "[{type: 'bar', x: ['2024', '2025'], y: [3, 5]}], {}")

    assert page.locator(".cnam-chart-caption").inner_text() == (
        "Projets par année : de 3 (2024) à 5 (2025) ; maximum 5 (2025), minimum 3 (2024)."
    )


def test_a_heatmap_reads_as_its_grid_not_as_a_map(page) -> None:  # type: ignore[no-untyped-def]
    # The published tensions: one heatmap per vintage, side by side, the text of each cell shown;
    # a row name the axis cuts is given whole (`meta.labels`).
    rows_js = "y: ['Cuisinier de coll…', 'Vendeur'], meta: {labels: ['Cuisinier de collectivité', 'Vendeur']}"
    _draw(
        page,
        f"[{{type: 'heatmap', name: '2019', x: ['Indicateur', 'Facteur A'], {rows_js},"
        "  z: [[5, null], [2, null]], text: [['5', 'non publié'], ['2', 'non publié']]},"
        f" {{type: 'heatmap', name: '2021', x: ['Indicateur', 'Facteur A'], {rows_js},"
        "  z: [[4, 3], [1, 2]], text: [['4', '3'], ['1', '2']], xaxis: 'x2'}],"
        " {yaxis: {title: {text: 'Métier'}}, xaxis2: {}}",
    )

    assert page.locator(".cnam-chart-caption").inner_text() == (
        "Carte de chaleur de 2 lignes et 4 colonnes : ses valeurs sont dans le tableau ci-dessous."
    )
    headers, rows = _data_table(page)
    assert headers == [
        "Métier",
        "Indicateur (2019)",
        "Facteur A (2019)",
        "Indicateur (2021)",
        "Facteur A (2021)",
    ]
    assert rows == [
        ["Cuisinier de collectivité", "5", "non publié", "4", "3"],
        ["Vendeur", "2", "non publié", "1", "2"],
    ]


def test_categories_the_axis_shortens_read_whole(page) -> None:  # type: ignore[no-untyped-def]
    # A métier's name cut to fit the axis; the figure gives it whole (`meta.labels`).
    whole = "Conduite d'engins de terrassement et de carrière (F1302)"
    _draw(
        page,
        "[{type: 'bar', orientation: 'h', name: 'Projets', x: [12, 7],"
        " y: ['Conduite d&#x27;engins de terrassement et… (F1302)', 'Soudage (H2913)'],"
        " meta: {labels: ['Conduite d&#x27;engins de terrassement et de carrière (F1302)',"
        " 'Soudage (H2913)']}}], {}",
    )

    assert page.locator(".cnam-chart-caption").inner_text() == (
        f"Projets : de 12 ({whole}) à 7 (Soudage (H2913)) ; maximum 12 ({whole}), "
        "minimum 7 (Soudage (H2913))."
    )
    _, rows = _data_table(page)
    assert rows == [[whole, "12"], ["Soudage (H2913)", "7"]]
