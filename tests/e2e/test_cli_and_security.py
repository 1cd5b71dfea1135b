"""The command line's messages (issue 6, section 4) and the security settings an operator sees (issue 6, 2.3, 2.5, 2.6).

Every command that fails prints one sentence on stderr and exits non-zero; `serve` says one line about migrations,
only when it applied some; `provider add` prints the configured public URL; /metrics is closed on the API port
unless configured; private webhook targets are refused unless the operator allows them (and says so at start).
"""

from __future__ import annotations

import json
import re
import subprocess

import requests

from conftest import SERVER_DEFAULTS, Deployment, free_port, wait_until


def run(deployment: Deployment, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [deployment.binary, *args, "--data-dir", str(deployment.data_dir)], env={**deployment.base_env, **(env or {})},
        cwd=str(deployment.workdir), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def assert_sentence(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0, result
    message = result.stderr.strip().splitlines()[-1]  # log lines (a migration) may come before it
    assert message.startswith("Error: "), message
    assert message.endswith((".", "!", "?")), message
    assert "APIError(" not in message and "status:" not in message, message
    for fragment in fragments:
        assert fragment in message, message


def migration_lines(text: str) -> list[str]:
    """Lines about migrations (not the banner's paths, which hold the test's name)."""
    return [line for line in text.splitlines() if re.search(r"\bmigrat", line, re.IGNORECASE)]


def test_provider_add_with_an_unknown_merchant_prints_a_sentence(sqlite_deployment: Deployment) -> None:
    result = run(sqlite_deployment, "provider", "add", "--merchant", "acct_missing", "--provider", "stripe", "--mode", "test",
                 "--credential", "secret_key=sk_test_x")
    assert_sentence(result, "No such merchant", "acct_missing")


def test_merchant_create_with_a_blank_name_prints_a_sentence(sqlite_deployment: Deployment) -> None:
    result = run(sqlite_deployment, "merchant", "create", "--name", "   ")
    assert_sentence(result, "A merchant needs a name of 1 to 200 characters")
    assert "name_invalid" not in result.stderr, "the sentence, not the service's error code"


def test_provider_add_with_an_unknown_provider_prints_a_sentence(sqlite_deployment: Deployment) -> None:
    merchant = json.loads(run(sqlite_deployment, "merchant", "create", "--name", "Shop").stdout)
    result = run(sqlite_deployment, "provider", "add", "--merchant", merchant["id"], "--provider", "nope")
    assert_sentence(result, "Unknown provider 'nope'")


def test_the_sandbox_cannot_be_added_as_a_live_provider(sqlite_deployment: Deployment) -> None:
    merchant = json.loads(run(sqlite_deployment, "merchant", "create", "--name", "Shop").stdout)
    result = run(sqlite_deployment, "provider", "add", "--merchant", merchant["id"], "--provider", "sandbox", "--mode", "live",
                 "--credential", "webhook_secret=whsec_x")
    assert_sentence(result, "no real money")


def test_a_malformed_configuration_prints_the_problems_and_exits_non_zero(sqlite_deployment: Deployment) -> None:
    result = run(sqlite_deployment, "merchant", "create", "--name", "Shop",
                 env={"PAYHUB_WEBHOOK_ALLOW_PRIVATE": "maybe", "PAYHUB_METRICS_ADDRESS": "9090"})
    assert result.returncode != 0
    assert "PAYHUB_WEBHOOK_ALLOW_PRIVATE must be true or false" in result.stderr, result.stderr
    assert "PAYHUB_METRICS_ADDRESS must be host:port" in result.stderr, result.stderr


def test_provider_add_prints_the_configured_public_url(sqlite_deployment: Deployment) -> None:
    merchant = json.loads(run(sqlite_deployment, "merchant", "create", "--name", "Shop").stdout)
    result = run(sqlite_deployment, "provider", "add", "--merchant", merchant["id"], "--provider", "stripe", "--mode", "test",
                 "--credential", "secret_key=sk_test_x", env={"PAYHUB_PUBLIC_URL": "https://hub.example.com/"})
    assert result.returncode == 0, result.stderr
    account = json.loads(result.stdout)
    assert account["webhook_url"] == f"https://hub.example.com/v1/providers/stripe/webhooks/{account['id']}"
    assert "PAYHUB_PUBLIC_URL is not set" not in result.stderr

    unset = run(sqlite_deployment, "provider", "add", "--merchant", merchant["id"], "--provider", "stripe", "--mode", "test",
                "--credential", "secret_key=sk_test_y")
    assert unset.returncode == 0, unset.stderr
    assert "PAYHUB_PUBLIC_URL is not set" in unset.stderr, "without it the operator is told the URL is a guess"


def test_serve_prints_one_migration_line_only_when_it_migrates(sqlite_deployment: Deployment) -> None:
    first = sqlite_deployment.start_server()
    first.stop()
    first_output = first.stdout_path.read_text() + first.stderr_path.read_text()
    assert len(migration_lines(first_output)) == 1, first_output
    second = sqlite_deployment.start_server()
    second.stop()
    second_output = second.stdout_path.read_text() + second.stderr_path.read_text()
    assert migration_lines(second_output) == [], second_output
    assert "PayHub is running at" in second_output


def test_migrate_says_what_it_did(sqlite_deployment: Deployment) -> None:
    first = run(sqlite_deployment, "migrate")
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(r"Applied \d+ migrations\.", first.stdout.strip()), first.stdout
    again = run(sqlite_deployment, "migrate")
    assert again.stdout.strip() == "The database is up to date.", again.stdout
    assert again.stderr.strip() == "", again.stderr


def test_metrics_are_closed_on_the_api_port_without_a_token(sqlite_deployment: Deployment) -> None:
    server = sqlite_deployment.start_server(env={"PAYHUB_METRICS_TOKEN": ""})
    assert requests.get(server.base_url + "/metrics", timeout=10).status_code == 404
    assert requests.get(server.base_url + "/metrics", timeout=10,
                        headers={"Authorization": f"Bearer {SERVER_DEFAULTS['PAYHUB_METRICS_TOKEN']}"}).status_code == 404


def test_metrics_on_the_separate_metrics_address(sqlite_deployment: Deployment) -> None:
    port = free_port()
    server = sqlite_deployment.start_server(env={"PAYHUB_METRICS_TOKEN": "", "PAYHUB_METRICS_ADDRESS": f"127.0.0.1:{port}"})
    assert requests.get(server.base_url + "/metrics", timeout=10).status_code == 404
    requests.get(server.base_url + "/healthz", timeout=10)
    text = wait_until(lambda: (lambda t: t if "payhub_http_requests_total" in t else None)(
        requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text), timeout=20, message="the metrics address")
    assert 'route="/healthz"' in text, text
    assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 404, "the metrics address serves nothing else"


def test_metrics_with_the_token(sqlite_deployment: Deployment) -> None:
    server = sqlite_deployment.start_server()
    assert requests.get(server.base_url + "/metrics", timeout=10).status_code == 404
    assert requests.get(server.base_url + "/metrics", timeout=10, headers={"Authorization": "Bearer wrong"}).status_code == 404
    response = requests.get(server.base_url + "/metrics", timeout=10,
                            headers={"Authorization": f"Bearer {SERVER_DEFAULTS['PAYHUB_METRICS_TOKEN']}"})
    assert response.status_code == 200


def test_private_webhook_targets_are_refused_unless_allowed(sqlite_deployment: Deployment, make_receiver) -> None:
    receiver = make_receiver()
    allowing = sqlite_deployment.start_server()
    assert "PAYHUB_WEBHOOK_ALLOW_PRIVATE is on" in allowing.stdout_path.read_text() + allowing.stderr_path.read_text()
    client = sqlite_deployment.client(allowing)
    endpoint = client.create_endpoint(receiver.url)
    receiver.secrets.append(endpoint["secret"])
    allowing.stop()

    # The operator turns private targets off: new ones are refused, and the old endpoint's deliveries are not sent.
    closed = sqlite_deployment.start_server(env={"PAYHUB_WEBHOOK_ALLOW_PRIVATE": "false"})
    output = closed.stdout_path.read_text() + closed.stderr_path.read_text()
    assert "PAYHUB_WEBHOOK_ALLOW_PRIVATE is on" not in output
    client = sqlite_deployment.client(closed)
    for url in ("http://169.254.169.254/latest/meta-data", f"http://127.0.0.1:{receiver.port}/x",
                f"http://2130706433:{receiver.port}/x", f"http://[::ffff:127.0.0.1]:{receiver.port}/x", "http://localhost/x"):
        refused = client.post("/v1/webhook_endpoints", {"url": url})
        assert refused.status_code == 400, (url, refused.text)
        assert refused.json()["error"]["code"] == "url_invalid"
    intent = client.create_intent()
    client.pay(intent["id"])

    def refused_attempt():
        events = client.events()
        for event in events:
            for delivery in client.deliveries(event["id"]):
                if delivery["attempts"]:
                    return delivery["attempts"][0]
        return None

    attempt = wait_until(refused_attempt, timeout=30, message="a delivery attempt")
    assert attempt["succeeded"] is False
    assert attempt.get("status_code") is None and attempt.get("response_excerpt") is None, attempt
    assert "only calls public addresses" in attempt["error"], attempt
    assert receiver.snapshot() == [], "nothing reached the private receiver"
