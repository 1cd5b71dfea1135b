"""Webhooks as a merchant's receiver sees them, checked with the reference `standardwebhooks` library:
every event once and verified, retries after a failure, 410 Gone disabling the endpoint, and secret rotation."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from conftest import Client, assert_delivered_exactly_once, undelivered, wait_until


def settle_everything(client: Client, intents: list[str], refunds: list[str], timeout: float = 30) -> None:
    """Waits until no payment intent is processing and no refund is pending any more."""

    def settled() -> bool:
        for intent_id in intents:
            if client.intent(intent_id)["status"] == "processing":
                return False
        for refund_id in refunds:
            if client.ok(client.get(f"/v1/refunds/{refund_id}"), 200)["status"] == "pending":
                return False
        return True

    wait_until(settled, timeout, message="payments and refunds to settle")


def wait_for_all_events(client: Client, receiver, timeout: float = 30) -> list[dict]:
    """The merchant's events, once every one of them has reached `receiver`."""

    def all_delivered():
        events = client.events()
        return events if events and not undelivered(events, receiver) else None

    return wait_until(
        all_delivered, timeout,
        message=lambda: f"every event to reach {receiver.name}; missing {[e['id'] + ' ' + e['type'] for e in undelivered(client.events(), receiver)][:10]}")


def test_every_event_arrives_verified_exactly_once(sqlite_deployment, make_receiver):
    server = sqlite_deployment.start_server(env={"PAYHUB_SANDBOX_DELAY": "1"})
    client = sqlite_deployment.client(server)
    receiver = make_receiver(name="all")
    endpoint = client.create_endpoint(receiver.url, ["*"])
    assert endpoint["secret"].startswith("whsec_")
    receiver.secrets = [endpoint["secret"]]

    intents, refunds = [], []
    # Succeeded card payments, refunded partly (twice), fully and by a refund the provider fails.
    for amount in (1000, 2500, 4200):
        intent = client.create_intent(amount)
        intents.append(intent["id"])
        assert client.pay(intent["id"], "tok_visa")["status"] == "succeeded"
    refunds.append(client.refund(intents[0], 300)["id"])
    refunds.append(client.refund(intents[0], 200)["id"])
    refunds.append(client.refund(intents[1])["id"])
    failing = client.create_intent(1500)
    intents.append(failing["id"])
    assert client.pay(failing["id"], "tok_refund_fails")["status"] == "succeeded"
    refunds.append(client.refund(failing["id"], 500)["id"])
    # A declined card, then a successful retry on the same intent.
    declined = client.create_intent(700)
    intents.append(declined["id"])
    assert client.pay(declined["id"], "tok_declined", expect=(402,))["status"] == "requires_payment_method"
    assert client.pay(declined["id"], "tok_visa")["status"] == "succeeded"
    # An asynchronous payment that settles through the sandbox's own webhook.
    processing = client.create_intent(900)
    intents.append(processing["id"])
    assert client.pay(processing["id"], "tok_processing")["status"] == "processing"
    # 3-D Secure left waiting for the customer, then canceled.
    threeds = client.create_intent(800)
    intents.append(threeds["id"])
    assert client.pay(threeds["id"], "tok_threeds")["status"] == "requires_action"
    assert client.ok(client.post(f"/v1/payment_intents/{threeds['id']}/cancel", {}), 200)["status"] == "canceled"

    settle_everything(client, intents, refunds)
    assert client.intent(processing["id"])["status"] == "succeeded"
    assert client.intent(intents[0])["amount_refunded"] == 500
    assert client.intent(intents[1])["amount_refunded"] == 2500
    assert client.intent(failing["id"])["amount_refunded"] == 0

    events = wait_for_all_events(client, receiver)
    # Let any duplicate that is on its way arrive before counting.
    time.sleep(1.5)
    events = client.events()
    types = {event["type"] for event in events}
    expected_types = {
        "payment_intent.created", "payment_intent.succeeded", "payment_intent.payment_failed",
        "payment_intent.processing", "payment_intent.requires_action", "payment_intent.canceled",
        "refund.created", "refund.succeeded", "refund.failed",
    }
    assert expected_types <= types, f"missing event types: {expected_types - types}"
    # One event per change: 7 intents created, 6 succeeded (3 + refund_fails + retried decline + async), ...
    by_type = {t: sum(1 for e in events if e["type"] == t) for t in types}
    assert by_type["payment_intent.created"] == len(intents)
    assert by_type["payment_intent.succeeded"] == 6
    assert by_type["refund.created"] == len(refunds)
    assert by_type["refund.succeeded"] + by_type["refund.failed"] == len(refunds)

    assert_delivered_exactly_once(events, receiver)

    # The delivery log agrees: one succeeded delivery per event, at the first attempt.
    for event in events:
        deliveries = client.deliveries(event["id"])
        assert len(deliveries) == 1, deliveries
        delivery = deliveries[0]
        assert delivery["webhook_endpoint"] == endpoint["id"]
        assert delivery["status"] == "succeeded", delivery
        assert delivery["attempt_count"] == 1, delivery
        assert [a["status_code"] for a in delivery["attempts"]] == [200]

    # Standard Webhooks headers, one v1 signature (no rotation), a recent timestamp.
    for webhook in receiver.snapshot():
        assert webhook.webhook_id.startswith("evt_") or webhook.webhook_id, webhook.headers
        assert len(webhook.signatures) == 1 and webhook.signatures[0].startswith("v1,")
        assert abs(int(webhook.timestamp) - webhook.received_at) < 60
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "QUJD" * 8).verify(webhook.body, webhook.headers)


def test_failed_delivery_is_retried(sqlite_deployment, make_receiver):
    """A receiver answering 500 once gets the same event again about 5 seconds later, and the log shows both."""
    server = sqlite_deployment.start_server()
    client = sqlite_deployment.client(server)
    receiver = make_receiver(name="flaky", responder=lambda n, webhook: 500 if n == 0 else 200)
    endpoint = client.create_endpoint(receiver.url, ["payment_intent.created"])
    receiver.secrets = [endpoint["secret"]]

    intent = client.create_intent(1234)
    # The first retry is scheduled 5 s (+-10%) after the failure.
    wait_until(lambda: len(receiver.snapshot()) >= 2, 20, message="the retry after a 500")
    first, second = receiver.snapshot()[:2]
    assert first.answered == 500 and second.answered == 200
    assert first.webhook_id == second.webhook_id
    assert first.verified and second.verified
    assert first.body == second.body, "a retry must carry the same payload"
    assert 4.0 <= second.received_at - first.received_at <= 8.0, second.received_at - first.received_at

    [event] = client.events(type="payment_intent.created")
    assert event["id"] == first.webhook_id
    assert event["data"]["object"]["id"] == intent["id"]

    def logged():
        [delivery] = client.deliveries(event["id"])
        return delivery if delivery["status"] == "succeeded" else None

    delivery = wait_until(logged, 10, message="the delivery log to show success")
    assert delivery["webhook_endpoint"] == endpoint["id"]
    assert delivery["attempt_count"] == 2
    assert delivery.get("next_attempt") is None
    attempts = delivery["attempts"]
    assert [(a["status_code"], a["succeeded"]) for a in attempts] == [(500, False), (200, True)]
    assert attempts[1]["attempted_at"] - attempts[0]["attempted_at"] >= 4
    # Nothing more arrives once it succeeded.
    time.sleep(1)
    assert len(receiver.snapshot()) == 2


def test_gone_disables_the_endpoint(sqlite_deployment, make_receiver):
    """410 Gone: the endpoint is disabled, its pending deliveries canceled, and later events skip it."""
    server = sqlite_deployment.start_server()
    client = sqlite_deployment.client(server)
    gone = make_receiver(name="gone", responder=lambda n, webhook: 410)
    healthy = make_receiver(name="healthy")
    gone_endpoint = client.create_endpoint(gone.url)
    healthy_endpoint = client.create_endpoint(healthy.url)
    gone.secrets = [gone_endpoint["secret"]]
    healthy.secrets = [healthy_endpoint["secret"]]

    intent = client.create_intent(500)
    wait_until(lambda: gone.snapshot(), 10, message="the delivery to the 410 receiver")
    wait_until(lambda: client.endpoint(gone_endpoint["id"])["status"] == "disabled", 10,
               message="the endpoint answering 410 to be disabled")
    disabled = client.endpoint(gone_endpoint["id"])
    assert "410" in (disabled.get("disabled_reason") or ""), disabled

    [created] = client.events(type="payment_intent.created")
    by_endpoint = {d["webhook_endpoint"]: d for d in client.deliveries(created["id"])}
    assert by_endpoint[gone_endpoint["id"]]["status"] == "failed"
    assert [a["status_code"] for a in by_endpoint[gone_endpoint["id"]]["attempts"]] == [410]

    # Later events go to the healthy endpoint only.
    client.pay(intent["id"], "tok_visa")
    second = client.create_intent(600)
    events = wait_for_all_events(client, healthy)
    time.sleep(1)
    assert len(gone.snapshot()) == 1, [w.webhook_id for w in gone.snapshot()]
    for event in events:
        if event["id"] == created["id"]:
            continue
        endpoints = {d["webhook_endpoint"] for d in client.deliveries(event["id"])}
        assert gone_endpoint["id"] not in endpoints, f"{event['type']} was scheduled for a disabled endpoint"
    assert_delivered_exactly_once(client.events(), healthy)
    assert second["id"]


def test_secret_rotation_signs_with_both_secrets(sqlite_deployment, make_receiver):
    server = sqlite_deployment.start_server()
    client = sqlite_deployment.client(server)
    receiver = make_receiver(name="rotating")
    endpoint = client.create_endpoint(receiver.url, ["payment_intent.created"])
    old_secret = endpoint["secret"]
    receiver.secrets = [old_secret]

    client.create_intent(100)
    wait_until(lambda: len(receiver.snapshot()) == 1, 10, message="the delivery before rotation")
    before = receiver.snapshot()[0]
    assert before.verified and len(before.signatures) == 1

    rotated = client.ok(client.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret", {}), 200)
    new_secret = rotated["secret"]
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    assert "secret" not in client.endpoint(endpoint["id"]), "the secret is shown only once"
    receiver.secrets = [old_secret, new_secret]

    client.create_intent(200)
    wait_until(lambda: len(receiver.snapshot()) == 2, 10, message="the delivery after rotation")
    after = receiver.snapshot()[1]
    assert len(after.signatures) == 2, after.signature
    assert all(sig.startswith("v1,") for sig in after.signatures)
    # Verifies with each secret on its own, as receivers on either side of the switch-over do.
    assert after.verified_with == {old_secret: True, new_secret: True}, after.verify_errors
    Webhook(old_secret).verify(after.body, after.headers)
    Webhook(new_secret).verify(after.body, after.headers)
    # ... and each signature is exactly one of the two secrets' (in whatever order).
    owners = []
    for signature in after.signatures:
        single = dict(after.headers, **{"webhook-signature": signature})
        owners.append(sorted(name for name, secret in (("old", old_secret), ("new", new_secret))
                             if _verifies(secret, after.body, single)))
    assert sorted(owners) == [["new"], ["old"]], owners
    # The pre-rotation delivery does not verify with the new secret.
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret).verify(before.body, before.headers)


def _verifies(secret: str, body: bytes, headers: dict) -> bool:
    try:
        Webhook(secret).verify(body, headers)
        return True
    except WebhookVerificationError:
        return False
