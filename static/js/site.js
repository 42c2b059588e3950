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
