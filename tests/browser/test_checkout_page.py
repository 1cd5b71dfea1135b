"""The hosted checkout (issue 7, sections 2, 4 and 5), in Chromium.

Each test creates what the shop would by API (a checkout session, rules, a theme, a payment link), opens the
customer's URL in a real browser and pays with the sandbox: the card goes to the sandbox's card page and comes
back through the return route; mobile money asks for the code in the page; a payment link arrives by email at a
real SMTP server (aiosmtpd) and is opened from the received message.
"""

from __future__ import annotations

import email
import email.policy
import re
import sqlite3
import threading
import time

import pytest

pytest.importorskip("selenium", reason="selenium is not installed (python3 -m pip install selenium)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from conftest import e2e, wait_for  # noqa: E402

CHECKOUT_ENV = {"PAYHUB_CHECKOUT_RATE_LIMIT": "1000"}


def create_session(payhub, **extra) -> dict:
    body = {
        "currency": "EUR",
        "line_items": [
            {"name": "Espresso cups (set of 2)", "quantity": 2, "unit_amount": 1250, "tax_rate": 2200, "category": "kitchen"},
            {"name": "Single-origin beans, 1 kg", "quantity": 1, "unit_amount": 2490, "tax_rate": 1000, "category": "food"},
        ],
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "success_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart",
    }
    body.update(extra)
    return payhub.api.ok(payhub.api.post("/v1/checkout_sessions", body), 201)


def by_id(driver, element_id: str):
    return wait_for(driver, lambda d: d.find_element(By.ID, element_id), message=f"#{element_id}")


def choose(driver, method: str) -> None:
    """Selects a method's radio button by its value prefix (`card`, `mobile_money`, ...)."""
    radio = driver.find_element(By.CSS_SELECTOR, f"input[name=method][value^='{method}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", radio)
    radio.click()


def accept_terms_and_pay(driver) -> None:
    terms = driver.find_elements(By.ID, "terms")
    if terms and not terms[0].is_selected():
        terms[0].click()
    driver.find_element(By.ID, "pay-button").click()


def on_sandbox_card_page(driver, card: str, challenge: str | None = None) -> None:
    wait_for(driver, lambda d: "/sandbox/authenticate/" in d.current_url, message="the sandbox's card page")
    driver.find_element(By.ID, f"card-{card}").click()
    driver.find_element(By.ID, "pay-card").click()
    if challenge:
        button = wait_for(driver, lambda d: d.find_elements(By.ID, challenge), message="the 3-D Secure challenge")[0]
        button.click()


def result_message(driver) -> str:
    return by_id(driver, "result-message").text


def pay_with_the_wallet_after_a_retry(driver) -> None:
    """On the failed page: Retry, then the sandbox's wallet, approved, to the successful result."""
    driver.find_element(By.ID, "retry").click()
    by_id(driver, "failure")
    choose(driver, "wallet")
    accept_terms_and_pay(driver)
    wait_for(driver, lambda d: "/sandbox/authenticate/" in d.current_url, message="the wallet's page")
    driver.find_element(By.ID, "approve").click()
    wait_for(driver, lambda d: "/result" in d.current_url, message="the result page")
    assert by_id(driver, "order-heading").text == "Payment successful"


def session_status(payhub, session_id: str) -> str:
    return payhub.api.ok(payhub.api.get(f"/v1/checkout_sessions/{session_id}"), 200)["status"]


def test_card_payment_returns_to_the_result_and_sends_the_webhook(make_payhub, make_browser, screenshot):
    payhub = make_payhub(CHECKOUT_ENV)
    payhub.api.ok(payhub.api.post("/v1/checkout_theme", {"terms_url": "https://shop.example/terms"}), 200)
    receiver = e2e.WebhookReceiver(name="checkout").start()
    try:
        endpoint = payhub.api.create_endpoint(receiver.url, ["checkout.session.completed"])
        receiver.secrets.append(endpoint["secret"])
        session = create_session(payhub)
        phone = make_browser(390, 844, mobile=True)
        phone.get(session["url"])
        by_id(phone, "pay-button")
        assert by_id(phone, "total").text == "€57.89"
        assert "Espresso cups (set of 2)" in phone.page_source
        screenshot("checkout")

        # Terms first: the browser refuses to send the form without them.
        phone.find_element(By.ID, "pay-button").click()
        assert "/sandbox/authenticate/" not in phone.current_url
        # Keyboard only: the terms box with Space, Pay with Enter.
        phone.find_element(By.ID, "terms").send_keys(Keys.SPACE)
        phone.find_element(By.ID, "pay-button").send_keys(Keys.ENTER)
        on_sandbox_card_page(phone, "tok_visa")
        screenshot("paid")
        wait_for(phone, lambda d: "/result" in d.current_url, message="the result page")
        assert result_message(phone) == "Thank you: Demo Shop has received your payment of €57.89."
        assert phone.find_element(By.ID, "continue-shopping").get_attribute("href") == "https://shop.example/thanks"
        assert session_status(payhub, session["id"]) == "complete"
        e2e.wait_until(lambda: any(w.payload["type"] == "checkout.session.completed" for w in receiver.received), 20,
                       message="checkout.session.completed delivered")
        delivered = next(w for w in receiver.received if w.payload["type"] == "checkout.session.completed")
        assert delivered.verified
        assert delivered.payload["data"]["id"] == session["id"]
    finally:
        receiver.stop()


def test_a_decline_then_another_method_pays(payhub, browser, screenshot):
    session = create_session(payhub)
    browser.get(session["url"])
    choose(browser, "card")
    accept_terms_and_pay(browser)
    on_sandbox_card_page(browser, "tok_declined")
    wait_for(browser, lambda d: "/result" in d.current_url, message="the result page")
    assert by_id(browser, "order-heading").text == "Payment failed"
    screenshot("declined")
    pay_with_the_wallet_after_a_retry(browser)
    assert session_status(payhub, session["id"]) == "complete"


@pytest.mark.parametrize("answer, heading", [("approve", "Payment successful"), ("fail", "Payment failed")])
def test_three_d_secure_on_the_providers_page(payhub, browser, screenshot, answer, heading):
    session = create_session(payhub)
    browser.get(session["url"])
    choose(browser, "card")
    accept_terms_and_pay(browser)
    wait_for(browser, lambda d: "/sandbox/authenticate/" in d.current_url, message="the sandbox's card page")
    browser.find_element(By.ID, "card-tok_threeds").click()
    browser.find_element(By.ID, "pay-card").click()
    by_id(browser, answer)
    screenshot("challenge")
    browser.find_element(By.ID, answer).click()
    wait_for(browser, lambda d: "/result" in d.current_url, message="the result page")
    assert by_id(browser, "order-heading").text == heading
    assert session_status(payhub, session["id"]) == ("complete" if answer == "approve" else "open")


def test_mobile_money_asks_for_the_code_in_the_page(payhub, make_browser, screenshot):
    session = create_session(payhub, country="CI", currency="XOF", line_items=None, amount=15000)
    phone = make_browser(390, 844, mobile=True)
    phone.get(session["url"])
    choose(phone, "mobile_money")
    phone.find_element(By.CSS_SELECTOR, "input[name=phone]").send_keys("+225 07 00 00 00 01")
    accept_terms_and_pay(phone)
    otp = by_id(phone, "otp")
    assert "1234" in by_id(phone, "action-message").text
    screenshot("otp")
    otp.send_keys("1234")
    phone.find_element(By.ID, "otp-button").click()
    wait_for(phone, lambda d: "/result" in d.current_url, message="the result page")
    assert by_id(phone, "order-heading").text == "Payment successful"


def test_the_theme_colours_and_logo_are_applied(payhub, browser, screenshot):
    payhub.api.ok(payhub.api.post("/v1/checkout_theme", {
        "logo_url": "https://cdn.shop.example/logo.png", "button_color": "#0b7a3e", "button_text_color": "#ffffff",
        "background_color": "#fff8ee", "page_title": "Espresso House checkout",
    }), 200)
    session = create_session(payhub, theme={"primary_color": "#7a0b5c"})
    browser.get(session["url"])
    button = by_id(browser, "pay-button")
    assert button.value_of_css_property("background-color") == "rgba(11, 122, 62, 1)"
    assert button.value_of_css_property("color") == "rgba(255, 255, 255, 1)"
    assert browser.find_element(By.TAG_NAME, "body").value_of_css_property("background-color") == "rgba(255, 248, 238, 1)"
    checked = browser.find_element(By.CSS_SELECTOR, ".method:has(input:checked)")
    assert checked.value_of_css_property("border-top-color") == "rgba(122, 11, 92, 1)", "the session's own primary colour"
    assert browser.find_element(By.ID, "merchant-logo").get_attribute("src") == "https://cdn.shop.example/logo.png"
    assert browser.title == "Espresso House checkout"
    screenshot("themed")


def test_hostile_colours_are_refused_and_names_are_shown_as_text(payhub, browser):
    refused = payhub.api.post("/v1/checkout_sessions", {
        "amount": 100, "currency": "EUR", "theme": {"primary_color": "red;}</style><script>alert(1)</script>"}})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "theme.primary_color"
    session = create_session(payhub, line_items=[{"name": "<b>bold</b><script>alert(1)</script>", "quantity": 1, "unit_amount": 500}])
    browser.get(session["url"])
    assert "<b>bold</b><script>alert(1)</script>" in by_id(browser, "main").text
    assert browser.find_elements(By.CSS_SELECTOR, "td b") == []


def test_the_page_speaks_italian(payhub, make_browser, screenshot):
    by_session = make_browser(label="session-locale")
    by_session.get(create_session(payhub, locale="it")["url"])
    assert by_id(by_session, "order-heading").text == "Il tuo ordine"
    assert by_session.find_element(By.TAG_NAME, "html").get_attribute("lang") == "it"
    by_header = make_browser(label="accept-language", language="it-IT")
    by_header.get(create_session(payhub)["url"])
    assert by_id(by_header, "order-heading").text == "Il tuo ordine"
    assert by_id(by_header, "pay-button").text == "Paga 57,89 €"
    screenshot("italian")


def test_rules_hide_a_method_above_an_amount_and_show_one_for_business_customers(payhub, browser):
    payhub.api.ok(payhub.api.post("/v1/checkout_rules", {
        "priority": 20, "conditions": [{"key": "user_type", "operator": "equals", "value": "business"}],
        "methods": [{"payment_method": "card"}, {"payment_method": "bank_transfer"}]}), 201)
    payhub.api.ok(payhub.api.post("/v1/checkout_rules", {
        "priority": 10, "conditions": [{"key": "amount", "operator": "greater_than", "value": 10000, "currency": "EUR"}],
        "methods": [{"payment_method": "wallet"}, {"payment_method": "mobile_money"}]}), 201)
    payhub.api.ok(payhub.api.post("/v1/checkout_rules", {
        "priority": 0, "methods": [{"payment_method": "card"}, {"payment_method": "wallet"}]}), 201)

    def methods(**extra) -> list[str]:
        browser.get(create_session(payhub, line_items=None, **extra)["url"])
        by_id(browser, "pay-button")
        return [radio.get_attribute("value").split(":")[0] for radio in browser.find_elements(By.NAME, "method")]

    assert methods(amount=5000) == ["card", "wallet"]
    assert methods(amount=20000) == ["wallet", "mobile_money"], "cards are hidden above EUR 100"
    assert methods(amount=5000, user_type="business") == ["card", "bank_transfer"], "transfers for business customers only"


# --------------------------------------------------------------------------------------------------------------
# Pay by link, through a real SMTP server.


class SMTPSink:
    """aiosmtpd on a free port of 127.0.0.1, keeping every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        sink = self
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with sink.lock:
                    sink.messages.append(message)
                return "250 OK"

        self.port = e2e.free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def wait_for_message(self, to: str, timeout: float = 30) -> email.message.EmailMessage:
        def found():
            with self.lock:
                return next((m for m in self.messages if to in str(m["To"])), None)
        return e2e.wait_until(found, timeout, message=f"an email to {to}")


@pytest.fixture
def smtp_sink():
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed (python3 -m pip install aiosmtpd)")
    sink = SMTPSink()
    yield sink
    sink.stop()


def mail_env(sink: SMTPSink) -> dict[str, str]:
    return {**CHECKOUT_ENV, "PAYHUB_SMTP_HOST": "127.0.0.1", "PAYHUB_SMTP_PORT": str(sink.port),
            "PAYHUB_SMTP_SECURITY": "none", "PAYHUB_MAIL_FROM": "Demo Shop <shop@example.com>"}


def link_in(message: email.message.EmailMessage) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"https?://\S+/l/plink_[A-Za-z0-9]+", text)
    assert found, text
    return found.group(0)


def test_a_link_sent_by_email_is_opened_from_the_message_and_paid_then_shows_already_paid(make_payhub, smtp_sink, browser, screenshot):
    payhub = make_payhub(mail_env(smtp_sink))
    link = payhub.api.ok(payhub.api.post("/v1/payment_links", {
        "amount": 4200, "currency": "EUR", "description": "Order 1042",
        "customer": {"name": "Grace", "email": "grace@example.com"}, "send": "email"}), 201)
    message = smtp_sink.wait_for_message("grace@example.com")
    url = link_in(message)
    assert url == link["url"]
    browser.get(url)
    wait_for(browser, lambda d: "/checkout/cs_" in d.current_url, message="the link's checkout")
    screenshot("link-checkout")
    choose(browser, "card")
    accept_terms_and_pay(browser)
    on_sandbox_card_page(browser, "tok_visa")
    wait_for(browser, lambda d: "/result" in d.current_url, message="the result page")
    assert by_id(browser, "order-heading").text == "Payment successful"
    e2e.wait_until(lambda: payhub.api.ok(payhub.api.get(f"/v1/payment_links/{link['id']}"), 200)["status"] == "completed", 10,
                   message="the link completed")
    browser.get(url)
    assert by_id(browser, "payment-link").get_attribute("data-reason") == "paid"
    screenshot("already-paid")


def test_the_checkout_sends_a_link_the_customer_pays_later(make_payhub, smtp_sink, browser):
    payhub = make_payhub(mail_env(smtp_sink))
    session = create_session(payhub)
    browser.get(session["url"])
    browser.find_element(By.CSS_SELECTOR, "details.pay-later summary").click()
    browser.find_element(By.ID, "recipient").send_keys("later@example.com")
    browser.find_element(By.ID, "send-link").click()
    assert "later@example.com" in by_id(browser, "notice").text
    url = link_in(smtp_sink.wait_for_message("later@example.com"))
    browser.get(url)
    wait_for(browser, lambda d: session["id"] in d.current_url, message="the same session")


def test_an_expired_link_says_so(payhub, browser):
    link = payhub.api.ok(payhub.api.post("/v1/payment_links", {"amount": 990, "currency": "EUR"}), 201)
    # Its time passes: the link's expiry moves to a minute ago (the page judges by the clock, before any job runs).
    database = sqlite3.connect(str(payhub.deployment.data_dir / "payhub.sqlite"), timeout=10)
    with database:
        database.execute("UPDATE payment_links SET expires_at = ? WHERE id = ?", (time.time() - 60, link["id"]))
    database.close()
    browser.get(link["url"])
    assert by_id(browser, "payment-link").get_attribute("data-reason") == "expired"


def subscribe(payhub, locale: str, **extra) -> dict:
    body = {"amount": 999, "currency": "EUR", "interval": "month",
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "locale": locale}}
    body.update(extra)
    return payhub.api.ok(payhub.api.post("/v1/subscriptions", body), 201)


@pytest.mark.parametrize("locale, heading, recurring, pay", [
    ("it", "Il tuo ordine", "Abbonamento: 9,99\u00a0€ ogni 3 mesi.", "Paga 9,99\u00a0€"),
    ("en", "Your order", "Subscription: €9.99 every 3 months.", "Pay €9.99"),
], ids=["it", "en"])
def test_a_subscriptions_first_payment_on_a_phone_says_what_the_renewals_charge(payhub, make_browser, screenshot, locale, heading, recurring, pay):
    subscription = subscribe(payhub, locale, interval_count=3)
    phone = make_browser(360, 780, mobile=True)
    phone.get(subscription["url"])
    assert by_id(phone, "order-heading").text == heading
    # The page writes a no-break space between amount and currency; the browser reports it as a space.
    line = by_id(phone, "recurring")
    assert line.text == recurring.replace("\u00a0", " ")
    button = by_id(phone, "pay-button")
    assert button.text == pay.replace("\u00a0", " ")
    # Nothing is wider than the phone: no sideways scrolling, the Pay button and the renewals line inside the screen.
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    for element in (line, button):
        assert element.rect["x"] >= 0 and element.rect["x"] + element.rect["width"] <= 360, element.rect
    screenshot(f"subscription-{locale}")
    choose(phone, "card")
    accept_terms_and_pay(phone)
    on_sandbox_card_page(phone, "tok_visa")
    wait_for(phone, lambda d: "/result" in d.current_url, message="the result page")
    screenshot(f"subscription-{locale}-paid")
    status = payhub.api.ok(payhub.api.get(f"/v1/subscriptions/{subscription['id']}"), 200)["status"]
    assert status in ("active", "trialing"), status
