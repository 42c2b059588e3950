// Theme chooser: with JavaScript the choice applies as soon as it is picked, without
// reloading the page (so focus stays on the menu); the form still posts it so the
// server remembers it in a cookie. Without JavaScript the Apply button does the same.
(function () {
  var form = document.querySelector(".theme-form");
  if (!form || !window.fetch) return;
  var select = form.querySelector("select");
  form.querySelector("button[type=submit]").hidden = true;

  select.addEventListener("change", function () {
    document.documentElement.setAttribute("data-theme", select.value);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual",
    }).catch(function () {
      form.submit();
    });
  });
})();

// Transcript upload (templates/sessions/_upload_form.html): the form posts to S3, which
// answers a refused upload with a bare XML page. So the checks S3 would make are made
// here first (size, an expired form), and the file's name travels along as metadata.
(function () {
  document.querySelectorAll(".upload-form").forEach(function (form) {
    var file = form.querySelector("input[type=file]");
    var status = form.querySelector(".upload-status");
    var maxBytes = Number(form.dataset.maxBytes);
    var expiresAt = Number(form.dataset.expiresAt);

    form.addEventListener("submit", function (event) {
      var chosen = file.files[0];
      if (!chosen) return;
      var problem = null;
      if (chosen.size === 0) problem = "This file is empty.";
      else if (chosen.size > maxBytes)
        problem = "This file is " + (chosen.size / 1048576).toFixed(1) + " MB; transcripts can be up to " +
          Math.round(maxBytes / 1048576) + " MB.";
      if (problem) {
        event.preventDefault();
        status.textContent = problem;
        status.classList.add("upload-error");
        return;
      }
      if (Date.now() / 1000 > expiresAt - 30) {
        event.preventDefault();
        status.textContent = "This form has expired. Reloading the page: choose your file again.";
        window.location.reload();
        return;
      }
      form.querySelector("input[name='x-amz-meta-filename']").value = encodeURIComponent(chosen.name);
      status.classList.remove("upload-error");
      status.textContent = "Uploading " + chosen.name + "…";
      form.querySelector("button[type=submit]").disabled = true;
    });
  });

  // "Checking your transcript": post the confirmation at once (a button without script).
  document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
    form.querySelector("button[type=submit]").disabled = true;
    form.submit();
  });
})();

// Summary jobs (templates/sessions/_summaries.html, templates/campaigns/story.html): while
// a job is queued or running, the status line names a URL that answers
// {"status", "label", "active"}. Ask it quickly at first and back off (the delays in
// data-summary-poll-ms, e.g. 0.5 s, 0.75, 1.1, 1.7, then every 2 s: a summary that takes
// half a second shows after about half a second), every 5 s after the first minute; stop
// after ten, leaving the Refresh link. Show the label, and reload the page once the job
// has ended so its summaries (or its reason for failing) show. No JavaScript: the page
// refreshes itself (a <noscript> meta refresh, sooner while the job is young) until it ends.
(function () {
  var line = document.querySelector("[data-summary-status-url]");
  if (!line || !window.fetch) return;
  var url = line.getAttribute("data-summary-status-url");
  var text = line.querySelector("[data-summary-status-text]") || line;
  var started = Date.now();
  var delays = (line.getAttribute("data-summary-poll-ms") || "2000").split(",").map(Number).filter(function (ms) {
    return ms > 0;
  });
  if (!delays.length) delays = [2000];
  var polls = 0;
  var SLOW = 5000, SLOW_AFTER = 60 * 1000, GIVE_UP_AFTER = 10 * 60 * 1000;

  function later() {
    var elapsed = Date.now() - started;
    if (elapsed > GIVE_UP_AFTER) return;
    var delay = elapsed > SLOW_AFTER ? SLOW : delays[Math.min(polls, delays.length - 1)];
    polls += 1;
    window.setTimeout(check, delay);
  }

  function check() {
    fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (response) {
        // Signed out (a redirect to log in) or the job is gone: the page itself says what now.
        if (response.type === "opaqueredirect" || response.status === 404) {
          window.location.reload();
          return null;
        }
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (!job) return;
        if (job.label && text.textContent !== job.label) text.textContent = job.label;
        if (job.active) later();
        else window.location.reload();
      })
      .catch(later); // a network hiccup: try again at the next tick
  }

  later();
})();

// Copy buttons (templates/sessions/share_created.html): a share link is shown once, so
// copying it must not depend on selecting 90 characters on a phone. The button is hidden
// in the page and shown only where the clipboard can be written (a secure context); a
// tap in the box selects the whole link either way.
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var status = button.parentNode.querySelector(".copy-status");
    function say(text) {
      if (status) status.textContent = text;
    }
    field.addEventListener("focus", function () {
      field.select();
    });
    if (!navigator.clipboard || !window.isSecureContext) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          say("Copied. Paste it where you send it: it will not be shown again.");
        },
        function () {
          field.focus();
          say("Could not copy: the link is selected, copy it with Ctrl+C (or Copy on a phone).");
        }
      );
    });
  });
})();

// The share form's names warning (templates/sessions/share_manage.html): the page lists,
// for each scope, the names a link of that scope would show; here only the picked scope's
// line shows, and the warning hides while the picked scope shows no names.
(function () {
  var warning = document.querySelector("[data-share-names-warning]");
  var form = warning && warning.closest("form");
  if (!form) return;
  var lines = warning.querySelectorAll("[data-share-scope]");
  function update() {
    var picked = form.querySelector("input[name=scope]:checked");
    var shown = false;
    lines.forEach(function (line) {
      line.hidden = !picked || line.getAttribute("data-share-scope") !== picked.value;
      shown = shown || !line.hidden;
    });
    warning.hidden = !shown;
  }
  form.querySelectorAll("input[name=scope]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
