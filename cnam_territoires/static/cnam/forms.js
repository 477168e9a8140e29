/* Small form behaviours, declared by data attributes (no inline handlers: the
   Content-Security-Policy forbids them). No dependency.

   - <select data-autosubmit>: submits its form when the value changes.
   - data-navigate-param="basin" on a <select> or its group: reloads the page with ?basin=<value> when it
     changes (e.g. the project form pre-fills from the chosen basin). */
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
    field.addEventListener("change", function () {
      if (field.form) { field.form.submit(); }
    });
  });
  document.querySelectorAll("[data-navigate-param]").forEach(function (box) {
    var field = box.tagName === "SELECT" ? box : box.querySelector("select");
    if (!field) { return; }
    field.addEventListener("change", function () {
      if (field.value) {
        window.location.search = "?" + box.getAttribute("data-navigate-param") + "=" + encodeURIComponent(field.value);
      }
    });
  });
})();
