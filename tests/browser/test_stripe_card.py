"""Stripe cards from the hosted checkout (issue 7, section 2), in Chromium against localstripe.

The merchant's card account is Stripe (localstripe, with a publishable key). Choosing the card on the checkout
page leads to PayHub's card page, which loads Stripe.js (localstripe's own, at ``/js.stripe.com/v3/``) and mounts
its card fields; the customer types the card there, Stripe.js turns it into a token and the page sends only the
token to PayHub. 3-D Secure goes through PayHub's Stripe authentication page and comes back to the result.
Needs ``PAYHUB_LOCALSTRIPE_URL`` (CI starts localstripe); skipped with the reason otherwise.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("selenium", reason="selenium is not installed (python3 -m pip install selenium)")

from selenium.webdriver.common.by import By  # noqa: E402

from conftest import e2e, wait_for  # noqa: E402
import test_payhub_js as embed  # noqa: E402
from test_checkout_page import (  # noqa: E402
    CHECKOUT_ENV, accept_terms_and_pay, by_id, choose, create_session, pay_with_the_wallet_after_a_retry, result_message, session_status)


@pytest.fixture
def localstripe() -> str:
    return e2e.localstripe_url()


@pytest.fixture
def stripe_payhub(make_payhub, localstripe: str):
    """A PayHub whose demo merchant takes cards through Stripe (localstripe) and wallets through the sandbox."""
    payhub = make_payhub(CHECKOUT_ENV)
    payhub.deployment.run_cli(
        "provider", "add", "--merchant", payhub.deployment.merchant["id"], "--provider", "stripe", "--mode", "test",
        "--credential", "secret_key=sk_test_payhub", "--credential", "publishable_key=pk_test_payhub",
        "--credential", f"base_url={localstripe}", "--credential", "emulator=localstripe")
    payhub.api.ok(payhub.api.post("/v1/checkout_rules", {
        "priority": 1,
        "methods": [{"payment_method": "card", "provider": "stripe"}, {"payment_method": "wallet", "provider": "sandbox"}],
    }), 201)
    payhub.api.ok(payhub.api.post("/v1/checkout_theme", {"terms_url": "https://shop.example/terms"}), 200)
    return payhub


def to_card_page(driver, session: dict) -> None:
    driver.get(session["url"])
    choose(driver, "card:stripe")
    accept_terms_and_pay(driver)
    wait_for(driver, lambda d: "/card?" in d.current_url, message="the card page")
    # localstripe's Stripe.js draws its fields as text inputs inside the page's card container.
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#card-fields input[placeholder=number]"), message="Stripe.js's card fields")


def enter_card(driver, number: str) -> None:
    values = {"number": number, "exp_month": "12", "exp_year": "34", "cvc": "123", "postal_code": "20121"}
    for field, value in values.items():
        driver.find_element(By.CSS_SELECTOR, f"#card-fields input[placeholder={field}]").send_keys(value)


def attempts(payhub, session: dict) -> list[dict]:
    return payhub.api.ok(payhub.api.get(f"/v1/payment_intents/{session['payment_intent']}"), 200)["payments"]


def test_a_card_typed_in_stripes_fields_pays_and_only_its_token_reaches_payhub(stripe_payhub, make_browser, screenshot):
    session = create_session(stripe_payhub)
    phone = make_browser(390, 844, mobile=True)
    to_card_page(phone, session)
    assert by_id(phone, "total").text == "€57.89", "the card page shows the order"
    assert by_id(phone, "pay-button").is_displayed(), "the script shows Pay once the fields are mounted"
    assert not phone.find_elements(By.ID, "card-needs-script") or not phone.find_element(By.ID, "card-needs-script").is_displayed()
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390

    # Pay with empty fields: Stripe.js cannot make a token; the page says so and nothing is attempted.
    phone.find_element(By.ID, "pay-button").click()
    error = wait_for(phone, lambda d: d.find_element(By.ID, "card-error") if d.find_element(By.ID, "card-error").is_displayed() else None,
                     message="the card error")
    assert error.text == "The card could not be checked. Check the details you entered and try again."
    assert attempts(stripe_payhub, session) == []
    screenshot("card-error")

    enter_card(phone, "4242424242424242")
    screenshot("card-fields")
    phone.find_element(By.ID, "pay-button").click()
    wait_for(phone, lambda d: "/result" in d.current_url, message="the result page")
    assert result_message(phone) == "Thank you: Demo Shop has received your payment of €57.89."
    screenshot("paid")
    assert session_status(stripe_payhub, session["id"]) == "complete"
    [attempt] = attempts(stripe_payhub, session)
    assert attempt["provider"] == "stripe" and attempt["provider_reference"].startswith("pi_"), attempt
    assert attempt["payment_method"]["token"].startswith("tok_"), "the attempt was made with Stripe.js's token"
    assert "4242424242424242" not in json.dumps(attempt), "the card number never reaches PayHub"


def pay_with_a_new_session(payhub, driver, number: str) -> dict:
    """Opens a new session's card page, types the card `number` and presses Pay; returns the session."""
    session = create_session(payhub)
    to_card_page(driver, session)
    enter_card(driver, number)
    driver.find_element(By.ID, "pay-button").click()
    return session


def test_three_d_secure_after_stripes_fields_returns_to_the_result(stripe_payhub, browser, screenshot):
    session = pay_with_a_new_session(stripe_payhub, browser, "4000002500003155")
    wait_for(browser, lambda d: "/stripe/authenticate/pi_" in d.current_url, message="PayHub's Stripe authentication page")
    by_id(browser, "approve")
    screenshot("challenge")
    browser.find_element(By.ID, "approve").click()
    wait_for(browser, lambda d: "/result" in d.current_url, message="the result page")
    assert by_id(browser, "order-heading").text == "Payment successful"
    assert session_status(stripe_payhub, session["id"]) == "complete"


def test_a_declined_card_then_another_method_pays(stripe_payhub, browser, screenshot):
    session = pay_with_a_new_session(stripe_payhub, browser, "4000000000000341")
    wait_for(browser, lambda d: "/result" in d.current_url, message="the result page")
    assert by_id(browser, "order-heading").text == "Payment failed"
    screenshot("declined")
    pay_with_the_wallet_after_a_retry(browser)
    assert session_status(stripe_payhub, session["id"]) == "complete"


def test_payhub_js_types_a_stripe_card_into_stripe_js_in_the_shops_page(stripe_payhub, localstripe: str, make_site, browser, screenshot):
    site = make_site()
    stripe_payhub.allow_origins(site.origin)
    shop = embed.Shop(site, stripe_payhub, embed.create_intent(stripe_payhub), provider_origin=localstripe)
    browser.get(shop.url)
    embed.state(browser, "choose")
    embed.choose(browser, "card")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".payhub-card-fields input[placeholder=number]"), message="Stripe.js's card fields")
    assert not browser.find_elements(By.CSS_SELECTOR, 'select[name="card"]'), "no sandbox test cards for a Stripe card"

    # Nothing typed: Stripe.js makes no token, the widget says so and nothing is attempted.
    embed.pay_button(browser).click()
    alert = wait_for(browser, lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, ".payhub-alert") if e.is_displayed()), None),
                     message="the card error")
    assert alert.text == "The card could not be checked. Check the details you entered and try again."
    assert stripe_payhub.api.intent(shop.config["paymentIntent"])["payments"] == []

    values = {"number": "4242424242424242", "exp_month": "12", "exp_year": "34", "cvc": "123", "postal_code": "20121"}
    for field, value in values.items():
        browser.find_element(By.CSS_SELECTOR, f".payhub-card-fields input[placeholder={field}]").send_keys(value)
    screenshot("stripe card in the shop's page")
    embed.pay_button(browser).click()
    embed.outcome(browser, "succeeded")
    screenshot("paid")
    [attempt] = stripe_payhub.api.intent(shop.config["paymentIntent"])["payments"]
    assert attempt["provider"] == "stripe" and attempt["payment_method"]["token"].startswith("tok_"), attempt
