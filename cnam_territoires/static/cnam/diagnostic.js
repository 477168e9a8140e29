/* Diagnostic report: draws the plotly figures, sorts the tables, polls the progress of a run,
   and prints. No dependency but plotly.js (served from our static files). */
(function () {
  "use strict";
  var isPrint = document.body.classList.contains("cnam-print-doc");

  // --- Figures ------------------------------------------------------------------------------
  function drawFigures() {
    var data = document.getElementById("diagnostic-figures");
    if (!data || typeof Plotly === "undefined") { return; }
    var figures = JSON.parse(data.textContent);
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var fig = figures[el.getAttribute("data-figure")];
      if (!fig) { return; }
      var layout = fig.layout || {};
      if (isPrint) {
        // A4 text width at 96 dpi, static rendering (no hover, no toolbar).
        layout.width = el.classList.contains("cnam-map-chart") ? 330 : 680;
        layout.height = Math.min(layout.height || 380, el.classList.contains("cnam-map-chart") ? 340 : 320);
      }
      // On screen: drawn as it comes near the window (charts.js); in print: all of them now.
      var draw = !isPrint && Plotly.cnamDrawWhenNear ? Plotly.cnamDrawWhenNear : Plotly.newPlot;
      draw(el, fig.data, layout, {
        responsive: !isPrint,
        staticPlot: isPrint,
        displaylogo: false,
        locale: "fr",
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
      });
    });
  }

  // --- Sortable tables --------------------------------------------------------------------
  function sortKey(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null || raw === "") { return null; }
    var n = Number(raw);
    return isNaN(n) ? raw : n;
  }
  function compare(a, b) {
    if (a === b) { return 0; }
    if (a === null) { return 1; }   // unknown values last, whatever the direction
    if (b === null) { return -1; }
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    return String(a).localeCompare(String(b), "fr", { numeric: true });
  }
  function setupSorting(root) {
    root.querySelectorAll("table.cnam-sortable").forEach(function (table) {
      table.querySelectorAll("button.cnam-sort").forEach(function (button) {
        button.addEventListener("click", function () {
          var th = button.closest("th");
          var column = Number(button.getAttribute("data-column"));
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (r1, r2) {
            var k1 = sortKey(r1.cells[column]), k2 = sortKey(r2.cells[column]);
            if (k1 === null || k2 === null) { return compare(k1, k2); }
            return ascending ? compare(k1, k2) : compare(k2, k1);
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  }

  // --- Long tables, fetched when opened ----------------------------------------------------
  // The report sends its long tables closed and without their rows (data-table-src): opening
  // one fetches its rows once (the same rows as its CSV / XLSX files), then sorts like the others.
  function loadTable(details) {
    var holder = details.querySelector("[data-table-src]");
    if (!holder || holder.getAttribute("data-state")) { return; }
    holder.setAttribute("data-state", "loading");
    holder.setAttribute("aria-busy", "true");
    var note = holder.querySelector("p");
    if (note) { note.textContent = "Chargement du tableau…"; }
    fetch(holder.getAttribute("data-table-src"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        holder.innerHTML = html;
        holder.setAttribute("data-state", "loaded");
        holder.removeAttribute("aria-busy");
        setupSorting(holder);
        holder.dispatchEvent(new CustomEvent("cnam:content", { bubbles: true }));
      })
      .catch(function () {
        holder.removeAttribute("data-state");
        holder.removeAttribute("aria-busy");
        if (note) {
          note.textContent = "Le tableau n'a pas pu être chargé : refermez-le et rouvrez-le pour réessayer, ou téléchargez-le en CSV ou XLSX ci-dessus.";
          holder.replaceChildren(note);
        }
      });
  }
  function setupLazyTables() {
    document.querySelectorAll("details.cnam-dtable").forEach(function (details) {
      if (!details.querySelector("[data-table-src]")) { return; }
      details.addEventListener("toggle", function () { if (details.open) { loadTable(details); } });
      if (details.open) { loadTable(details); }
    });
    // A link to a table (« #tableau-years »…) opens it, which loads it.
    function openFromHash() {
      var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target && target.matches("details.cnam-dtable")) { target.open = true; }
    }
    window.addEventListener("hashchange", openFromHash);
    openFromHash();
  }

  // --- Progress of a running diagnostic ---------------------------------------------------
  function pollProgress() {
    var report = document.querySelector(".cnam-report[data-progress-url]");
    if (!report) { return; }
    var status = report.getAttribute("data-status");
    if (status !== "pending" && status !== "running") { return; }
    var url = report.getAttribute("data-progress-url");
    var stepEl = document.querySelector("[data-progress-step]");
    var percentEl = document.querySelector("[data-progress-percent]");
    var bar = document.querySelector(".cnam-progress__bar");
    var titleEl = document.querySelector("[data-progress-title]");
    var titles = { pending: "En file d'attente", running: "Calcul en cours" };
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (stepEl) { stepEl.textContent = data.step || data.status_label; }
          // The heading follows the run: a run still queued when the page was built starts meanwhile.
          if (titleEl && titles[data.status]) { titleEl.textContent = titles[data.status]; }
          if (percentEl) { percentEl.textContent = data.percent; }
          if (bar) {
            bar.setAttribute("aria-valuenow", data.percent);
            bar.firstElementChild.style.width = data.percent + "%";
          }
          if (data.finished) { window.location.reload(); return; }
          window.setTimeout(tick, 1000);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    window.setTimeout(tick, 1000);
  }

  function setupPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // Printing from the page: short tables are printed open, as in the PDF; then restored.
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll(".cnam-dtable").forEach(function (d) {
        d.dataset.wasOpen = d.open ? "1" : "";
        if (!d.classList.contains("cnam-dtable--long")) { d.open = true; }
      });
    });
    window.addEventListener("afterprint", function () {
      document.querySelectorAll(".cnam-dtable").forEach(function (d) { d.open = d.dataset.wasOpen === "1"; });
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    drawFigures();
    setupSorting(document);
    setupLazyTables();
    pollProgress();
    setupPrint();
  });
})();
