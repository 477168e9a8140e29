/* Every plotly figure of the site goes through here (loaded right after plotly.min.js).

   - French: plotly's "fr" locale (month names, decimal comma, thin-space thousands) and
     layout.separators ", " when a figure sets none.
   - No toolbar inside the chart (its seven English links were tab stops nested in role="img",
     axe `nested-interactive`): a small French toolbar after the chart instead (PNG, SVG, reset).
   - A text alternative: a caption with the chart's main message, worked out from its data, and
     the data table one key away (<details> right after the chart); for a map, the table lists
     what the hover shows, so nothing is reachable by mouse only.
   Printing (staticPlot) keeps the plain figure.
   - Drawn when near the screen: `Plotly.cnamDrawWhenNear` (used by figures.js and diagnostic.js)
     draws at once a chart within half a screen of the window, and the others when they come
     that close (IntersectionObserver); their caption, data table and tools are there from the
     start, the box keeps its height, and printing (beforeprint) or a tool's button draws them
     first. A report of 15 charts loaded in half the time and half the CPU. No dependency but
     plotly.js. */
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined" || window.Plotly.__cnamFrench) { return; }
  var Plotly = window.Plotly;

  Plotly.register({
    moduleType: "locale",
    name: "fr",
    dictionary: {
      "Autoscale": "Échelle automatique",
      "Box Select": "Sélection rectangulaire",
      "Double-click to zoom back out": "Double-cliquez pour dézoomer",
      "Download plot": "Télécharger le graphique",
      "Download plot as a PNG": "Télécharger le graphique en PNG",
      "Download plot as a png": "Télécharger le graphique en PNG",
      "Lasso Select": "Sélection lasso",
      "Pan": "Translation",
      "Produced with Plotly.js": "Généré avec Plotly.js",
      "Reset": "Réinitialiser",
      "Reset axes": "Réinitialiser les axes",
      "Reset view": "Réinitialiser",
      "Toggle Spike Lines": "Activer/désactiver les pics",
      "Zoom": "Zoom",
      "Zoom in": "Zoom intérieur",
      "Zoom out": "Zoom extérieur",
      "close:": "fermeture :",
      "high:": "haut :",
      "low:": "bas :",
      "open:": "ouverture :",
      "max:": "max. :",
      "mean:": "moyenne :",
      "median:": "médiane :",
      "min:": "min. :",
      "trace": "série"
    },
    format: {
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
        "oct.", "nov.", "déc."],
      date: "%d/%m/%Y",
      decimal: ",",
      thousands: "\u202f",
      year: "%Y",
      month: "%b %Y",
      dayMonth: "%-d %b",
      dayMonthYear: "%-d %b %Y"
    }
  });
  Plotly.setPlotConfig({ locale: "fr" });

  var numberFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });
  var counter = 0;

  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function plain(s) {
    return String(s).replace(/<br\s*\/?>/gi, " · ").replace(/<extra>.*?<\/extra>/gi, "")
      .replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim()
      // Labels are escaped for plotly (analytics.common.plotly_text); the text table and the
      // caption put them in textContent, so the entities are turned back into characters.
      .replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }
  function show(v) {
    if (v === null || v === undefined || v === "") { return "—"; }
    return isNumber(v) ? numberFormat.format(v) : plain(v);
  }
  function titleOf(t) { return t ? plain(typeof t === "string" ? t : (t.text || "")) : ""; }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function copy(obj) { return JSON.parse(JSON.stringify(obj || {})); }
  function asArray(v) { return Array.isArray(v) ? v : (v && v.length !== undefined && typeof v !== "string" ? Array.prototype.slice.call(v) : null); }

  function isMap(node, data, layout) {
    if (node.classList.contains("cnam-map") || node.classList.contains("cnam-map-chart")) { return true; }
    if ((layout.xaxis || {}).visible === false) { return true; }
    return data.some(function (t) {
      // A heatmap is a grid of values, not a map (its type only ends like one).
      return t.fill === "toself" || (t.type !== "heatmap" && /geo|mapbox|map$/.test(t.type || ""));
    });
  }

  // --- hover text → plain text (maps) -----------------------------------------------------
  function hoverOf(trace, i) {
    var own = asArray(trace.hovertext) || asArray(trace.text);
    var template = Array.isArray(trace.hovertemplate) ? trace.hovertemplate[i] : trace.hovertemplate;
    if (template) {
      return plain(String(template).replace(/%\{([a-z]+)(?:\[(\d+)\])?(?::[^}]*)?\}/gi, function (m, field, idx) {
        var source = trace[field];
        var v = Array.isArray(source) ? source[i] : source;
        if (idx !== undefined && Array.isArray(v)) { v = v[Number(idx)]; }
        return v === undefined ? "" : show(v);
      }));
    }
    if (own && own[i] !== undefined) { return plain(own[i]); }
    if (typeof trace.hovertext === "string") { return plain(trace.hovertext); }
    if (typeof trace.text === "string") { return plain(trace.text); }
    return "";
  }
  function mapRows(data) {
    var rows = [];
    var seen = {};
    data.forEach(function (trace) {
      if (trace.hoverinfo === "skip" || trace.hoverinfo === "none" || trace.visible === false) { return; }
      var perPoint = asArray(trace.hovertext) || asArray(trace.text) || Array.isArray(trace.hovertemplate) ||
        /%\{/.test(String(trace.hovertemplate || ""));
      var n = perPoint ? (asArray(trace.x) || asArray(trace.lon) || asArray(trace.locations) || []).length : 1;
      for (var i = 0; i < n; i += 1) {
        var text = hoverOf(trace, i);
        var key = (trace.name || "") + "|" + text;
        if (!text || seen[key]) { continue; }
        seen[key] = true;
        rows.push([plain(trace.name || ""), text]);
      }
    });
    return rows;
  }

  // --- category × series (charts) --------------------------------------------------------
  // A point's category as read: on a multicategory axis (x given as [outer level, inner
  // level], as the recommendation's waterfalls group criteria by pillar) the levels of the
  // point joined, « Demande · Projets / 1 000 hab. », not the level arrays themselves.
  function pointCategories(axisValues) {
    var labels = asArray(axisValues);
    if (!labels || !labels.length || !Array.isArray(labels[0])) { return labels; }
    var levels = labels.map(asArray);
    var inner = levels[levels.length - 1] || [];
    return inner.map(function (value, i) {
      return levels.map(function (level) { return level[i]; })
        .filter(function (v) { return v !== undefined && v !== null && v !== ""; })
        .map(plain).join(" · ");
    });
  }
  // A trace's categories on `axisValues`, given whole by the figure (`meta.labels`) where the
  // axis shortens them (« … »).
  function categoriesOf(trace, axisValues) {
    var labels = pointCategories(axisValues);
    var whole = trace.meta && asArray(trace.meta.labels);
    return whole && labels && whole.length === labels.length ? whole : labels;
  }

  // A series without a name: the only one of its chart reads as its value axis (« Projets
  // jugés difficiles »), or the chart's name; one among several, « série N ».
  function chartTable(data, layout, label) {
    var shown = data.filter(function (trace) { return trace.visible !== false; });
    var categories = [];
    var index = {};
    var series = [];
    var horizontal = false;
    data.forEach(function (trace, t) {
      if (trace.visible === false) { return; }
      var labels, values;
      if (trace.type === "pie") {
        labels = asArray(trace.labels); values = asArray(trace.values);
      } else if (trace.orientation === "h") {
        horizontal = true; labels = categoriesOf(trace, trace.y); values = asArray(trace.x);
      } else {
        labels = categoriesOf(trace, trace.x); values = asArray(trace.y);
      }
      if (!labels || !values) { return; }
      var column = {};
      labels.forEach(function (label, i) {
        var key = String(label);
        if (!(key in index)) { index[key] = categories.length; categories.push(label); }
        column[key] = values[i];
      });
      var unnamed = "série " + (t + 1);
      if (shown.length === 1) {
        var valueAxis = trace.type === "pie" ? null : (trace.orientation === "h" ? layout.xaxis : layout.yaxis);
        unnamed = titleOf((valueAxis || {}).title) || label || unnamed;
      }
      series.push({ name: plain(trace.name || unnamed), values: column });
    });
    var axis = horizontal ? layout.yaxis : layout.xaxis;
    var head = [titleOf((axis || {}).title) || "Catégorie"].concat(series.map(function (s) { return s.name; }));
    var rows = categories.map(function (c) {
      return [show(c)].concat(series.map(function (s) { return show(s.values[String(c)]); }));
    });
    return { head: head, rows: rows, series: series, categories: categories };
  }

  // --- heatmaps: one row per y, one column per x of each trace (its name when several) ------
  function heatmapTable(data, layout) {
    var heatmaps = data.filter(function (t) { return t.type === "heatmap" && t.visible !== false; });
    var head = [titleOf((layout.yaxis || {}).title) || "Ligne"];
    var order = [];
    var cells = {};
    heatmaps.forEach(function (trace) {
      var xs = pointCategories(trace.x) || [];
      var ys = categoriesOf(trace, trace.y) || [];
      var z = asArray(trace.z) || [];
      var text = asArray(trace.text);
      var suffix = heatmaps.length > 1 && trace.name ? " (" + plain(trace.name) + ")" : "";
      var first = head.length;
      xs.forEach(function (x) { head.push(plain(x) + suffix); });
      ys.forEach(function (y, i) {
        var key = String(y);
        if (!(key in cells)) { cells[key] = {}; order.push(y); }
        var values = asArray(z[i]) || [];
        var shown = text ? asArray(text[i]) : null;
        xs.forEach(function (x, j) {
          var label = shown && shown[j] !== undefined && shown[j] !== null && shown[j] !== "" ? plain(shown[j]) : show(values[j]);
          cells[key][first + j] = label;
        });
      });
    });
    var rows = order.map(function (y) {
      var row = [show(y)];
      for (var k = 1; k < head.length; k += 1) { row.push(cells[String(y)][k] === undefined ? "—" : cells[String(y)][k]); }
      return row;
    });
    return { head: head, rows: rows };
  }
  function plural(n, word) { return n + " " + word + (n > 1 ? "s" : ""); }

  function mainMessage(table) {
    var parts = [];
    table.series.slice(0, 3).forEach(function (s) {
      var pairs = table.categories.map(function (c) { return [c, s.values[String(c)]]; })
        .filter(function (p) { return isNumber(p[1]); });
      if (pairs.length < 2) {
        if (pairs.length === 1) { parts.push(s.name + " : " + show(pairs[0][1]) + " (" + show(pairs[0][0]) + ")"); }
        return;
      }
      var max = pairs[0], min = pairs[0];
      pairs.forEach(function (p) { if (p[1] > max[1]) { max = p; } if (p[1] < min[1]) { min = p; } });
      var first = pairs[0], last = pairs[pairs.length - 1];
      parts.push(s.name + " : de " + show(first[1]) + " (" + show(first[0]) + ") à " + show(last[1]) +
        " (" + show(last[0]) + ") ; maximum " + show(max[1]) + " (" + show(max[0]) + "), minimum " +
        show(min[1]) + " (" + show(min[0]) + ")");
    });
    return parts.join(". ") + (parts.length ? "." : "");
  }

  function buildTable(caption, head, rows) {
    var wrap = el("div", { "class": "fr-table fr-table--no-caption cnam-chart-table" });
    var inner = el("div", { "class": "fr-table__wrapper" });
    var container = el("div", { "class": "fr-table__container" });
    var content = el("div", { "class": "fr-table__content" });
    var table = el("table");
    table.appendChild(el("caption", {}, caption));
    var thead = el("thead");
    var tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", { scope: "col" }, h)); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (cell, i) { row.appendChild(el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {}, cell)); });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    content.appendChild(table); container.appendChild(content); inner.appendChild(container); wrap.appendChild(inner);
    return wrap;
  }

  function companions(node, data, layout, initial) {
    var anchor = node.closest("figure") || node;
    var next = anchor.nextElementSibling;
    if (next && next.classList.contains("cnam-chart-extra")) { next.remove(); }
    counter += 1;
    var id = node.id || ("cnam-chart-" + counter);
    var label = node.getAttribute("aria-label") || titleOf(layout.title) || "Graphique";
    if (!node.getAttribute("role")) { node.setAttribute("role", "img"); }
    if (!node.getAttribute("aria-label")) { node.setAttribute("aria-label", label); }

    var box = el("div", { "class": "cnam-chart-extra" });
    var map = isMap(node, data, layout);
    var head, rows, message;
    if (map) {
      rows = mapRows(data);
      head = ["Élément", "Détail"];
      message = !rows.length ? "" : "Carte : " + plural(rows.length, "élément") +
        " décrit" + (rows.length > 1 ? "s" : "") + " dans le tableau ci-dessous (ce que montre le survol).";
    } else if (data.some(function (t) { return t.type === "heatmap"; })) {
      var grid = heatmapTable(data, layout);
      head = grid.head; rows = grid.rows;
      message = !rows.length || node.hasAttribute("data-no-table") ? "" : "Carte de chaleur de " +
        plural(rows.length, "ligne") + " et " + plural(head.length - 1, "colonne") +
        " : ses valeurs sont dans le tableau ci-dessous.";
    } else {
      var t = chartTable(data, layout, label);
      head = t.head; rows = t.rows;
      message = mainMessage(t);
    }
    var own = anchor.tagName === "FIGURE" && anchor.querySelector("figcaption");
    if (message) {
      var caption = el("p", { "class": "fr-text--sm fr-mb-1v cnam-chart-caption", id: id + "-message" }, message);
      box.appendChild(caption);
      node.setAttribute("aria-describedby", caption.id);
    } else if (own && !own.id) {
      own.id = id + "-caption";
    }
    if (rows.length && !node.hasAttribute("data-no-table")) {
      var details = el("details", { "class": "cnam-chart-data" });
      details.appendChild(el("summary", {}, map ? "Données de la carte (tableau)" : "Données du graphique (tableau)"));
      details.appendChild(buildTable(label, head, rows));
      box.appendChild(details);
    }
    var tools = el("div", { "class": "cnam-chart-tools", role: "group", "aria-label": "Outils du graphique : " + label });
    [["png", "Télécharger l'image (PNG)"], ["svg", "Télécharger l'image (SVG)"]].forEach(function (f) {
      var b = el("button", { type: "button", "class": "fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-download-line fr-btn--icon-left" }, f[1]);
      b.addEventListener("click", function () {
        drawPending(node);
        Plotly.downloadImage(node, { format: f[0], filename: id, width: node.offsetWidth || 800, height: node.offsetHeight || 450 });
      });
      tools.appendChild(b);
    });
    var reset = el("button", { type: "button", "class": "fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-refresh-line fr-btn--icon-left" }, "Réinitialiser la vue");
    reset.addEventListener("click", function () {
      drawPending(node);
      Plotly.react(node, node.data, copy(initial));
    });
    tools.appendChild(reset);
    box.appendChild(tools);
    anchor.parentNode.insertBefore(box, anchor.nextSibling);
  }

  var original = Plotly.newPlot;

  // The arguments as every chart of the site is drawn: French, no toolbar, the layout as given
  // kept for « Réinitialiser la vue ».
  function prepared(target, data, layout, config) {
    var node = typeof target === "string" ? document.getElementById(target) : target;
    if (data && !Array.isArray(data) && data.data) {  // newPlot(el, figure)
      config = data.config; layout = data.layout; data = data.data;
    }
    data = data || [];
    layout = layout || {};
    config = Object.assign({}, config || {});
    if (!layout.separators) { layout.separators = ", "; }
    config.locale = "fr";
    config.displaylogo = false;
    config.displayModeBar = false;
    delete config.modeBarButtonsToRemove;
    return { node: node, data: data, layout: layout, config: config, initial: copy(layout) };
  }

  function drawn(p) {
    var result = original.call(Plotly, p.node, p.data, p.layout, p.config);
    if (p.node && !p.config.staticPlot) {
      try { companions(p.node, p.data, p.layout, p.initial); } catch (e) { /* the chart stays, without its extras */ }
    }
    return result;
  }
  Plotly.newPlot = function (target, data, layout, config) {
    return drawn(prepared(target, data, layout, config));
  };

  // --- Drawn when near the screen ---------------------------------------------------------
  var NEAR = 0.5;  // of the window's height, above and below it
  var observer = typeof window.IntersectionObserver === "function" ?
    new window.IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { if (entry.isIntersecting) { drawPending(entry.target); } });
    }, { rootMargin: (NEAR * 100) + "% 0px" }) : null;

  function drawPending(node) {
    var p = node && node.__cnamPending;
    if (!p) { return; }
    delete node.__cnamPending;
    if (observer) { observer.unobserve(node); }
    node.removeAttribute("data-chart-pending");
    node.style.minHeight = p.minHeight;
    original.call(Plotly, node, p.data, p.layout, p.config);
  }
  function drawAllPending() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart-pending]"), drawPending);
  }

  function near(node) {
    var box = node.getBoundingClientRect();
    var height = window.innerHeight || document.documentElement.clientHeight;
    return box.bottom >= -NEAR * height && box.top <= (1 + NEAR) * height &&
      (box.width > 0 || box.height > 0);
  }

  Plotly.cnamDrawWhenNear = function (target, data, layout, config) {
    var p = prepared(target, data, layout, config);
    if (!p.node || !observer || p.config.staticPlot || near(p.node)) { return drawn(p); }
    // Its text alternative and tools now; the plot itself once it comes near the screen. The
    // box keeps the height the chart will have, so that the page does not jump.
    try { companions(p.node, p.data, p.layout, p.initial); } catch (e) { /* drawn without its extras */ }
    p.minHeight = p.node.style.minHeight;
    p.node.style.minHeight = (p.layout.height || 450) + "px";
    p.node.__cnamPending = p;
    p.node.setAttribute("data-chart-pending", "");
    observer.observe(p.node);
    return Promise.resolve(p.node);
  };
  Plotly.cnamDrawPending = drawAllPending;
  window.addEventListener("beforeprint", drawAllPending);

  Plotly.__cnamFrench = true;
})();
