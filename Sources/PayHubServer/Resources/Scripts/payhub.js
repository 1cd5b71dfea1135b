/*
 * payhub.js: PayHub's checkout inside a shop's own page. Plain JavaScript, no build step, no third-party code.
 *
 *   <div id="pay"></div>
 *   <script src="https://payhub.example/payhub.js"></script>
 *   <script>
 *     PayHub.mount(document.getElementById("pay"), {
 *       clientToken: "<client_token of the payment intent, created by the shop's server>",
 *       paymentIntent: "pi_...",
 *       onOutcome: function (result) { ... result.status, result.paymentIntent ... }
 *     });
 *   </script>
 *
 * It only uses the client-token API (the shop's secret key never reaches the browser), from an origin the merchant
 * allows in POST /v1/checkout_settings (allowed_origins). It renders the methods the merchant's checkout rules
 * offer, makes the attempt, handles every next_action in place and calls onOutcome once the payment is decided.
 * No inline styles: the look is in payhub.css (classes `payhub-*`, colours as CSS custom properties).
 */
(function (global) {
  "use strict";

  var scriptURL = document.currentScript && document.currentScript.src;
  var defaultAPIBase = scriptURL ? new URL(scriptURL).origin : global.location.origin;

  // ------------------------------------------------------------------------------------------------------------
  // Text, per locale.

  var MESSAGES = {
    en: {
      loading: "Loading…", choose: "Choose how to pay", pay: "Pay {amount}", paying: "Paying…",
      card: "Card", wallet: "Wallet", mobile_money: "Mobile money", bank_redirect: "Online banking", bnpl: "Pay later",
      bank_transfer: "Bank transfer", qr: "QR code",
      testCard: "Test card (sandbox)", testWallet: "Test wallet (sandbox)",
      country: "Country", phone: "Mobile phone number", phoneHint: "With the country code, for example +225 07 00 00 00 01.",
      phoneInvalid: "Enter a phone number of 8 to 15 digits.",
      otpTitle: "Enter the code", otp: "One-time code", confirm: "Confirm", otpInvalid: "Enter the code you received.",
      ussdTitle: "Confirm on your phone", waiting: "Waiting for the confirmation…",
      qrTitle: "Scan to pay", qrHelp: "Scan this code with your wallet app, then confirm the payment there.", qrData: "Payment code",
      transferTitle: "Pay by bank transfer", transferHelp: "Send a transfer with these details. Quote the reference exactly.",
      holder: "Account holder", iban: "IBAN", bic: "BIC", reference: "Reference", amount: "Amount",
      processing: "Your payment is being processed…", redirecting: "Taking you to your payment provider…",
      succeeded: "Payment successful", authorized: "Payment authorised",
      canceled: "This payment was canceled.", declined: "The payment was declined. Choose another way to pay or try again.",
      failed: "The payment could not be completed. Choose another way to pay or try again.",
      problem: "The payment cannot be shown", error: "Something went wrong. Please try again.", unreachable: "The payment service could not be reached. Check your connection and try again.",
      expired: "This payment page has expired. Reload the page to start again.", none: "No payment method is available for this payment.",
      tryAgain: "Try again", back: "Choose another way to pay",
      cardDetails: "Card details", cardInvalid: "The card could not be checked. Check the details you entered and try again.",
      cardUnavailable: "The card fields could not load. Choose another way to pay or try again."
    },
    it: {
      loading: "Caricamento…", choose: "Scegli come pagare", pay: "Paga {amount}", paying: "Pagamento in corso…",
      card: "Carta", wallet: "Portafoglio digitale", mobile_money: "Mobile money", bank_redirect: "Home banking", bnpl: "Paga dopo",
      bank_transfer: "Bonifico bancario", qr: "Codice QR",
      testCard: "Carta di prova (sandbox)", testWallet: "Portafoglio di prova (sandbox)",
      country: "Paese", phone: "Numero di cellulare", phoneHint: "Con il prefisso internazionale, per esempio +225 07 00 00 00 01.",
      phoneInvalid: "Inserisci un numero di telefono da 8 a 15 cifre.",
      otpTitle: "Inserisci il codice", otp: "Codice monouso", confirm: "Conferma", otpInvalid: "Inserisci il codice ricevuto.",
      ussdTitle: "Conferma sul telefono", waiting: "In attesa della conferma…",
      qrTitle: "Inquadra per pagare", qrHelp: "Inquadra questo codice con l'app del tuo portafoglio e conferma lì il pagamento.", qrData: "Codice di pagamento",
      transferTitle: "Paga con bonifico", transferHelp: "Invia un bonifico con questi dati. Riporta la causale esattamente.",
      holder: "Intestatario", iban: "IBAN", bic: "BIC", reference: "Causale", amount: "Importo",
      processing: "Stiamo elaborando il pagamento…", redirecting: "Ti stiamo portando al tuo fornitore di pagamento…",
      succeeded: "Pagamento riuscito", authorized: "Pagamento autorizzato",
      canceled: "Questo pagamento è stato annullato.", declined: "Il pagamento è stato rifiutato. Scegli un altro metodo o riprova.",
      failed: "Non è stato possibile completare il pagamento. Scegli un altro metodo o riprova.",
      problem: "Impossibile mostrare il pagamento", error: "Qualcosa è andato storto. Riprova.", unreachable: "Il servizio di pagamento non è raggiungibile. Controlla la connessione e riprova.",
      expired: "Questa pagina di pagamento è scaduta. Ricarica la pagina per ricominciare.", none: "Nessun metodo di pagamento disponibile per questo pagamento.",
      tryAgain: "Riprova", back: "Scegli un altro metodo",
      cardDetails: "Dati della carta", cardInvalid: "Non è stato possibile verificare la carta. Controlla i dati inseriti e riprova.",
      cardUnavailable: "Non è stato possibile caricare i campi della carta. Scegli un altro metodo o riprova."
    },
    fr: {
      loading: "Chargement…", choose: "Choisissez comment payer", pay: "Payer {amount}", paying: "Paiement en cours…",
      card: "Carte", wallet: "Portefeuille", mobile_money: "Mobile money", bank_redirect: "Banque en ligne", bnpl: "Payer plus tard",
      bank_transfer: "Virement bancaire", qr: "Code QR",
      testCard: "Carte de test (sandbox)", testWallet: "Portefeuille de test (sandbox)",
      country: "Pays", phone: "Numéro de mobile", phoneHint: "Avec l'indicatif du pays, par exemple +225 07 00 00 00 01.",
      phoneInvalid: "Saisissez un numéro de 8 à 15 chiffres.",
      otpTitle: "Saisissez le code", otp: "Code à usage unique", confirm: "Confirmer", otpInvalid: "Saisissez le code reçu.",
      ussdTitle: "Confirmez sur votre téléphone", waiting: "En attente de la confirmation…",
      qrTitle: "Scannez pour payer", qrHelp: "Scannez ce code avec l'application de votre portefeuille, puis confirmez le paiement.", qrData: "Code de paiement",
      transferTitle: "Payer par virement", transferHelp: "Envoyez un virement avec ces coordonnées. Indiquez la référence exactement.",
      holder: "Titulaire du compte", iban: "IBAN", bic: "BIC", reference: "Référence", amount: "Montant",
      processing: "Votre paiement est en cours de traitement…", redirecting: "Redirection vers votre prestataire de paiement…",
      succeeded: "Paiement réussi", authorized: "Paiement autorisé",
      canceled: "Ce paiement a été annulé.", declined: "Le paiement a été refusé. Choisissez un autre moyen ou réessayez.",
      failed: "Le paiement n'a pas pu aboutir. Choisissez un autre moyen ou réessayez.",
      problem: "Impossible d'afficher le paiement", error: "Une erreur s'est produite. Veuillez réessayer.", unreachable: "Le service de paiement est injoignable. Vérifiez votre connexion et réessayez.",
      expired: "Cette page de paiement a expiré. Rechargez la page pour recommencer.", none: "Aucun moyen de paiement n'est disponible pour ce paiement.",
      tryAgain: "Réessayer", back: "Choisir un autre moyen",
      cardDetails: "Informations de la carte", cardInvalid: "La carte n'a pas pu être vérifiée. Vérifiez les informations saisies et réessayez.",
      cardUnavailable: "Les champs de la carte n'ont pas pu se charger. Choisissez un autre moyen ou réessayez."
    },
    de: {
      loading: "Wird geladen…", choose: "Zahlungsart wählen", pay: "{amount} bezahlen", paying: "Zahlung läuft…",
      card: "Karte", wallet: "Wallet", mobile_money: "Mobile Money", bank_redirect: "Online-Banking", bnpl: "Später bezahlen",
      bank_transfer: "Banküberweisung", qr: "QR-Code",
      testCard: "Testkarte (Sandbox)", testWallet: "Test-Wallet (Sandbox)",
      country: "Land", phone: "Handynummer", phoneHint: "Mit Ländervorwahl, zum Beispiel +225 07 00 00 00 01.",
      phoneInvalid: "Geben Sie eine Telefonnummer mit 8 bis 15 Ziffern ein.",
      otpTitle: "Code eingeben", otp: "Einmalcode", confirm: "Bestätigen", otpInvalid: "Geben Sie den erhaltenen Code ein.",
      ussdTitle: "Auf dem Telefon bestätigen", waiting: "Warten auf die Bestätigung…",
      qrTitle: "Zum Bezahlen scannen", qrHelp: "Scannen Sie diesen Code mit Ihrer Wallet-App und bestätigen Sie dort die Zahlung.", qrData: "Zahlungscode",
      transferTitle: "Per Überweisung bezahlen", transferHelp: "Überweisen Sie mit diesen Angaben. Geben Sie den Verwendungszweck genau an.",
      holder: "Kontoinhaber", iban: "IBAN", bic: "BIC", reference: "Verwendungszweck", amount: "Betrag",
      processing: "Ihre Zahlung wird verarbeitet…", redirecting: "Sie werden zu Ihrem Zahlungsanbieter weitergeleitet…",
      succeeded: "Zahlung erfolgreich", authorized: "Zahlung autorisiert",
      canceled: "Diese Zahlung wurde storniert.", declined: "Die Zahlung wurde abgelehnt. Wählen Sie eine andere Zahlungsart oder versuchen Sie es erneut.",
      failed: "Die Zahlung konnte nicht abgeschlossen werden. Wählen Sie eine andere Zahlungsart oder versuchen Sie es erneut.",
      problem: "Die Zahlung kann nicht angezeigt werden", error: "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.", unreachable: "Der Zahlungsdienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
      expired: "Diese Zahlungsseite ist abgelaufen. Laden Sie die Seite neu.", none: "Für diese Zahlung ist keine Zahlungsart verfügbar.",
      tryAgain: "Erneut versuchen", back: "Andere Zahlungsart wählen",
      cardDetails: "Kartendaten", cardInvalid: "Die Karte konnte nicht geprüft werden. Prüfen Sie Ihre Angaben und versuchen Sie es erneut.",
      cardUnavailable: "Die Kartenfelder konnten nicht geladen werden. Wählen Sie eine andere Zahlungsart oder versuchen Sie es erneut."
    },
    es: {
      loading: "Cargando…", choose: "Elige cómo pagar", pay: "Pagar {amount}", paying: "Pagando…",
      card: "Tarjeta", wallet: "Monedero digital", mobile_money: "Dinero móvil", bank_redirect: "Banca en línea", bnpl: "Paga después",
      bank_transfer: "Transferencia bancaria", qr: "Código QR",
      testCard: "Tarjeta de prueba (sandbox)", testWallet: "Monedero de prueba (sandbox)",
      country: "País", phone: "Número de móvil", phoneHint: "Con el prefijo del país, por ejemplo +225 07 00 00 00 01.",
      phoneInvalid: "Introduce un número de 8 a 15 dígitos.",
      otpTitle: "Introduce el código", otp: "Código de un solo uso", confirm: "Confirmar", otpInvalid: "Introduce el código recibido.",
      ussdTitle: "Confirma en tu teléfono", waiting: "Esperando la confirmación…",
      qrTitle: "Escanea para pagar", qrHelp: "Escanea este código con la app de tu monedero y confirma allí el pago.", qrData: "Código de pago",
      transferTitle: "Paga por transferencia", transferHelp: "Envía una transferencia con estos datos. Indica la referencia exactamente.",
      holder: "Titular de la cuenta", iban: "IBAN", bic: "BIC", reference: "Referencia", amount: "Importe",
      processing: "Estamos procesando tu pago…", redirecting: "Te llevamos a tu proveedor de pago…",
      succeeded: "Pago realizado", authorized: "Pago autorizado",
      canceled: "Este pago se ha cancelado.", declined: "El pago ha sido rechazado. Elige otro método o vuelve a intentarlo.",
      failed: "No se ha podido completar el pago. Elige otro método o vuelve a intentarlo.",
      problem: "No se puede mostrar el pago", error: "Algo ha salido mal. Vuelve a intentarlo.", unreachable: "No se puede contactar con el servicio de pago. Comprueba tu conexión y vuelve a intentarlo.",
      expired: "Esta página de pago ha caducado. Recarga la página para empezar de nuevo.", none: "No hay ningún método de pago disponible para este pago.",
      tryAgain: "Reintentar", back: "Elegir otro método",
      cardDetails: "Datos de la tarjeta", cardInvalid: "No se ha podido comprobar la tarjeta. Revisa los datos introducidos e inténtalo de nuevo.",
      cardUnavailable: "No se han podido cargar los campos de la tarjeta. Elige otro método o inténtalo de nuevo."
    }
  };

  function pickLocale(requested) {
    var candidates = [requested].concat(global.navigator.languages || [global.navigator.language]);
    for (var i = 0; i < candidates.length; i++) {
      var tag = String(candidates[i] || "").toLowerCase().split(/[-_]/)[0];
      if (MESSAGES[tag]) return tag;
    }
    return "en";
  }

  // Sandbox test values (README "Sandbox test data"), offered only in test mode.
  var TEST_CARDS = [
    ["tok_visa", "Visa · succeeds"], ["tok_mastercard", "Mastercard · succeeds"], ["tok_declined", "Declined"],
    ["tok_insufficient_funds", "Insufficient funds"], ["tok_threeds", "3-D Secure"], ["tok_processing", "Processing, then succeeds"]
  ];
  var TEST_WALLETS = [
    ["tok_applepay", "Apple Pay · succeeds"], ["tok_googlepay", "Google Pay · succeeds"], ["paypal", "PayPal-like page"],
    ["qr", "QR code"], ["tok_wallet_declined", "Declined"]
  ];

  // Where mobile money is paid, with the countries' calling codes (a number typed with one picks its country).
  var MOBILE_MONEY_COUNTRIES = [
    ["CI", "225"], ["SN", "221"], ["CM", "237"], ["BF", "226"], ["ML", "223"], ["BJ", "229"], ["TG", "228"], ["GN", "224"],
    ["NE", "227"], ["CD", "243"], ["GA", "241"], ["GH", "233"], ["KE", "254"], ["UG", "256"], ["TZ", "255"], ["RW", "250"]
  ];

  // ------------------------------------------------------------------------------------------------------------
  // Small DOM helpers: text nodes only (never markup from data), classes only (never inline styles).

  function h(tag, attributes) {
    var node = document.createElement(tag);
    var attrs = attributes || {};
    Object.keys(attrs).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  var uniqueCounter = 0;
  function uniqueID(name) {
    uniqueCounter += 1;
    return "payhub-" + name + "-" + uniqueCounter;
  }

  function newIdempotencyKey() {
    if (global.crypto && global.crypto.randomUUID) return "payhubjs-" + global.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    global.crypto.getRandomValues(bytes);
    return "payhubjs-" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /// A provider's script (Stripe.js) for its card fields, added to the page once per URL.
  var providerScripts = {};
  function loadScript(url) {
    if (!providerScripts[url]) {
      providerScripts[url] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = function () { delete providerScripts[url]; reject(new Error("could not load " + url)); };
        document.head.appendChild(script);
      });
    }
    return providerScripts[url];
  }

  function ensureStylesheet(apiBase) {
    var href = apiBase + "/payhub.css";
    var links = document.querySelectorAll("link[data-payhub]");
    for (var i = 0; i < links.length; i++) if (links[i].getAttribute("href") === href) return;
    document.head.appendChild(h("link", { rel: "stylesheet", href: href, "data-payhub": "" }));
  }

  function tokenSubject(token) {
    try {
      var payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(payload)).sub;
    } catch (error) {
      return undefined;
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // The API, with the client token.

  function APIError(status, body) {
    var error = (body && body.error) || {};
    this.status = status;
    this.code = error.code || "unknown";
    this.type = error.type;
    this.message = error.message || "HTTP " + status;
    this.param = error.param;
    this.paymentIntent = error.payment_intent;
  }

  function Client(apiBase, token) {
    this.apiBase = apiBase;
    this.token = token;
  }

  /// A request; network failures and 429s are retried (POSTs keep their Idempotency-Key, so they pay once).
  Client.prototype.request = function (method, path, body, idempotencyKey) {
    var self = this;
    var headers = { Authorization: "Bearer " + this.token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    var tries = 0;
    function send() {
      tries += 1;
      return fetch(self.apiBase + path, {
        method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit", mode: "cors", cache: "no-store"
      }).then(function (response) {
        if (response.status === 429 && tries < 6) {
          var wait = Math.min(30, Math.max(1, parseInt(response.headers.get("Retry-After") || "1", 10) || 1));
          return sleep(wait * 1000).then(send);
        }
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok) throw new APIError(response.status, json);
          return json;
        });
      }, function (networkError) {
        if (tries < 3) return sleep(500 * tries).then(send);
        throw new APIError(0, { error: { code: "network_error", message: String(networkError) } });
      });
    }
    return send();
  };

  // ------------------------------------------------------------------------------------------------------------
  // QR codes: byte mode, error correction level M, versions 1 to 10 (up to 213 bytes), mask 0. ISO/IEC 18004.

  var QR = (function () {
    var ECC_PER_BLOCK = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
    var BLOCKS = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5];

    function rawModules(version) {
      var result = (16 * version + 128) * version + 64;
      if (version >= 2) {
        var align = Math.floor(version / 7) + 2;
        result -= (25 * align - 10) * align - 55;
        if (version >= 7) result -= 36;
      }
      return result;
    }

    function dataCodewords(version) {
      return Math.floor(rawModules(version) / 8) - ECC_PER_BLOCK[version - 1] * BLOCKS[version - 1];
    }

    function multiply(x, y) {
      var z = 0;
      for (var i = 7; i >= 0; i--) {
        z = (z << 1) ^ ((z >>> 7) * 0x11d);
        z ^= ((y >>> i) & 1) * x;
      }
      return z;
    }

    function divisor(degree) {
      var result = [];
      for (var i = 0; i < degree - 1; i++) result.push(0);
      result.push(1);
      var root = 1;
      for (var k = 0; k < degree; k++) {
        for (var j = 0; j < result.length; j++) {
          result[j] = multiply(result[j], root);
          if (j + 1 < result.length) result[j] ^= result[j + 1];
        }
        root = multiply(root, 0x02);
      }
      return result;
    }

    function remainder(data, div) {
      var result = div.map(function () { return 0; });
      data.forEach(function (b) {
        var factor = b ^ result.shift();
        result.push(0);
        div.forEach(function (coefficient, i) { result[i] ^= multiply(coefficient, factor); });
      });
      return result;
    }

    function encode(text) {
      var bytes = Array.prototype.slice.call(new TextEncoder().encode(text));
      var version = 1;
      for (; version <= 10; version++) {
        var countBits = version <= 9 ? 8 : 16;
        if (4 + countBits + bytes.length * 8 <= dataCodewords(version) * 8) break;
      }
      if (version > 10) return null;
      var bits = [];
      function push(value, length) { for (var i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1); }
      push(4, 4);
      push(bytes.length, version <= 9 ? 8 : 16);
      bytes.forEach(function (b) { push(b, 8); });
      var capacity = dataCodewords(version) * 8;
      push(0, Math.min(4, capacity - bits.length));
      push(0, (8 - (bits.length % 8)) % 8);
      for (var pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) push(pad, 8);
      var data = [];
      for (var b = 0; b < bits.length; b += 8) {
        var value = 0;
        for (var k = 0; k < 8; k++) value = (value << 1) | bits[b + k];
        data.push(value);
      }
      return { version: version, codewords: interleave(data, version) };
    }

    function interleave(data, version) {
      var blocks = BLOCKS[version - 1];
      var eccLength = ECC_PER_BLOCK[version - 1];
      var raw = Math.floor(rawModules(version) / 8);
      var shortBlocks = blocks - (raw % blocks);
      var shortLength = Math.floor(raw / blocks);
      var div = divisor(eccLength);
      var all = [];
      for (var i = 0, offset = 0; i < blocks; i++) {
        var length = shortLength - eccLength + (i < shortBlocks ? 0 : 1);
        var chunk = data.slice(offset, offset + length);
        offset += length;
        var block = chunk.concat(remainder(chunk, div));
        if (i < shortBlocks) block.splice(shortLength - eccLength, 0, 0);
        all.push(block);
      }
      var result = [];
      for (var column = 0; column < all[0].length; column++) {
        all.forEach(function (block, index) {
          if (column !== shortLength - eccLength || index >= shortBlocks) result.push(block[column]);
        });
      }
      return result;
    }

    function matrix(text) {
      var encoded = encode(text);
      if (!encoded) return null;
      var version = encoded.version;
      var size = version * 4 + 17;
      var modules = [], isFunction = [];
      for (var r = 0; r < size; r++) {
        modules.push(new Array(size).fill(false));
        isFunction.push(new Array(size).fill(false));
      }
      function set(x, y, dark) { modules[y][x] = dark; isFunction[y][x] = true; }

      for (var t = 0; t < size; t++) { set(6, t, t % 2 === 0); set(t, 6, t % 2 === 0); }
      [[3, 3], [size - 4, 3], [3, size - 4]].forEach(function (center) {
        for (var dy = -4; dy <= 4; dy++) {
          for (var dx = -4; dx <= 4; dx++) {
            var x = center[0] + dx, y = center[1] + dy;
            var distance = Math.max(Math.abs(dx), Math.abs(dy));
            if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, distance !== 2 && distance !== 4);
          }
        }
      });
      if (version > 1) {
        var count = Math.floor(version / 7) + 2;
        var step = Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
        var positions = [6];
        for (var p = size - 7; positions.length < count; p -= step) positions.splice(1, 0, p);
        positions.forEach(function (ay, i) {
          positions.forEach(function (ax, j) {
            var last = positions.length - 1;
            if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
            for (var dy = -2; dy <= 2; dy++) {
              for (var dx = -2; dx <= 2; dx++) set(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
            }
          });
        });
      }
      drawFormat(set, size, 0);
      if (version >= 7) {
        var rem = version;
        for (var v = 0; v < 12; v++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
        var versionBits = (version << 12) | rem;
        for (var n = 0; n < 18; n++) {
          var bit = ((versionBits >>> n) & 1) === 1;
          var a = size - 11 + (n % 3), c = Math.floor(n / 3);
          set(a, c, bit);
          set(c, a, bit);
        }
      }

      var codewords = encoded.codewords, index = 0;
      for (var right = size - 1; right >= 1; right -= 2) {
        if (right === 6) right = 5;
        for (var vert = 0; vert < size; vert++) {
          for (var j = 0; j < 2; j++) {
            var x = right - j;
            var upward = ((right + 1) & 2) === 0;
            var y = upward ? size - 1 - vert : vert;
            if (!isFunction[y][x] && index < codewords.length * 8) {
              modules[y][x] = ((codewords[index >>> 3] >>> (7 - (index & 7))) & 1) === 1;
              index++;
            }
          }
        }
      }
      for (var yy = 0; yy < size; yy++) {
        for (var xx = 0; xx < size; xx++) if (!isFunction[yy][xx] && (xx + yy) % 2 === 0) modules[yy][xx] = !modules[yy][xx];
      }
      return modules;
    }

    function drawFormat(set, size, mask) {
      var data = (0 << 3) | mask; // level M is 00
      var rem = data;
      for (var i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
      var bits = ((data << 10) | rem) ^ 0x5412;
      function bit(n) { return ((bits >>> n) & 1) === 1; }
      for (var a = 0; a <= 5; a++) set(8, a, bit(a));
      set(8, 7, bit(6));
      set(8, 8, bit(7));
      set(7, 8, bit(8));
      for (var b = 9; b < 15; b++) set(14 - b, 8, bit(b));
      for (var c = 0; c < 8; c++) set(size - 1 - c, 8, bit(c));
      for (var d = 8; d < 15; d++) set(8, size - 15 + d, bit(d));
      set(8, size - 8, true);
    }

    /// Draws `text` on a new canvas (4 modules of quiet zone); null when it is too long for version 10.
    function canvas(text, label) {
      var modules = matrix(text);
      if (!modules) return null;
      var scale = 5, quiet = 4, size = modules.length;
      var node = h("canvas", { class: "payhub-qr-canvas", role: "img", "aria-label": label });
      node.width = node.height = (size + quiet * 2) * scale;
      var context = node.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, node.width, node.height);
      context.fillStyle = "#000000";
      for (var y = 0; y < size; y++) {
        for (var x = 0; x < size; x++) if (modules[y][x]) context.fillRect((x + quiet) * scale, (y + quiet) * scale, scale, scale);
      }
      return node;
    }

    return { matrix: matrix, canvas: canvas };
  })();

  // ------------------------------------------------------------------------------------------------------------
  // The widget.

  function Checkout(element, options) {
    if (!element || !element.appendChild) throw new TypeError("PayHub.mount needs a DOM element");
    if (!options || !options.clientToken) throw new TypeError("PayHub.mount needs options.clientToken");
    this.element = element;
    this.options = options;
    this.apiBase = String(options.apiBase || defaultAPIBase).replace(/\/+$/, "");
    this.intentID = options.paymentIntent || tokenSubject(options.clientToken);
    if (!this.intentID) throw new TypeError("PayHub.mount needs options.paymentIntent");
    this.locale = pickLocale(options.locale);
    this.text = MESSAGES[this.locale];
    this.client = new Client(this.apiBase, options.clientToken);
    this.generation = 0;
    this.reported = false;
    this.returnKey = "payhub:redirect:" + this.intentID;
    ensureStylesheet(this.apiBase);
    this.root = h("div", { class: "payhub", lang: this.locale, "data-payhub-state": "loading" });
    this.live = h("div", { class: "payhub-live", role: "status", "aria-live": "polite" });
    this.body = h("div", { class: "payhub-body" });
    this.root.appendChild(this.live);
    this.root.appendChild(this.body);
    element.replaceChildren(this.root);
    this.start();
  }

  Checkout.prototype.t = function (key, values) {
    var text = this.text[key] || MESSAGES.en[key] || key;
    return text.replace(/\{(\w+)\}/g, function (_, name) { return values && values[name] !== undefined ? values[name] : ""; });
  };

  Checkout.prototype.money = function (amount, currency) {
    try {
      var format = new Intl.NumberFormat(this.locale, { style: "currency", currency: currency });
      var digits = format.resolvedOptions().maximumFractionDigits;
      return format.format(amount / Math.pow(10, digits));
    } catch (error) {
      return amount + " " + currency;
    }
  };

  /// Replaces the widget's content with a screen; moves the focus to its heading so keyboard and screen-reader
  /// users follow. A new screen makes older waits and polls stop (`generation`).
  Checkout.prototype.show = function (state, heading, nodes, announce) {
    this.generation += 1;
    this.root.setAttribute("data-payhub-state", state);
    var title = h("h2", { class: "payhub-title", tabindex: "-1", text: heading });
    var screen = h("div", { class: "payhub-screen payhub-screen-" + state }, title);
    (nodes || []).forEach(function (node) { if (node) screen.appendChild(node); });
    this.body.replaceChildren(screen);
    this.live.textContent = announce || heading;
    if (this.root.contains(document.activeElement) || document.activeElement === document.body || !document.activeElement) {
      title.focus({ preventScroll: true });
    }
    return this.generation;
  };

  Checkout.prototype.alert = function (message) {
    return h("p", { class: "payhub-alert", role: "alert", text: message });
  };

  Checkout.prototype.start = function () {
    var self = this;
    this.show("loading", this.t("loading"), [h("div", { class: "payhub-spinner", "aria-hidden": "true" })]);
    var returned = false;
    try { returned = global.sessionStorage.getItem(this.returnKey) === "1"; global.sessionStorage.removeItem(this.returnKey); } catch (e) { /* storage off */ }
    this.returned = returned;
    this.client.request("GET", "/v1/payment_intents/" + encodeURIComponent(this.intentID)).then(function (intent) {
      self.handle(intent, returned && intent.last_payment_error ? self.t("failed") : null);
      self.returned = false;
    }, function (error) { self.fail(error); });
  };

  /// Shows what the intent asks for now.
  Checkout.prototype.handle = function (intent, problem) {
    this.intent = intent;
    switch (intent.status) {
      case "succeeded": return this.finish("succeeded", intent);
      case "requires_capture": return this.finish("requires_capture", intent);
      case "canceled": return this.finish("canceled", intent);
      case "processing": return this.wait(intent, this.t("processing"), []);
      case "requires_action": return this.act(intent);
      default: return this.choose(intent, problem);
    }
  };

  Checkout.prototype.fail = function (error) {
    var self = this;
    var message = error.code === "client_token_invalid" ? this.t("expired") : error.status === 0 ? this.t("unreachable") : this.t("error");
    var retry = error.code === "client_token_invalid" ? null
      : h("button", { type: "button", class: "payhub-button payhub-secondary", text: this.t("tryAgain"), onclick: function () { self.start(); } });
    this.show("error", this.t("problem"), [this.alert(message), retry]);
  };

  Checkout.prototype.finish = function (status, intent) {
    var key = { succeeded: "succeeded", requires_capture: "authorized", canceled: "canceled" }[status];
    this.show(status, this.t(key), [
      h("p", { class: "payhub-amount", text: this.money(intent.amount, intent.currency) }),
      status === "canceled" ? null : h("div", { class: "payhub-check", "aria-hidden": "true" })
    ]);
    if (!this.reported) {
      this.reported = true;
      if (typeof this.options.onOutcome === "function") this.options.onOutcome({ status: status, paymentIntent: intent });
    }
  };

  // --- Choosing a method -------------------------------------------------------------------------------------

  Checkout.prototype.choose = function (intent, problem) {
    var self = this;
    this.show("loading", this.t("loading"), [h("div", { class: "payhub-spinner", "aria-hidden": "true" })]);
    this.client.request("GET", "/v1/payment_intents/" + encodeURIComponent(intent.id) + "/payment_methods").then(function (list) {
      self.renderChoice(intent, list.data.filter(function (method) { return self.canOffer(method, intent); }), problem);
    }, function (error) { self.fail(error); });
  };

  /// Card and wallet tokens come from the provider's own fields or sheet: a card whose provider sends its fields
  /// (`card_fields`, Stripe.js) is typed into them; otherwise only the sandbox's test values exist, so in live mode
  /// such cards are not offered (the hosted checkout takes them).
  Checkout.prototype.canOffer = function (method, intent) {
    return intent.livemode ? method.payment_method !== "card" || !!method.card_fields : true;
  };

  /// Mounts the provider's card fields in `slot`; resolves to what makes a token of the card typed there.
  Checkout.prototype.mountCardFields = function (config, slot, errorBox) {
    var self = this;
    var say = function (message) { errorBox.textContent = message; errorBox.classList.remove("payhub-hidden"); };
    var mounted = loadScript(config.script_url).then(function () {
      if (typeof global.Stripe !== "function") throw new Error("the card fields' script did not start");
      var stripe = global.Stripe(config.publishable_key, { locale: self.locale });
      var card = stripe.elements().create("card", { hidePostalCode: true });
      card.mount(slot);
      card.on("change", function (event) {
        if (event && event.error) say(event.error.message); else errorBox.classList.add("payhub-hidden");
      });
      return function () { return stripe.createToken(card); };
    });
    mounted.catch(function () { say(self.t("cardUnavailable")); });
    return mounted;
  };

  Checkout.prototype.renderChoice = function (intent, methods, problem) {
    var self = this;
    if (methods.length === 0) {
      this.show("unavailable", this.t("choose"), [this.alert(this.t("none"))]);
      return;
    }
    var form = h("form", { class: "payhub-form", novalidate: true });
    var fieldset = h("fieldset", { class: "payhub-methods" }, h("legend", { class: "payhub-legend", text: this.t("choose") }));
    var details = h("div", { class: "payhub-details" });
    var fields = {};
    var errorBox = h("p", { class: "payhub-alert payhub-hidden", role: "alert" });
    methods.forEach(function (method, index) {
      var id = uniqueID("method");
      var radio = h("input", {
        type: "radio", name: "payhub-method", id: id, value: String(index), class: "payhub-radio",
        "data-method": method.payment_method, checked: index === 0
      });
      radio.addEventListener("change", function () { renderDetails(); });
      fieldset.appendChild(h("div", { class: "payhub-option" }, radio,
        h("label", { for: id, class: "payhub-option-label", text: self.t(method.payment_method) })));
    });

    function selected() {
      var checked = form.querySelector("input[name=payhub-method]:checked");
      return methods[checked ? Number(checked.value) : 0];
    }

    function select(label, values, name) {
      var id = uniqueID(name);
      var node = h("select", { id: id, name: name, class: "payhub-select" });
      values.forEach(function (pair) { node.appendChild(h("option", { value: pair[0], text: pair[1] })); });
      fields[name] = node;
      return h("div", { class: "payhub-field" }, h("label", { for: id, class: "payhub-label", text: label }), node);
    }

    function renderDetails() {
      fields = {};
      errorBox.classList.add("payhub-hidden");
      var chosen = selected(), method = chosen.payment_method;
      var nodes = [];
      if (method === "card" && chosen.card_fields) {
        var label = uniqueID("card-label");
        var slot = h("div", { class: "payhub-card-fields", role: "group", "aria-labelledby": label });
        nodes.push(h("div", { class: "payhub-field" }, h("p", { id: label, class: "payhub-label", text: self.t("cardDetails") }), slot));
        fields.cardToken = self.mountCardFields(chosen.card_fields, slot, errorBox);
      } else if (method === "card" && !intent.livemode) {
        nodes.push(select(self.t("testCard"), TEST_CARDS, "card"));
      }
      if (method === "wallet" && !intent.livemode) nodes.push(select(self.t("testWallet"), TEST_WALLETS, "wallet"));
      if (method === "mobile_money") {
        var id = uniqueID("phone"), hint = uniqueID("phone-hint");
        var input = h("input", {
          id: id, name: "phone", type: "tel", inputmode: "tel", autocomplete: "tel", required: true,
          class: "payhub-input", "aria-describedby": hint, maxlength: "20"
        });
        if (self.options.phone) input.value = self.options.phone;
        fields.phone = input;
        var names = global.Intl && Intl.DisplayNames ? new Intl.DisplayNames([self.locale], { type: "region" }) : null;
        var countries = MOBILE_MONEY_COUNTRIES.map(function (pair) {
          return [pair[0], (names ? names.of(pair[0]) : pair[0]) + " (+" + pair[1] + ")"];
        });
        nodes.push(select(self.t("country"), countries, "country"));
        if (self.options.country) fields.country.value = String(self.options.country).toUpperCase();
        input.addEventListener("input", function () {
          errorBox.classList.add("payhub-hidden");
          input.removeAttribute("aria-invalid");
          var digits = input.value.replace(/[^0-9+]/g, "");
          MOBILE_MONEY_COUNTRIES.forEach(function (pair) { if (digits.indexOf("+" + pair[1]) === 0) fields.country.value = pair[0]; });
        });
        nodes.push(h("div", { class: "payhub-field" }, h("label", { for: id, class: "payhub-label", text: self.t("phone") }), input,
          h("p", { id: hint, class: "payhub-hint", text: self.t("phoneHint") })));
      }
      details.replaceChildren.apply(details, nodes);
    }

    var payLabel = this.t("pay", { amount: this.money(intent.amount, intent.currency) });
    var button = h("button", { type: "submit", class: "payhub-button", text: payLabel });
    form.appendChild(fieldset);
    form.appendChild(details);
    form.appendChild(errorBox);
    form.appendChild(button);
    renderDetails();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) return;
      var method = selected();
      var busy = function (on) {
        button.disabled = on;
        if (on) button.setAttribute("aria-busy", "true"); else button.removeAttribute("aria-busy");
        button.textContent = on ? self.t("paying") : payLabel;
      };
      busy(true);
      self.paymentMethodOf(method.payment_method, fields).then(function (paymentMethod) {
        if (paymentMethod.invalid) {
          busy(false);
          errorBox.textContent = paymentMethod.invalid;
          errorBox.classList.remove("payhub-hidden");
          if (fields.phone) { fields.phone.setAttribute("aria-invalid", "true"); fields.phone.focus(); }
          return;
        }
        var body = { payment_method: paymentMethod, return_url: self.returnURL() };
        if (method.provider) body.provider = method.provider;
        // One key per click: a double click, or a retry after a lost answer, pays once.
        self.client.request("POST", "/v1/payment_intents/" + encodeURIComponent(intent.id) + "/payments", body, newIdempotencyKey())
          .then(function (next) { self.handle(next); }, function (error) { self.refused(error, intent); });
      });
    });

    this.show("choose", this.t("choose"), [problem ? this.alert(problem) : null, form], problem || undefined);
    this.root.querySelector(".payhub-title").classList.add("payhub-visually-hidden");
  };

  /// The attempt's `payment_method`: a card typed into the provider's fields becomes its token first (the card
  /// itself goes to the provider only); `invalid` says what to fix.
  Checkout.prototype.paymentMethodOf = function (type, fields) {
    var self = this;
    if (type !== "card" || !fields.cardToken) return Promise.resolve(this.paymentMethod(type, fields));
    return fields.cardToken.then(function (tokenize) { return tokenize(); }).then(function (result) {
      if (!result || result.error || !result.token || !result.token.id) {
        return { invalid: (result && result.error && result.error.message) || self.t("cardInvalid") };
      }
      return { type: "card", token: result.token.id };
    }, function () { return { invalid: self.t("cardInvalid") }; });
  };

  Checkout.prototype.paymentMethod = function (type, fields) {
    switch (type) {
      case "card":
        return { type: "card", token: fields.card ? fields.card.value : undefined };
      case "wallet":
        if (!fields.wallet) return { type: "wallet" };
        var value = fields.wallet.value;
        return value.indexOf("tok_") === 0 ? { type: "wallet", token: value } : { type: "wallet", network: value };
      case "mobile_money":
        var phone = (fields.phone.value || "").replace(/[\s().-]/g, "");
        if (!/^\+?[0-9]{8,15}$/.test(phone)) return { invalid: this.t("phoneInvalid") };
        return { type: "mobile_money", msisdn: phone, country: fields.country.value };
      case "bank_redirect":
        return { type: "bank_redirect", network: "ideal" };
      default:
        return { type: type };
    }
  };

  /// Where a provider's page sends the customer back: this page, without a previous return's marker.
  Checkout.prototype.returnURL = function () {
    if (this.options.returnURL) return this.options.returnURL;
    var url = new URL(global.location.href);
    url.searchParams.delete("payment_intent");
    url.hash = "";
    return url.toString();
  };

  /// A refused attempt: a decline lets the customer choose again; a lost token or a broken page says so.
  Checkout.prototype.refused = function (error, intent) {
    if (typeof this.options.onFailure === "function") this.options.onFailure({ error: error, paymentIntent: error.paymentIntent || intent });
    if (error.status === 402 || (error.status === 400 && error.paymentIntent)) {
      return this.handle(error.paymentIntent || intent, error.status === 402 ? this.t("declined") : this.t("failed"));
    }
    if (error.status === 400 || error.status === 409) {
      var self = this;
      return this.client.request("GET", "/v1/payment_intents/" + encodeURIComponent(intent.id)).then(function (current) {
        self.handle(current, current.status === "requires_payment_method" ? self.t("failed") : null);
      }, function (lost) { self.fail(lost); });
    }
    return this.fail(error);
  };

  // --- next_action -------------------------------------------------------------------------------------------

  Checkout.prototype.act = function (intent) {
    var action = intent.next_action || {};
    switch (action.type) {
      case "redirect_to_url":
        // Back from the provider's page before its answer is recorded: wait for it rather than go there again.
        if (this.returned) return this.wait(intent, this.t("processing"), []);
        return this.redirect(action.redirect_to_url.url);
      case "otp": return this.askOTP(intent, action.otp && action.otp.message);
      case "ussd":
        return this.wait(intent, this.t("ussdTitle"), [h("p", { class: "payhub-message", text: action.ussd.message })]);
      case "display_qr_code": return this.showQR(intent, action.display_qr_code.data);
      case "display_bank_transfer_instructions": return this.showTransfer(intent, action.display_bank_transfer_instructions);
      default: return this.wait(intent, this.t("processing"), []);
    }
  };

  Checkout.prototype.redirect = function (url) {
    this.show("redirecting", this.t("redirecting"), [h("div", { class: "payhub-spinner", "aria-hidden": "true" })]);
    try { global.sessionStorage.setItem(this.returnKey, "1"); } catch (e) { /* storage off: the intent's state still tells */ }
    global.location.assign(url);
  };

  Checkout.prototype.askOTP = function (intent, message) {
    var self = this;
    var attempt = intent.payments[intent.payments.length - 1];
    var id = uniqueID("otp");
    var input = h("input", {
      id: id, name: "otp", type: "text", inputmode: "numeric", autocomplete: "one-time-code", required: true,
      class: "payhub-input payhub-otp", maxlength: "10"
    });
    var errorBox = h("p", { class: "payhub-alert payhub-hidden", role: "alert" });
    var button = h("button", { type: "submit", class: "payhub-button", text: this.t("confirm") });
    var form = h("form", { class: "payhub-form", novalidate: true },
      message ? h("p", { class: "payhub-message", text: message }) : null,
      h("div", { class: "payhub-field" }, h("label", { for: id, class: "payhub-label", text: this.t("otp") }), input),
      errorBox, button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) return;
      var code = input.value.trim();
      if (!code) {
        errorBox.textContent = self.t("otpInvalid");
        errorBox.classList.remove("payhub-hidden");
        input.focus();
        return;
      }
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      var path = "/v1/payment_intents/" + encodeURIComponent(intent.id) + "/payments/" + encodeURIComponent(attempt.id) + "/authenticate";
      self.client.request("POST", path, { otp: code }, newIdempotencyKey())
        .then(function (next) { self.handle(next); }, function (error) { self.refused(error, intent); });
    });
    this.show("otp", this.t("otpTitle"), [form]);
    input.focus();
  };

  Checkout.prototype.showQR = function (intent, data) {
    var canvas = QR.canvas(data, this.t("qrTitle"));
    this.wait(intent, this.t("qrTitle"), [
      h("p", { class: "payhub-message", text: this.t("qrHelp") }),
      canvas ? h("div", { class: "payhub-qr" }, canvas) : null,
      h("p", { class: "payhub-label", text: this.t("qrData") }),
      h("code", { class: "payhub-code payhub-qr-data", text: data })
    ]);
  };

  Checkout.prototype.showTransfer = function (intent, instructions) {
    var self = this;
    var list = h("dl", { class: "payhub-transfer" });
    [["holder", instructions.account_holder], ["iban", instructions.iban], ["bic", instructions.bic],
      ["reference", instructions.reference], ["amount", this.money(intent.amount, intent.currency)]].forEach(function (row) {
      list.appendChild(h("dt", { text: self.t(row[0]) }));
      list.appendChild(h("dd", { class: "payhub-code", "data-field": row[0], text: row[1] }));
    });
    this.wait(intent, this.t("transferTitle"), [h("p", { class: "payhub-message", text: this.t("transferHelp") }), list]);
  };

  /// Shows a waiting screen and reads the intent until it changes: 1 s, then longer (up to 10 s); 429s wait
  /// as long as Retry-After says (in `Client.request`).
  Checkout.prototype.wait = function (intent, heading, nodes) {
    var self = this;
    var generation = this.show(intent.status === "processing" ? "processing" : "waiting", heading,
      nodes.concat([h("p", { class: "payhub-waiting" }, h("span", { class: "payhub-spinner payhub-spinner-small", "aria-hidden": "true" }), this.t("waiting"))]));
    var delay = 1000;
    var before = JSON.stringify([intent.status, intent.next_action]);
    function poll() {
      if (generation !== self.generation) return;
      self.client.request("GET", "/v1/payment_intents/" + encodeURIComponent(intent.id)).then(function (current) {
        if (generation !== self.generation) return;
        if (JSON.stringify([current.status, current.next_action]) === before) {
          delay = Math.min(10000, delay * 1.5);
          setTimeout(poll, delay);
          return;
        }
        self.handle(current, current.status === "requires_payment_method" ? self.t("failed") : null);
      }, function (error) {
        if (generation !== self.generation) return;
        if (error.code === "client_token_invalid") return self.fail(error);
        delay = Math.min(10000, delay * 2);
        setTimeout(poll, delay);
      });
    }
    setTimeout(poll, delay);
  };

  Checkout.prototype.unmount = function () {
    this.generation += 1;
    this.root.remove();
  };

  global.PayHub = {
    version: "1",
    /// Renders the checkout for one payment intent into `element`; returns `{unmount()}`.
    mount: function (element, options) {
      var checkout = new Checkout(element, options);
      return { unmount: function () { checkout.unmount(); }, reload: function () { checkout.start(); } };
    },
    /// The QR encoder, for tests and for shops that show a code themselves: a matrix of booleans (true: dark).
    qrMatrix: function (text) { return QR.matrix(text); }
  };
})(window);
