"""A PayHub process killed with SIGKILL while a test clock's advance runs two months of daily renewals: after a
restart, the same advance finishes the work, and every period is charged exactly once (one intent per period,
one successful attempt each), whatever step the kill interrupted (a period opened but not charged, a charge sent
but its answer not recorded)."""

from __future__ import annotations

import threading
import time

import requests

START = 1_798_797_600  # 1 January 2027, 10:00 UTC
#: Enough daily renewals that the kill lands while the advance is running them.
DAYS = 120
#: The kill comes once the advance has opened this many periods (of DAYS + 1), however fast the machine is.
KILL_AT_PERIOD = 4


def subscription_intents(client, subscription_id: str) -> list[dict]:
    return [i for i in client.list_all("/v1/payment_intents") if i["metadata"].get("subscription") == subscription_id]


def test_sigkill_mid_renewal_charges_every_period_once(deployment):
    server = deployment.start_server(env={"PAYHUB_STATUS_CHECK_AGE": "1"})
    client = deployment.client(server)
    clock = client.ok(client.post("/v1/test_clocks", {"frozen_time": START, "name": "crash"}), 201)
    subscription = client.ok(client.post("/v1/subscriptions", {
        "amount": 500, "currency": "EUR", "interval": "day", "test_clock": clock["id"],
        "customer": {"email": "crash@example.com"}}), 201)
    paid = client.pay(subscription["latest_payment_intent"], "tok_visa")
    assert paid["status"] == "succeeded"
    target = START + DAYS * 86_400 + 60

    def advance() -> None:
        try:
            client.post(f"/v1/test_clocks/{clock['id']}/advance", {"frozen_time": target})
        except requests.RequestException:
            pass  # cut by the kill

    thread = threading.Thread(target=advance, daemon=True)
    thread.start()
    # Kill as soon as the advance is under way: each renewal commits on its own, so the subscription's period moves.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        current = client.get(f"/v1/subscriptions/{subscription['id']}").json().get("current_period", 1)
        if current >= KILL_AT_PERIOD:
            break
        time.sleep(0.005)
    server.kill()
    thread.join(35)

    restarted = deployment.start_server(port=server.port, env={"PAYHUB_STATUS_CHECK_AGE": "1"})
    client = deployment.client(restarted)
    client.timeout = 180  # the advance answers once all the remaining renewals ran
    before = len(subscription_intents(client, subscription["id"]))
    assert 1 <= before < DAYS + 1, f"the kill should land mid-renewal: {before} of {DAYS + 1} periods were opened"
    client.ok(client.post(f"/v1/test_clocks/{clock['id']}/advance", {"frozen_time": target}), 200)

    intents = subscription_intents(client, subscription["id"])
    periods = sorted(int(i["metadata"]["subscription_period"]) for i in intents)
    assert periods == list(range(1, DAYS + 2)), periods
    for intent in intents:
        statuses = [p["status"] for p in intent["payments"]]
        assert intent["status"] == "succeeded", (intent["id"], intent["status"], statuses)
        assert statuses == ["succeeded"], (intent["id"], statuses)
        assert intent["amount_received"] == 500
    now = client.ok(client.get(f"/v1/subscriptions/{subscription['id']}"), 200)
    assert now["status"] == "active"
    assert now["renewals_count"] == DAYS
    assert now["current_period"] == DAYS + 1
