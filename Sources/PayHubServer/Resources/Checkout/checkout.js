// PayHub hosted checkout: small improvements over pages that work without it.
// - A form sent once cannot be sent again while it is on its way (the server also makes a resent form one attempt).
// - The terms checkbox is checked before the form leaves, with the page's own message.
// - A pending page asks the server where the session stands instead of reloading, and moves on when it knows.
"use strict";
(function () {
  var body = document.body;

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var terms = form.querySelector("#terms");
      if (terms && !terms.checked) {
        event.preventDefault();
        terms.focus();
        var note = document.getElementById("terms-note");
        if (!note) {
          note = document.createElement("p");
          note.id = "terms-note";
          note.className = "notice error";
          note.setAttribute("role", "alert");
          note.textContent = form.getAttribute("data-terms-required") || "";
          terms.closest(".terms").after(note);
        }
        return;
      }
      if (form.dataset.sent === "yes") { event.preventDefault(); return; }
      form.dataset.sent = "yes";
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.setAttribute("aria-disabled", "true"); });
    });
  });

  var waiting = ["pending", "ussd", "qr", "bank_transfer"];
  var statusURL = body.getAttribute("data-status-url");
  if (statusURL && waiting.indexOf(body.getAttribute("data-screen")) >= 0) {
    // The page's <meta refresh> is the fallback; with the script, the page polls and only moves when needed.
    var refresh = document.querySelector("meta[http-equiv=refresh]");
    if (refresh) refresh.remove();
    var delay = 1500;
    var poll = function () {
      fetch(statusURL, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 429) {
            delay = Math.max(delay, (parseInt(response.headers.get("Retry-After") || "5", 10) || 5) * 1000);
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (state && (state.final || state.step === "failed" || state.step === "open")) {
            window.location.assign(state.next);
            return;
          }
          delay = Math.min(delay * 1.5, 10000);
          window.setTimeout(poll, delay);
        })
        .catch(function () { delay = Math.min(delay * 2, 15000); window.setTimeout(poll, delay); });
    };
    window.setTimeout(poll, delay);
  }

  var main = document.getElementById("main");
  var error = document.querySelector("[role=alert]");
  if (error && main) { main.focus(); }
})();
