"""SIGTERM (what every deploy and restart sends) stops PayHub cleanly even while a client keeps sending requests:
the process shuts down by itself (exit code 0, never killed by the signal's default action), without a crash, and
what it acknowledged is kept.

Found while probing the pagination bug: a server stopped under traffic died of a Swift runtime trap."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests

from conftest import Client

ROUNDS = 3


def test_sigterm_under_traffic_exits_cleanly(sqlite_deployment):
    outcomes = []
    for round_ in range(ROUNDS):
        server = sqlite_deployment.start_server()
        client = sqlite_deployment.client(server)
        acknowledged: list[str] = []
        stop = threading.Event()

        def traffic(client: Client = client) -> None:
            # One keep-alive connection, as an SDK or a load balancer holds it.
            while not stop.is_set():
                try:
                    response = client.post("/v1/payment_intents", {"amount": 100, "currency": "EUR"})
                    if response.status_code == 201:
                        acknowledged.append(response.json()["id"])
                    client.get("/v1/events", limit=100)
                except requests.RequestException:
                    time.sleep(0.02)

        thread = threading.Thread(target=traffic, daemon=True)
        thread.start()
        time.sleep(0.5)
        server.proc.send_signal(signal.SIGTERM)
        try:
            code = server.proc.wait(30)
        except Exception:  # noqa: BLE001
            code = None
        stop.set()
        thread.join(10)
        server.kill()
        stderr = server.stderr_path.read_text(errors="replace")
        crashed = "Fatal error" in stderr or "Program crashed" in stderr
        outcomes.append((round_, code, crashed, [line for line in stderr.splitlines() if "Fatal error" in line][:1]))

        # Whatever happened, what was acknowledged is there after a restart.
        restarted = sqlite_deployment.start_server()
        listed = {i["id"] for i in sqlite_deployment.client(restarted).list_all("/v1/payment_intents")}
        assert set(acknowledged) <= listed, f"acknowledged intents lost: {set(acknowledged) - listed}"
        restarted.stop()

    bad = [o for o in outcomes if o[1] != 0 or o[2]]
    assert not bad, f"(round, exit code, crashed, first fatal line) of unclean stops: {bad}"
