// PayHub's 3-D Secure page for Stripe: Stripe.js handles the challenge, then the customer comes back to PayHub.
(function () {
  var node = document.getElementById("payhub-stripe");
  var stripe = Stripe(node.dataset.key);
  stripe.handleNextAction({ clientSecret: node.dataset.secret }).then(function () {
    window.location.assign(node.dataset["return"]);
  });
})();
