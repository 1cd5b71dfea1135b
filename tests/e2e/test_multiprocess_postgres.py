"""Two `payhub serve` processes on one PostgreSQL database share the webhook outbox: every event reaches every
endpoint, and no process sends an event that another already sent (deliveries are leased with SKIP LOCKED)."""

from __future__ import annotations

import collections
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import assert_delivered_exactly_once, metrics_text, undelivered, wait_until

pytestmark = pytest.mark.postgres

PAYMENTS = 40
ENDPOINTS = 4


def test_two_processes_deliver_every_event_once_to_every_endpoint(postgres_deployment, make_receiver):
    deployment = postgres_deployment
    servers = [deployment.start_server(), deployment.start_server()]
    clients = [deployment.client(server) for server in servers]
    receivers = [make_receiver(name=f"ep{i}") for i in range(ENDPOINTS)]
    for index, receiver in enumerate(receivers):
        # Endpoints registered through either process: the database is the only shared state.
        endpoint = clients[index % 2].create_endpoint(receiver.url, ["*"])
        receiver.secrets = [endpoint["secret"]]

    served_by = collections.Counter()
    lock = threading.Lock()

    def pay(n: int) -> str:
        # Create on one process and pay on the other, alternating, so both write events all along.
        creator, payer = clients[n % 2], clients[(n + 1) % 2]
        intent = creator.create_intent(1000 + n)
        paid = payer.pay(intent["id"], "tok_visa")
        assert paid["status"] == "succeeded", paid
        with lock:
            served_by[n % 2] += 1
        return intent["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        intent_ids = list(pool.map(pay, range(PAYMENTS)))
    assert len(set(intent_ids)) == PAYMENTS
    assert served_by[0] and served_by[1]

    # Each payment also gets its invoice, issued by a job on either process: one `invoice.finalized` each.
    wait_until(lambda: len(clients[0].list_all("/v1/invoices")) == PAYMENTS, 60, message="one invoice per payment")
    events = clients[0].events()
    assert collections.Counter(e["type"] for e in events) == {
        "payment_intent.created": PAYMENTS, "payment_intent.succeeded": PAYMENTS, "invoice.finalized": PAYMENTS}
    assert clients[1].events() == events, "both processes must list the same events"

    def everything_delivered() -> bool:
        return all(not undelivered(events, receiver) for receiver in receivers)

    wait_until(
        everything_delivered, 60,
        message=lambda: "every event at every endpoint; missing per endpoint: "
        + str({r.name: len(undelivered(events, r)) for r in receivers}))
    # Give a duplicate that might be on its way (a second process re-sending a leased delivery) time to land.
    time.sleep(2)

    for receiver in receivers:
        assert_delivered_exactly_once(events, receiver)
        assert len(receiver.snapshot()) == len(events), f"{receiver.name}: extra requests (retries?)"

    # The delivery log agrees: one succeeded delivery per (event, endpoint), sent at the first attempt.
    endpoint_count = len(receivers)
    for event in events[:: max(1, len(events) // 20)]:
        deliveries = clients[1].deliveries(event["id"])
        assert len(deliveries) == endpoint_count, deliveries
        assert {d["status"] for d in deliveries} == {"succeeded"}, deliveries
        assert {d["attempt_count"] for d in deliveries} == {1}, deliveries

    # Each process counts what it sent: together exactly one send per (event, endpoint). One process at a time sends
    # to an endpoint (its delivery job), so which process sends depends on which took each endpoint's job first.
    sent = [metric(server, "payhub_webhook_deliveries_total", outcome="succeeded") for server in servers]
    print("deliveries sent per process:", sent)
    assert sum(sent) == len(events) * endpoint_count, sent

    for server in servers:
        assert server.alive(), server.logs()


def metric(server, name: str, **labels) -> float:
    """The value of a counter at the server's /metrics (0 when absent)."""
    text = metrics_text(server.base_url)
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total
