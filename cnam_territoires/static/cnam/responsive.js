/* Tables wider than the screen scroll inside their container (app.css): such a container is
   made reachable and scrollable with the keyboard (tabindex, named region), as axe's
   `scrollable-region-focusable` asks. Re-checked when the window is resized, the fonts are in, a table changes size or is added
   (event `cnam:content`). No dependency. */
(function () {
  "use strict";
  var SELECTOR = ".fr-table, .fr-table__wrapper, .fr-table__container, .fr-table__content, .fr-table__shadow, .cnam-table-scroll, main table, main pre";

  function nameOf(box) {
    if (box.tagName === "PRE") { return "Texte préformaté (défilement horizontal)"; }
    var caption = box.querySelector("caption");
    var text = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "";
    return (text ? "Tableau : " + text : "Tableau") + " (défilement horizontal)";
  }
  function update() {
    document.querySelectorAll(SELECTOR).forEach(function (box) {
      // Either way, by any amount: axe flags a region that scrolls by more than 13 px.
      var scrollsY = box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY);
      var scrolls = box.scrollWidth > box.clientWidth || scrollsY;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (box.tagName !== "TABLE") {  // a table keeps its role, named by its caption
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", nameOf(box));
        }
        box.setAttribute("data-cnam-scroll", "");
      } else if (!scrolls && box.hasAttribute("data-cnam-scroll")) {
        (box.tagName === "TABLE" ? ["tabindex", "data-cnam-scroll"] : ["tabindex", "role", "aria-label", "data-cnam-scroll"]).forEach(function (a) { box.removeAttribute(a); });
      }
    });
  }
  var timer;
  function soon() { window.clearTimeout(timer); timer = window.setTimeout(update, 150); }
  if (document.readyState !== "loading") { update(); } else { document.addEventListener("DOMContentLoaded", update); }
  window.addEventListener("load", update);
  // The layout can still move after `load`: web fonts swapped in (wider text), DSFR's scripts.
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(update); }
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(soon);
    document.querySelectorAll("main table, main pre").forEach(function (box) { observer.observe(box); });
  }
  window.addEventListener("resize", soon);
  document.addEventListener("toggle", soon, true);  // a <details> table opened
  // A table added after the load (the report's long tables, fetched when opened: diagnostic.js
  // sends this event on the container it filled).
  document.addEventListener("cnam:content", function (event) {
    if (window.ResizeObserver) {
      event.target.querySelectorAll("table, pre").forEach(function (box) { observer.observe(box); });
    }
    update();
  });
})();
