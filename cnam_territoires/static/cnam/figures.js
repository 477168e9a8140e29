/* Draws every plotly figure whose data sits in a `json_script` block (no inline script: the
   Content-Security-Policy allows scripts from our static files only).

     <div id="plan-map" class="cnam-map" data-figure-json="plan-map-data"></div>
     {{ figure|json_script:"plan-map-data" }}

   Options on the element: data-figure-scroll-zoom (wheel zoom, maps), data-figure-keep-select
   (keep plotly's box/lasso select buttons). Charts inside DSFR tabs are resized when their tab
   is shown. Loaded after plotly.min.js and charts.js. */
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") { return; }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure-json"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    var config = { responsive: true, displaylogo: false, locale: "fr" };
    if (!el.hasAttribute("data-figure-keep-select")) {
      config.modeBarButtonsToRemove = ["select2d", "lasso2d"];
    }
    if (el.hasAttribute("data-figure-scroll-zoom")) {
      config.scrollZoom = true;
      config.modeBarButtonsToRemove = ["select2d", "lasso2d", "autoScale2d"];
    }
    // Drawn as it comes near the window (charts.js), its caption and data table at once.
    (window.Plotly.cnamDrawWhenNear || window.Plotly.newPlot)(el, figure.data, figure.layout, config);
  }

  document.querySelectorAll("[data-figure-json]").forEach(draw);

  document.querySelectorAll(".fr-tabs__tab").forEach(function (tab) {
    tab.addEventListener("click", function () {
      window.setTimeout(function () {
        // A chart not drawn yet (far from the window) has nothing to resize.
        document.querySelectorAll(".fr-tabs__panel--selected .js-plotly-plot[data-figure-json]").forEach(function (el) {
          window.Plotly.Plots.resize(el);
        });
      }, 50);
    });
  });
})();
