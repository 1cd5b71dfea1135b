"""Automatic renewals with the real binary against localstripe (`PAYHUB_LOCALSTRIPE_URL`): a subscription whose
renewals Stripe runs. PayHub creates the Stripe subscription after the first payment, records each renewal
localstripe charges (`POST /v1/invoices` + `/pay`, reported by `invoice.payment_succeeded`) once as a succeeded
payment intent with its invoice, even when the webhook comes twice, and a cancellation at period end reaches
localstripe. localstripe's periods never advance: renewals are told apart by invoice id."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid

import pytest
import requests

from conftest import free_port, localstripe_url, wait_until

STRIPE_KEY = "sk_test_payhub_e2e"


@pytest.fixture
def localstripe() -> str:
    return localstripe_url()


class Localstripe:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {STRIPE_KEY}"

    def post(self, path: str, form: dict) -> dict:
        response = self.session.post(self.base_url + path, data=form, timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json() if response.content.strip() else {}

    def get(self, path: str, **params) -> dict:
        response = self.session.get(self.base_url + path, params=params, timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def card(self, number: str = "4242424242424242") -> str:
        """A PaymentMethod from a test card, as Stripe.js would make it (PayHub only sees the pm_ id)."""
        return self.post("/v1/payment_methods", {
            "type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2030", "card[cvc]": "123"})["id"]

    def renew(self, subscription: str, customer: str) -> dict:
        """localstripe's renewal: an invoice of the subscription's item, paid with the customer's default method."""
        draft = self.post("/v1/invoices", {"customer": customer, "subscription": subscription})
        return self.post(f"/v1/invoices/{draft['id']}/pay", {})


def signed_event(event_type: str, invoice: dict, secret: str) -> tuple[bytes, str]:
    """The invoice as Stripe's webhook would carry it, signed as localstripe signs (`t=<ts>,v1=<HMAC-SHA256>`)."""
    created = int(time.time())
    body = json.dumps({
        "id": "evt_" + uuid.uuid4().hex[:24], "object": "event", "type": event_type, "created": created,
        "api_version": "2017-08-15", "data": {"object": invoice}}).encode()
    signature = hmac.new(secret.encode(), f"{created}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={created},v1={signature}"


def cli_json(output: str) -> dict:
    return json.loads(output[output.index("{"): output.rindex("}") + 1])


def subscription_intents(client, subscription_id: str) -> list[dict]:
    return [i for i in client.list_all("/v1/payment_intents") if i["metadata"].get("subscription") == subscription_id]


def invoices_of(client, intents: list[dict]) -> list[dict]:
    ids = {i["id"] for i in intents}
    return [invoice for invoice in client.list_all("/v1/invoices") if invoice["payment_intent"] in ids]


def test_a_stripe_subscription_created_through_payhub_renews_on_localstripe_and_each_renewal_is_recorded_once(
    deployment, localstripe: str
) -> None:
    stripe = Localstripe(localstripe)
    merchant = cli_json(deployment.run_cli("merchant", "create", "--name", "Automatic Shop"))
    webhook_secret = "whsec_" + secrets.token_hex(16)
    account = cli_json(deployment.run_cli(
        "provider", "add", "--merchant", merchant["id"], "--provider", "stripe", "--mode", "test",
        "--credential", f"secret_key={STRIPE_KEY}", "--credential", f"base_url={localstripe}",
        "--credential", "emulator=localstripe", "--credential", f"webhook_secret={webhook_secret}"))
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/v1/providers/stripe/webhooks/{account['id']}"
    # localstripe posts every invoice.payment_succeeded to the endpoints registered with it.
    stripe.post(f"/_config/webhooks/payhub_e2e_{uuid.uuid4().hex[:12]}", {
        "url": webhook_url, "secret": webhook_secret, "events[]": "invoice.payment_succeeded"})
    server = deployment.start_server(port=port)
    client = server.client(merchant["secret_key_test"])

    # Automatic on request: the merchant also has a sandbox account, so the first payment names Stripe.
    subscription = client.ok(client.post("/v1/subscriptions", {
        "amount": 1500, "currency": "EUR", "interval": "month", "renewal": "automatic", "description": "Gold plan",
        "customer": {"name": "Zoë Ñandú", "email": "zoe@example.com", "customer_reference": "cust-auto"}}), 201)
    assert subscription["renewal"] == "automatic"
    assert subscription["provider_subscription"] is None
    first = client.ok(client.post(f"/v1/payment_intents/{subscription['latest_payment_intent']}/payments", {
        "provider": "stripe", "payment_method": {"type": "card", "token": stripe.card()}}), 201)
    assert first["status"] == "succeeded", first

    path = f"/v1/subscriptions/{subscription['id']}"
    active = wait_until(
        lambda: (lambda s: s if s.get("provider_subscription") else None)(client.ok(client.get(path), 200)),
        timeout=30, message="the job creates the Stripe subscription")
    assert active["status"] == "active"
    reference = active["provider_subscription"]
    assert reference.startswith("sub_")
    provider = stripe.get(f"/v1/subscriptions/{reference}")
    assert provider["metadata"] == {"payhub_subscription": subscription["id"]}
    assert provider["plan"]["amount"] == 1500 and provider["plan"]["interval"] == "month"
    assert provider["status"] != "canceled"
    customer = provider["customer"] if isinstance(provider["customer"], str) else provider["customer"]["id"]
    assert len(subscription_intents(client, subscription["id"])) == 1, "no renewal before localstripe charges one"

    renewal_invoices = []
    for number in (1, 2):
        invoice = stripe.renew(reference, customer)
        assert invoice["status"] == "paid", invoice
        renewal_invoices.append(invoice["id"])
        expected = number + 1
        wait_until(
            lambda: len([i for i in subscription_intents(client, subscription["id"]) if i["status"] == "succeeded"]) == expected,
            timeout=30, message=f"renewal {number} recorded from localstripe's webhook")
        # The same renewal delivered again (as Stripe retries a webhook): recorded once.
        body, signature = signed_event("invoice.payment_succeeded", invoice, webhook_secret)
        again = requests.post(webhook_url, data=body, headers={"Stripe-Signature": signature, "Content-Type": "application/json"}, timeout=30)
        assert again.status_code == 200, again.text
        assert again.json() == {"received": "applied"}
        time.sleep(1.5)  # any duplicate the job's read-back or the webhooks could make would show by now
        intents = subscription_intents(client, subscription["id"])
        assert len(intents) == expected, [(i["id"], i["metadata"]) for i in intents]
        assert all(i["status"] == "succeeded" and i["amount_received"] == 1500 for i in intents)
        assert sorted(int(i["metadata"]["subscription_period"]) for i in intents) == list(range(1, expected + 1))
        wait_until(lambda: len(invoices_of(client, subscription_intents(client, subscription["id"]))) == expected,
                   timeout=30, message=f"{expected} invoices")

    intents = subscription_intents(client, subscription["id"])
    renewals = [i for i in intents if i["metadata"]["subscription_period"] != "1"]
    references = sorted(p["provider_reference"] for i in renewals for p in i["payments"])
    paid_by = sorted(stripe.get(f"/v1/invoices/{invoice}")["payment_intent"] for invoice in renewal_invoices)
    assert references == sorted(r if isinstance(r, str) else r["id"] for r in paid_by), "each renewal is localstripe's payment"
    invoices = invoices_of(client, intents)
    assert len(invoices) == 3 and len({i["number"] for i in invoices}) == 3
    renewed = client.ok(client.get(path), 200)
    assert renewed["renewals_count"] == 2 and renewed["current_period"] == 3 and renewed["status"] == "active"
    events = [e["type"] for e in client.events(object_id=subscription["id"])]
    assert events.count("customer.subscription.renewed") == 2, events

    canceling = client.ok(client.post(path + "/cancel", {}), 200)
    assert canceling["cancel_at_period_end"] is True and canceling["status"] == "active"
    assert stripe.get(f"/v1/subscriptions/{reference}")["cancel_at_period_end"] is True
