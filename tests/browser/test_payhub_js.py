"""payhub.js in a shop's own page (issue 7, section 3), in Chromium.

The shop's page is served by the test on its own origin (127.0.0.1:<port>, not PayHub's) under a strict
Content-Security-Policy: no inline script or style, connections to PayHub only. The test creates the payment
intent server-side with the secret key and allows the page's origin in /v1/checkout_settings; the page only
mounts payhub.js with the client token and writes the outcome callback into #outcome.
"""

from __future__ import annotations

import json

import pytest
import requests

pytest.importorskip("selenium", reason="selenium is not installed (python3 -m pip install selenium)")

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select  # noqa: E402

from conftest import wait_for  # noqa: E402

SHOP_JS = """
(function () {
  var config = JSON.parse(document.getElementById("config").textContent);
  var outcome = document.getElementById("outcome");
  var failures = document.getElementById("failures");
  var probe = document.getElementById("probe");
  var count = 0;
  PayHub.mount(document.getElementById("checkout"), {
    clientToken: config.clientToken, paymentIntent: config.paymentIntent, apiBase: config.apiBase, locale: config.locale,
    onOutcome: function (result) {
      count += 1;
      outcome.textContent = result.status;
      outcome.setAttribute("data-status", result.status);
      outcome.setAttribute("data-intent", result.paymentIntent.id);
      outcome.setAttribute("data-count", String(count));
    },
    onFailure: function (failure) {
      var item = document.createElement("li");
      item.textContent = failure.error.code;
      failures.appendChild(item);
    }
  });
  if (config.probe) {
    // What a page can do with a token it holds: read the intent, and try to pay it.
    var auth = { Authorization: "Bearer " + config.clientToken };
    var intent = config.apiBase + "/v1/payment_intents/" + config.paymentIntent;
    Promise.all([
      fetch(intent, { headers: auth }).then(function (r) { return "read " + r.status; }, function (e) { return "read blocked " + e.name; }),
      fetch(intent + "/payments", {
        method: "POST", headers: Object.assign({ "Content-Type": "application/json" }, auth),
        body: JSON.stringify({ payment_method: { type: "card", token: "tok_visa" } })
      }).then(function (r) { return "pay " + r.status; }, function (e) { return "pay blocked " + e.name; })
    ]).then(function (results) { probe.textContent = results.join("; "); });
  }
})();
"""

SHOP_CSS = """
body { margin: 0; font-family: Georgia, serif; background: #f6f3ee; color: #222; }
main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.order { margin: 0 0 1.5rem; color: #555; }
.result { margin-top: 1.5rem; font-family: monospace; }
"""


class Shop:
    """The shop's page on its own origin, showing one intent."""

    def __init__(self, site, payhub, intent: dict | None = None, locale: str = "en", probe: bool = False, provider_origin: str = ""):
        """`provider_origin`: what the shop's policy also admits for a provider's card fields (Stripe.js)."""
        self.site = site
        self.payhub = payhub
        self.config: dict = {"apiBase": payhub.base_url, "locale": locale, "probe": probe}
        if intent:
            self.show(intent)
        extra = f" {provider_origin}" if provider_origin else ""
        csp = (f"default-src 'none'; script-src 'self' {payhub.base_url}{extra}; style-src 'self' {payhub.base_url}; "
               f"connect-src {payhub.base_url}{extra}; img-src 'self' data:; base-uri 'none'; form-action 'none'")
        site.pages["/shop"] = ("text/html; charset=utf-8", self.html, {"Content-Security-Policy": csp})
        site.pages["/shop.js"] = ("application/javascript", SHOP_JS, {})
        site.pages["/shop.css"] = ("text/css", SHOP_CSS, {})

    def show(self, intent: dict) -> None:
        self.config.update(clientToken=intent["client_token"], paymentIntent=intent["id"])

    def html(self, _query: str) -> str:
        config = json.dumps(self.config).replace("<", "\\u003c")
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ceramics &amp; Co — checkout</title><link rel="stylesheet" href="/shop.css"></head>
<body><main>
<h1>Ceramics &amp; Co</h1><p class="order">Order 1001 · Ceramic mug, 12.50 €</p>
<div id="checkout"></div>
<p class="result">Outcome: <output id="outcome" data-status=""></output></p>
<ol id="failures" class="result"></ol>
<p id="probe" class="result"></p>
<script type="application/json" id="config">{config}</script>
<script src="{self.payhub.base_url}/payhub.js"></script>
<script src="/shop.js"></script>
</main></body></html>"""

    @property
    def url(self) -> str:
        return self.site.url("/shop")


def create_intent(payhub, amount: int = 1250, currency: str = "EUR") -> dict:
    intent = payhub.api.create_intent(amount, currency, description="Ceramic mug", purchase_reference="order-1001")
    assert intent["client_token"]
    return intent


@pytest.fixture
def shop(payhub, site):
    payhub.allow_origins(site.origin)
    return Shop(site, payhub, create_intent(payhub))


def state(driver, expected: str, timeout: float = 20):
    return wait_for(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'.payhub[data-payhub-state="{expected}"]'), timeout,
        f"the checkout to be in state {expected!r}")


def choose(driver, method: str) -> None:
    radio = driver.find_element(By.CSS_SELECTOR, f'input[data-method="{method}"]')
    driver.find_element(By.CSS_SELECTOR, f'label[for="{radio.get_attribute("id")}"]').click()
    assert radio.is_selected()


def pick(driver, name: str, value: str) -> None:
    Select(driver.find_element(By.CSS_SELECTOR, f'select[name="{name}"]')).select_by_value(value)


def pay_button(driver):
    return driver.find_element(By.CSS_SELECTOR, '.payhub-form button[type="submit"]')


def outcome(driver, status: str, timeout: float = 30) -> dict:
    element = wait_for(
        driver, lambda d: (lambda e: e if e.get_attribute("data-status") else None)(d.find_element(By.ID, "outcome")), timeout,
        "the onOutcome callback")
    result = {name: element.get_attribute(f"data-{name}") for name in ("status", "intent", "count")}
    assert result["status"] == status, result
    return result


def test_card_payment_succeeds_once_even_on_a_double_click(browser, shop, screenshot):
    browser.get(shop.url)
    state(browser, "choose")
    legend = browser.find_element(By.CSS_SELECTOR, ".payhub-legend").text
    assert legend == "Choose how to pay"
    offered = [e.get_attribute("data-method") for e in browser.find_elements(By.CSS_SELECTOR, "input[data-method]")]
    assert set(offered) == {"card", "wallet", "mobile_money", "bank_redirect", "bnpl", "bank_transfer", "qr"}, offered
    assert pay_button(browser).text == "Pay €12.50"
    screenshot("methods")
    choose(browser, "card")
    pick(browser, "card", "tok_visa")
    screenshot("card chosen")
    ActionChains(browser).double_click(pay_button(browser)).perform()
    result = outcome(browser, "succeeded")
    assert result["intent"] == shop.config["paymentIntent"] and result["count"] == "1"
    screenshot("paid")
    assert browser.find_element(By.CSS_SELECTOR, ".payhub-title").text == "Payment successful"
    intent = shop.payhub.api.intent(shop.config["paymentIntent"])
    assert intent["status"] == "succeeded"
    assert len(intent["payments"]) == 1, "a double click pays once"
    assert intent["payments"][0]["payment_method"]["type"] == "card"


def test_a_decline_lets_the_customer_choose_another_method(browser, shop, screenshot):
    browser.get(shop.url)
    state(browser, "choose")
    choose(browser, "card")
    pick(browser, "card", "tok_declined")
    pay_button(browser).click()
    alert = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".payhub-screen-choose > .payhub-alert[role=alert]"),
                     message="the decline message")[0]
    assert "declined" in alert.text
    assert browser.find_element(By.ID, "failures").text == "card_declined"
    assert browser.find_element(By.ID, "outcome").get_attribute("data-status") == "", "a decline is not an outcome"
    screenshot("declined")
    choose(browser, "wallet")
    pick(browser, "wallet", "tok_applepay")
    screenshot("wallet chosen")
    pay_button(browser).click()
    outcome(browser, "succeeded")
    screenshot("paid")
    intent = shop.payhub.api.intent(shop.config["paymentIntent"])
    assert intent["status"] == "succeeded"
    assert [p["status"] for p in intent["payments"]] == ["failed", "succeeded"]
    assert [p["payment_method"]["type"] for p in intent["payments"]] == ["card", "wallet"]


def test_mobile_money_with_an_otp_on_a_phone(phone_browser, shop, screenshot):
    browser = phone_browser
    browser.get(shop.url)
    state(browser, "choose")
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert width == 390
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    choose(browser, "mobile_money")
    pay_button(browser).click()
    error = browser.find_element(By.CSS_SELECTOR, ".payhub-form .payhub-alert")
    assert error.is_displayed() and "8 to 15 digits" in error.text, "the phone number is required"
    phone = browser.find_element(By.CSS_SELECTOR, 'input[name="phone"]')
    assert browser.switch_to.active_element == phone
    pick(browser, "country", "SN")
    phone.send_keys("+225 07 00 00 00 01")
    country = Select(browser.find_element(By.CSS_SELECTOR, 'select[name="country"]')).first_selected_option
    assert country.get_attribute("value") == "CI", "the calling code picks the country"
    screenshot("phone number")
    pay_button(browser).click()
    state(browser, "otp")
    code = browser.find_element(By.CSS_SELECTOR, 'input[name="otp"]')
    assert browser.switch_to.active_element == code, "the focus moves to the code"
    assert "1234" in browser.find_element(By.CSS_SELECTOR, ".payhub-message").text
    code.send_keys("1234")
    screenshot("otp")
    code.send_keys(Keys.ENTER)
    outcome(browser, "succeeded")
    screenshot("paid")
    intent = shop.payhub.api.intent(shop.config["paymentIntent"])
    assert intent["status"] == "succeeded"
    assert intent["payments"][0]["payment_method"]["type"] == "mobile_money"
    assert intent["payments"][0]["payment_method"].get("country", "CI") == "CI"


def test_qr_code_is_drawn_and_the_payment_completes_asynchronously(browser, shop, screenshot):
    browser.get(shop.url)
    state(browser, "choose")
    choose(browser, "qr")
    pay_button(browser).click()
    state(browser, "waiting")
    data = browser.find_element(By.CSS_SELECTOR, ".payhub-qr-data").text
    assert data.startswith("payhub-sandbox://pay/"), data
    canvas = browser.find_element(By.CSS_SELECTOR, "canvas.payhub-qr-canvas")
    assert canvas.size["width"] > 100 and canvas.get_attribute("role") == "img"
    dark = browser.execute_script("""
      var c = arguments[0], ctx = c.getContext("2d"), px = ctx.getImageData(0, 0, c.width, c.height).data, n = 0;
      for (var i = 0; i < px.length; i += 4) if (px[i] < 128) n++;
      return n / (px.length / 4);""", canvas)
    assert 0.2 < dark < 0.6, f"a drawn code, not a blank canvas ({dark:.2f} dark)"
    screenshot("qr code")
    try:
        import qrcode
        from qrcode.util import MODE_8BIT_BYTE, QRData
    except ImportError:
        qrcode = None
    if qrcode is not None:
        reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0, border=0)
        reference.add_data(QRData(data.encode(), mode=MODE_8BIT_BYTE))
        reference.make(fit=True)
        drawn = browser.execute_script("return PayHub.qrMatrix(arguments[0])", data)
        assert drawn == reference.get_matrix(), "payhub.js encodes the QR code as an independent encoder does"
    outcome(browser, "succeeded", timeout=40)
    screenshot("paid")
    assert shop.payhub.api.intent(shop.config["paymentIntent"])["status"] == "succeeded"


def test_three_d_secure_redirects_and_resumes_on_return(browser, shop, screenshot):
    browser.get(shop.url)
    state(browser, "choose")
    choose(browser, "card")
    pick(browser, "card", "tok_threeds")
    pay_button(browser).click()
    approve = wait_for(browser, lambda d: d.find_elements(By.ID, "approve"), message="the sandbox's 3-D Secure page")[0]
    assert browser.current_url.startswith(shop.payhub.base_url + "/sandbox/authenticate/")
    screenshot("3-D Secure page")
    approve.click()
    wait_for(browser, lambda d: d.current_url.startswith(shop.url), message="the return to the shop")
    assert f"payment_intent={shop.config['paymentIntent']}" in browser.current_url
    outcome(browser, "succeeded")
    screenshot("back and paid")
    assert shop.payhub.api.intent(shop.config["paymentIntent"])["status"] == "succeeded"


def test_bank_transfer_instructions_in_italian(browser, payhub, site, screenshot):
    payhub.allow_origins(site.origin)
    shop = Shop(site, payhub, create_intent(payhub), locale="it")
    browser.get(shop.url)
    state(browser, "choose")
    assert browser.find_element(By.CSS_SELECTOR, ".payhub-legend").text == "Scegli come pagare"
    assert browser.find_element(By.CSS_SELECTOR, ".payhub").get_attribute("lang") == "it"
    choose(browser, "bank_transfer")
    pay_button(browser).click()
    state(browser, "waiting")
    fields = {e.get_attribute("data-field"): e.text.replace("\xa0", " ") for e in browser.find_elements(By.CSS_SELECTOR, ".payhub-transfer dd")}
    assert fields["iban"] and fields["bic"] and fields["holder"], fields
    assert fields["reference"].startswith("PAYHUB-"), fields
    assert fields["amount"] == "12,50 €", fields
    assert browser.find_element(By.CSS_SELECTOR, ".payhub-title").text == "Paga con bonifico"
    screenshot("instructions")
    outcome(browser, "succeeded", timeout=40)
    assert browser.find_element(By.CSS_SELECTOR, ".payhub-title").text == "Pagamento riuscito"
    screenshot("paid")


def test_a_page_on_an_origin_the_merchant_does_not_allow_cannot_use_the_token(browser, payhub, make_site, screenshot):
    allowed, foreign = make_site(), make_site()
    payhub.allow_origins(allowed.origin)
    intent = create_intent(payhub)
    shop = Shop(foreign, payhub, intent, probe=True)
    browser.get(shop.url)
    probe = wait_for(browser, lambda d: d.find_element(By.ID, "probe").text, message="the probe's fetches")
    assert probe == "read blocked TypeError; pay blocked TypeError", probe
    state(browser, "error", timeout=30)
    screenshot("refused")
    assert browser.find_element(By.ID, "outcome").get_attribute("data-status") == ""

    # What the browser was told, and that nothing happened.
    answer = requests.get(f"{payhub.base_url}/v1/payment_intents/{intent['id']}", timeout=10,
                          headers={"Authorization": f"Bearer {intent['client_token']}", "Origin": foreign.origin})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in answer.headers
    preflight = requests.options(f"{payhub.base_url}/v1/payment_intents/{intent['id']}/payments", timeout=10, headers={
        "Origin": foreign.origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    current = payhub.api.intent(intent["id"])
    assert current["status"] == "requires_payment_method" and current["payments"] == []

    # The same page on the allowed origin pays.
    Shop(allowed, payhub, intent)
    browser.get(allowed.url("/shop"))
    state(browser, "choose")
