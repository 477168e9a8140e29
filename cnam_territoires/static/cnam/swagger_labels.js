/* Swagger UI draws some buttons with an icon only: give them a French accessible name. */
(function () {
  var names = [
    ["copy-to-clipboard", "Copier dans le presse-papiers"],
    ["opblock-control-arrow", "Déplier ou replier l'opération"],
    ["authorization__btn", "Autorisation de cette opération"],
    ["expand-operation", "Déplier ou replier"],
    ["model-box-control", "Déplier ou replier le modèle"],
    ["models-control", "Déplier ou replier les schémas"],
    ["expand-methods", "Déplier ou replier"]
  ];
  function label() {
    document.querySelectorAll("#swagger-ui button").forEach(function (b) {
      if ((b.textContent || "").trim() || b.getAttribute("aria-label") || b.getAttribute("title")) { return; }
      var name = "Bouton";
      names.forEach(function (n) {
        if (b.classList.contains(n[0]) || (b.parentElement && b.parentElement.classList.contains(n[0]))) { name = n[1]; }
      });
      b.setAttribute("aria-label", name);
    });
  }
  new MutationObserver(label).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
})();
