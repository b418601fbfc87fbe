// papersift: votes without a reload, undo, and job progress. Plain JavaScript, no build step.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var LABELS = { up: "Up-voted", down: "Down-voted", save: "Saved", dismiss: "Dismissed" };

  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.detail || ("HTTP " + response.status)); }
        return data;
      });
    });
  }

  function showRating(form, rating, previous) {
    form.dataset.rating = rating || "";
    form.querySelectorAll("button[name=rating]:not(.undo)").forEach(function (b) {
      b.setAttribute("aria-pressed", b.value === rating ? "true" : "false");
    });
    var article = form.closest("article");
    if (article) { article.classList.toggle("dismissed", rating === "dismiss"); }
    var status = form.querySelector(".vote-status");
    status.textContent = "";
    if (rating) {
      status.appendChild(document.createTextNode((LABELS[rating] || rating) + ". "));
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "link undo";
      undo.textContent = "Undo";
      undo.addEventListener("click", function () { rate(form, previous || null, rating); });
      status.appendChild(undo);
    } else {
      status.appendChild(document.createTextNode(previous ? "Rating undone." : ""));
    }
  }

  function rate(form, rating, undoing) {
    var base = "/api/v1/profiles/" + encodeURIComponent(form.dataset.profile) + "/ratings";
    var paper = Number(form.dataset.paper);
    var request = rating ? api("POST", base, { paper: paper, rating: rating }) : api("DELETE", base + "/" + paper);
    return request.then(function (data) {
      // After an undo there is nothing to undo back to; after a vote, undo restores what was before.
      showRating(form, data.rating, undoing ? null : data.previous);
      if (undoing && !data.rating) { form.querySelector(".vote-status").textContent = "Rating undone."; }
      if (undoing && data.rating) { form.querySelector(".vote-status").textContent = "Back to " + (LABELS[data.rating] || data.rating).toLowerCase() + "."; }
    }).catch(function (error) {
      form.querySelector(".vote-status").textContent = "Not saved: " + error.message;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("vote")) { return; }
    var button = event.submitter;
    if (!button || !button.value) { return; }
    event.preventDefault();
    if (button.value === "undo") { rate(form, null, form.dataset.rating); return; }
    var current = form.dataset.rating || null;
    if (current === button.value) { rate(form, null, current); return; }  // pressing a pressed button takes the vote back
    rate(form, button.value).then(function () {
      if (form.dataset.rating === button.value && current) {
        var status = form.querySelector(".vote-status");
        if (status.firstChild) { status.firstChild.textContent = (LABELS[button.value] || button.value) + " (was " + current + "). "; }
      }
    });
  });

  function poll(element) {
    api("GET", "/api/v1/jobs/" + element.dataset.job).then(function (job) {
      element.querySelector(".job-state").textContent = job.state;
      element.querySelector(".job-message").textContent = job.message;
      var done = element.querySelector(".job-done");
      if (done) { done.textContent = job.done; }
      if (job.state === "done") {
        window.location.assign(element.dataset.doneUrl + "?notice=" + encodeURIComponent(job.message));
      } else if (job.state !== "failed") {
        setTimeout(function () { poll(element); }, 800);
      }
    }).catch(function () { setTimeout(function () { poll(element); }, 2000); });
  }
  document.querySelectorAll("[data-job]").forEach(poll);
})();
