/* PDF job page: polls the job's JSON status while it is queued or running, then reloads (the
   page then offers the file, or the error and « Relancer »). No dependency. */
(function () {
  var box = document.getElementById("pdf-job-progress");
  if (!box) { return; }
  var url = box.dataset.statusUrl;
  var step = box.querySelector("[data-progress-step]");
  var percent = box.querySelector("[data-progress-percent]");
  var bar = box.querySelector(".cnam-progress__bar > span");
  var meter = box.querySelector("[role=progressbar]");
  var badge = document.querySelector("[data-pdf-status]");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        step.textContent = data.step || data.status_label;
        percent.textContent = data.percent;
        if (bar) { bar.style.width = data.percent + "%"; }
        meter.setAttribute("aria-valuenow", data.percent);
        if (badge) { badge.textContent = data.status_label; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
