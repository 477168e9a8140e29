/* Basin registration form: autocompletion from the territory search (progressive enhancement:
   without JavaScript, codes typed in the « Codes » field work the same). No dependency. */
(function () {
  "use strict";

  var form = document.querySelector("[data-basin-form]");
  if (!form || !window.fetch) { return; }

  var searchUrl = form.getAttribute("data-search-url");
  var codesField = form.querySelector("textarea[name=source_codes]");
  var mainTownField = form.querySelector("input[name=main_town]");
  var tagsList = form.querySelector("[data-code-tags]");
  var codesBox = form.querySelector("[data-autocomplete=codes]");
  var searchInput = codesBox ? codesBox.querySelector("input[type=search]") : null;
  var kindLabel = codesBox ? codesBox.querySelector("[data-kind-label]") : null;
  var labelsNode = document.getElementById("basin-code-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};

  var KINDS = {
    zone_emploi: { search: "zone_emploi", label: "une zone d'emploi", single: true },
    bassin_bmo: { search: "bassin_bmo", label: "un bassin BMO", single: true },
    epci: { search: "epci", label: "un EPCI", single: false },
    communes: { search: "commune", label: "une commune", single: false }
  };
  var NBSP = "\u202f";

  function currentKind() {
    var checked = form.querySelector("input[name=source_kind]:checked");
    return KINDS[checked ? checked.value : "zone_emploi"] || KINDS.zone_emploi;
  }

  function splitCodes(text) {
    var seen = {};
    return (text || "").split(/[\s,;]+/).filter(function (c) {
      if (!c || seen[c]) { return false; }
      seen[c] = true;
      return true;
    });
  }

  function formatPopulation(n) {
    if (n === null || n === undefined) { return "population inconnue"; }
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP) + NBSP + "hab.";
  }

  // --- Tags showing the codes of the « Codes » field, each removable ---------------------
  function renderTags() {
    if (!tagsList) { return; }
    tagsList.innerHTML = "";
    splitCodes(codesField.value).forEach(function (code) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "fr-tag fr-tag--sm fr-tag--dismiss";
      button.textContent = labels[code] || code;
      button.setAttribute("aria-label", "Retirer " + (labels[code] || code));
      button.addEventListener("click", function () {
        codesField.value = splitCodes(codesField.value).filter(function (c) { return c !== code; }).join(", ");
        renderTags();
        if (searchInput) { searchInput.focus(); }
      });
      li.appendChild(button);
      tagsList.appendChild(li);
    });
  }

  function addCode(item) {
    labels[item.code] = item.label;
    var codes = currentKind().single ? [] : splitCodes(codesField.value);
    if (codes.indexOf(item.code) === -1) { codes.push(item.code); }
    codesField.value = codes.join(", ");
    renderTags();
  }

  // --- A small accessible combobox ---------------------------------------------------------
  function combobox(input, list, kindOf, onPick) {
    var items = [];
    var active = -1;
    var timer = null;
    var lastQuery = "";
    var controller = null;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      items = [];
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      }
    }

    function pick(index) {
      var item = items[index];
      if (!item) { return; }
      close();
      onPick(item);
    }

    function show(results) {
      items = results;
      list.innerHTML = "";
      if (!results.length) {
        var empty = document.createElement("li");
        empty.className = "cnam-muted";
        empty.textContent = "Aucun résultat";
        list.appendChild(empty);
      }
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = item.label;
        var pop = document.createElement("span");
        pop.className = "cnam-muted";
        pop.textContent = formatPopulation(item.population);
        li.appendChild(name);
        li.appendChild(pop);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      if (q === lastQuery && !list.hidden) { return; }
      lastQuery = q;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var url = searchUrl + "?kind=" + encodeURIComponent(kindOf()) + "&q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller ? controller.signal : undefined })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (results) { if (input.value.trim() === q) { show(results); } })
        .catch(function () { /* aborted or offline: the field still takes typed codes */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 180);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter") { if (active >= 0) { event.preventDefault(); pick(active); } }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    return { close: close, reset: function () { lastQuery = ""; close(); } };
  }

  if (codesBox && searchInput && codesField) {
    codesBox.hidden = false;
    var codesCombo = combobox(searchInput, document.getElementById("territory-search-list"),
      function () { return currentKind().search; },
      function (item) { addCode(item); searchInput.value = ""; searchInput.focus(); });
    // Enter in the search box, with no suggestion highlighted, adds what was typed as codes
    // instead of submitting the form.
    searchInput.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.defaultPrevented) { return; }
      event.preventDefault();
      var typed = splitCodes(searchInput.value).filter(function (c) { return /\d/.test(c); });
      if (!typed.length) { return; }
      var codes = currentKind().single ? [] : splitCodes(codesField.value);
      typed.forEach(function (c) { if (codes.indexOf(c) === -1) { codes.push(c); } });
      codesField.value = (currentKind().single ? codes.slice(-1) : codes).join(", ");
      searchInput.value = "";
      codesCombo.close();
      renderTags();
    });
    function updateKind() {
      if (kindLabel) { kindLabel.textContent = currentKind().label; }
      searchInput.value = "";
      codesCombo.reset();
    }
    form.querySelectorAll("input[name=source_kind]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        // Codes of another kind of territory would be refused: start afresh.
        codesField.value = "";
        renderTags();
        updateKind();
      });
    });
    codesField.addEventListener("input", renderTags);
    if (kindLabel) { kindLabel.textContent = currentKind().label; }
    renderTags();
  }

  if (mainTownField) {
    var mainList = document.getElementById("main-town-list");
    mainTownField.setAttribute("role", "combobox");
    mainTownField.setAttribute("aria-autocomplete", "list");
    mainTownField.setAttribute("aria-expanded", "false");
    mainTownField.setAttribute("aria-controls", "main-town-list");
    mainTownField.setAttribute("placeholder", "Nom ou code INSEE");
    var hint = document.createElement("p");
    hint.className = "fr-hint-text fr-mt-1v";
    hint.setAttribute("aria-live", "polite");
    mainTownField.parentNode.insertBefore(hint, mainList.nextSibling);
    combobox(mainTownField, mainList, function () { return "commune"; }, function (item) {
      mainTownField.value = item.code;
      hint.textContent = item.label + " — " + formatPopulation(item.population);
    });
  }
})();
