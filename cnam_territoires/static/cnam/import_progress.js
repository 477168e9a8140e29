/* Import page: polls the batch's progress while it runs, then reloads. No dependency. */
(function () {
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.running !== "1") { return; }
  var url = box.dataset.progressUrl;
  var step = box.querySelector("[data-progress-step]");
  var percent = box.querySelector("[data-progress-percent]");
  var bar = box.querySelector(".cnam-progress__bar");
  var meter = box.querySelector("[role=progressbar]");
  var badge = document.querySelector("[data-import-status]");
  var kind = document.querySelector("[data-import-kind]");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        step.textContent = data.step || data.status_label;
        percent.textContent = data.percent;
        bar.style.width = data.percent + "%";
        meter.setAttribute("aria-valuenow", data.percent);
        if (badge) { badge.textContent = data.status_label; }
        if (kind && data.kind_label) { kind.textContent = data.kind_label; }
        if (data.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
