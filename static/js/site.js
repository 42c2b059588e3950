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
