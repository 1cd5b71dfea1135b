"""Concurrent HTTP requests against one server: refunds never exceed what was captured, and one
Idempotency-Key creates one payment intent however many requests race with it."""

from __future__ import annotations

import collections
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import wait_until

REQUESTS = 50


def race(count: int, call) -> list[requests.Response]:
    """Runs `call(i)` on `count` threads released at the same moment; returns the responses in order."""
    barrier = threading.Barrier(count, timeout=30)

    def run(i: int) -> requests.Response:
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_concurrent_partial_refunds_never_exceed_the_capture(deployment):
    server = deployment.start_server(env={"PAYHUB_SANDBOX_DELAY": "1"})
    client = deployment.client(server)
    amount, part = 1000, 30
    intent = client.create_intent(amount)
    assert client.pay(intent["id"], "tok_visa")["status"] == "succeeded"

    responses = race(REQUESTS, lambda i: client.post("/v1/refunds", {"payment_intent": intent["id"], "amount": part}))

    accepted = [r.json() for r in responses if 200 <= r.status_code < 300]
    refused = [r for r in responses if not 200 <= r.status_code < 300]
    statuses = collections.Counter(r.status_code for r in responses)
    assert sum(refund["amount"] for refund in accepted) <= amount, statuses
    for response in refused:
        assert response.status_code == 400, (response.status_code, response.text)
        assert response.json()["error"]["code"] == "amount_too_large", response.text
    # Serialised correctly, exactly as many as fit are accepted: none is refused while money is left.
    assert len(accepted) == amount // part, statuses
    assert len({refund["id"] for refund in accepted}) == len(accepted)

    # After settlement, what the intent says was refunded is what the succeeded refunds add up to.
    def settled():
        refunds = client.list_all("/v1/refunds", payment_intent=intent["id"])
        return refunds if refunds and all(r["status"] != "pending" for r in refunds) else None

    refunds = wait_until(settled, 30, message="the refunds to settle")
    assert {r["id"] for r in refunds} == {r["id"] for r in accepted}, "the list shows exactly the accepted refunds"
    succeeded = sum(r["amount"] for r in refunds if r["status"] == "succeeded")
    final = client.intent(intent["id"])
    assert final["amount_refunded"] == succeeded
    assert succeeded == part * (amount // part), collections.Counter(r["status"] for r in refunds)
    assert final["amount_refunded"] <= final["amount_received"] == amount

    # What is left (10) can still be refunded; one unit more cannot.
    left = amount - succeeded
    too_much = client.post("/v1/refunds", {"payment_intent": intent["id"], "amount": left + 1})
    assert too_much.status_code == 400 and too_much.json()["error"]["code"] == "amount_too_large", too_much.text
    client.refund(intent["id"], left)

    events = client.events()
    types = collections.Counter(e["type"] for e in events)
    assert types["refund.created"] == len(accepted) + 1
    assert types["refund.succeeded"] + types["refund.failed"] >= len(accepted)


def test_concurrent_requests_with_one_idempotency_key_create_one_intent(deployment):
    server = deployment.start_server()
    client = deployment.client(server)
    key = "e2e-" + uuid.uuid4().hex
    body = {"amount": 4321, "currency": "EUR", "description": "idempotent"}

    responses = race(REQUESTS, lambda i: client.post("/v1/payment_intents", body, idempotency_key=key))

    statuses = collections.Counter(r.status_code for r in responses)
    created = [r for r in responses if r.status_code == 201]
    in_use = [r for r in responses if r.status_code == 409]
    replayed = sum(1 for r in created if r.headers.get("Idempotent-Replayed") == "true")
    print(f"{deployment.kind}: {statuses} ({replayed} replays)")
    assert len(created) + len(in_use) == REQUESTS, f"only 201 and 409 are acceptable: {statuses}"
    for response in in_use:
        assert response.json()["error"]["code"] == "idempotency_key_in_use", response.text
    assert created, statuses
    ids = {r.json()["id"] for r in created}
    assert len(ids) == 1, f"one key created several intents: {ids}"
    # Replays are the first response, byte for byte, and say so.
    first = [r for r in created if r.headers.get("Idempotent-Replayed") != "true"]
    assert len(first) <= 1, "only one response may be the original"
    assert len({r.text for r in created}) == 1, "replays must repeat the original response"

    [intent_id] = ids
    intents = client.list_all("/v1/payment_intents")
    assert [i["id"] for i in intents] == [intent_id], [i["id"] for i in intents]
    assert [e["data"]["object"]["id"] for e in client.events(type="payment_intent.created")] == [intent_id]

    # Once the first request finished, the key replays for everybody, and refuses other parameters.
    replay = client.post("/v1/payment_intents", body, idempotency_key=key)
    assert replay.status_code == 201 and replay.json()["id"] == intent_id
    assert replay.headers.get("Idempotent-Replayed") == "true"
    other = client.post("/v1/payment_intents", dict(body, amount=1), idempotency_key=key)
    assert other.status_code == 400 and other.json()["error"]["code"] == "idempotency_key_reused", other.text
    assert len(client.list_all("/v1/payment_intents")) == 1
