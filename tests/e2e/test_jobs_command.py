"""`payhub jobs`: the durable job scheduler's pending and failed jobs, as an operator sees them (issue 6, section 3).

The jobs live in the database, not in a process: a server that has stopped leaves its recurring jobs and a
webhook delivery that is still being retried, and the command lists them; retrying a job that has not failed is a
sentence and a non-zero exit.
"""

from __future__ import annotations

import json
import subprocess

from conftest import Deployment


def jobs(deployment: Deployment, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [deployment.binary, "jobs", *args, "--data-dir", str(deployment.data_dir)], env=deployment.base_env,
        cwd=str(deployment.workdir), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_jobs_lists_what_a_stopped_server_left_and_refuses_to_retry_a_job_that_did_not_fail(deployment: Deployment) -> None:
    server = deployment.start_server()
    client = server.client(deployment.secret_key)
    # A receiver nobody listens on: its delivery fails and waits for its retry.
    client.post("/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/nobody", "enabled_events": ["payment_intent.created"]})
    client.post("/v1/payment_intents", {"amount": 500, "currency": "EUR"})
    server.stop()

    listed = jobs(deployment, "--json")
    assert listed.returncode == 0, listed.stderr
    kinds = {job["kind"] for job in json.loads(listed.stdout)}
    assert {"status_check.sweep", "janitor.idempotency_keys", "janitor.rate_limit_buckets"} <= kinds, listed.stdout
    assert "webhook.deliver" in kinds, listed.stdout

    table = jobs(deployment, "--status", "pending")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[:3] == ["ID", "KIND", "STATUS"], table.stdout

    none_failed = jobs(deployment, "--status", "failed")
    assert none_failed.stdout.strip() == "No failed jobs.", none_failed.stdout

    pending_id = json.loads(listed.stdout)[0]["id"]
    retried = jobs(deployment, "retry", pending_id)
    assert retried.returncode != 0
    assert retried.stderr.strip().splitlines()[-1] == f"Error: There is no failed job {pending_id}.", retried.stderr
