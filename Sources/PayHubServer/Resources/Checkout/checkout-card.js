// PayHub's card page: the provider's script (Stripe.js, loaded before this file) draws the card fields; on Pay,
// it turns them into a token, which the form sends to PayHub instead of the card. The card never reaches PayHub.
// Without JavaScript the page says that the fields need it, and offers the other methods.
"use strict";
(function () {
  var form = document.getElementById("card-form");
  var node = document.getElementById("card-fields");
  var error = document.getElementById("card-error");
  var button = document.getElementById("pay-button");
  if (!form || !node || !error || !button) return;

  var fallback = form.getAttribute("data-card-failed") || "";
  var say = function (message) {
    error.textContent = message || fallback;
    error.hidden = false;
  };
  if (typeof window.Stripe !== "function") { say(fallback); return; }

  var stripe = window.Stripe(node.getAttribute("data-key"), { locale: node.getAttribute("data-locale") || "auto" });
  var text = window.getComputedStyle(document.body);
  var card = stripe.elements().create("card", {
    hidePostalCode: true,
    style: { base: { color: text.color, fontFamily: text.fontFamily, fontSize: "16px" } }
  });
  card.mount(node);
  button.hidden = false;
  // Stripe.js reports what is wrong while the card is typed; a corrected card clears the message.
  card.on("change", function (event) {
    if (event && event.error) say(event.error.message); else error.hidden = true;
  });

  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    error.hidden = true;
    button.setAttribute("aria-disabled", "true");
    var again = function (message) {
      busy = false;
      delete form.dataset.sent;  // checkout.js holds a sent form; this one may be sent again
      button.removeAttribute("aria-disabled");
      say(message);
    };
    stripe.createToken(card).then(function (result) {
      if (!result || result.error || !result.token || !result.token.id) {
        again(result && result.error && result.error.message);
        return;
      }
      form.querySelector("input[name=card_token]").value = result.token.id;
      form.submit();
    }, function () { again(fallback); });
  });
})();
