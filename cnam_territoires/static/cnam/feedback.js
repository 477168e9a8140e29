/* A visible, announced sign while a slow action runs (loaded on every page by base.html).

   - A POST form (launching a diagnostic, saving…) : on submit its submit button is disabled, shows
     a spinner, and an aria-live message says what is going on, so a second click does not send it
     twice and nobody waits in silence. `data-busy="message"` on the form sets the message;
     `data-busy="off"` leaves the form alone.
   - A link marked `data-busy` (the PDF report, 4–8 s to generate): the file is fetched in the
     background with the same sign, then handed to the browser as a download; on any error the
     browser simply follows the link, so the server's French error page is shown as before.
   No dependency. */
(function () {
  "use strict";
  var live;

  function announce(text) {
    if (!live) {
      live = document.createElement("div");
      live.className = "fr-sr-only";
      live.setAttribute("aria-live", "polite");
      live.setAttribute("role", "status");
      live.id = "cnam-busy-status";
      document.body.appendChild(live);
    }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function busy(control, text) {
    control.classList.add("cnam-busy");
    control.setAttribute("aria-busy", "true");
    if (control.tagName === "A") { control.setAttribute("aria-disabled", "true"); }
    var note = document.createElement("span");
    note.className = "cnam-busy__note";
    note.textContent = text;
    control.insertAdjacentElement("afterend", note);
    announce(text);
    return function done(finalText) {
      control.classList.remove("cnam-busy");
      control.removeAttribute("aria-busy");
      control.removeAttribute("aria-disabled");
      note.remove();
      if (finalText) { announce(finalText); }
    };
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) { return; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
    // getAttribute, not form.action: a field named "action" shadows that property.
    var target = form.getAttribute("action") || "";
    if (form.dataset.busy === "off" || target.indexOf("/deconnexion/") !== -1) { return; }
    var button = event.submitter || form.querySelector("[type=submit]");
    var text = form.dataset.busy || "Traitement en cours, merci de patienter…";
    // Disabled after the browser has taken the submitter's name and value into the request.
    window.setTimeout(function () {
      if (button) { button.disabled = true; busy(button, text); } else { announce(text); }
    }, 0);
  });

  function filename(response, href) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
    if (match) { return decodeURIComponent(match[1]); }
    return href.split("/").pop().split("?")[0] || "document";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    if (link.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    if (!window.fetch || !window.URL || !URL.createObjectURL) { return; }
    event.preventDefault();
    var href = link.href;
    var done = busy(link, link.dataset.busy || "Préparation du fichier, merci de patienter…");
    fetch(href, { credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("text/html") === 0) { throw new Error("page"); }
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          var a = document.createElement("a");
          a.href = url;
          a.download = filename(response, href);
          document.body.appendChild(a);
          a.click();
          a.remove();
          window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
          done("Fichier prêt : le téléchargement a commencé.");
        });
      })
      .catch(function () { done(); window.location.href = href; });
  });
})();
