"""Shared fixtures of PayHub's end-to-end suite.

Everything here talks to a real `payhub` binary over HTTP:

* ``PAYHUB_BIN`` (required) is the server binary (``.build/debug/payhub`` or ``.build/release/payhub``); without
  it every test of this folder is skipped.
* ``PAYHUB_TEST_POSTGRES_URL`` (optional) is an admin URL of a PostgreSQL server, such as
  ``postgres://postgres:postgres@127.0.0.1:5432/postgres``. Each PostgreSQL test creates a fresh database
  ``payhub_e2e_<random>`` from it and drops it afterwards; without it PostgreSQL tests are skipped.

Every server process a fixture starts is killed at teardown, whatever the test did. Ports are free ports of
127.0.0.1; webhook receivers are ``http.server`` threads on 127.0.0.1.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
import requests

HERE = Path(__file__).resolve().parent

BIN_ENV = "PAYHUB_BIN"
POSTGRES_ENV = "PAYHUB_TEST_POSTGRES_URL"

#: What a test may take at most when pytest-timeout is installed (tests also bound every wait themselves).
DEFAULT_TEST_TIMEOUT = 300

#: Environment every server gets unless a test overrides it: quick workers, a short sandbox settlement, no rate
#: limiting in the way of concurrent tests.
SERVER_DEFAULTS = {
    "PAYHUB_WORKER_INTERVAL": "0.2",
    "PAYHUB_SANDBOX_DELAY": "1",
    "PAYHUB_API_RATE_LIMIT": "100000",
    "PAYHUB_WEBHOOK_TIMEOUT": "5",
    "LOG_LEVEL": "info",
    # The receivers below listen on 127.0.0.1, a private address PayHub refuses unless the operator allows it.
    "PAYHUB_WEBHOOK_ALLOW_PRIVATE": "true",
    # /metrics on the API port answers only this bearer token (see `metrics_text`).
    "PAYHUB_METRICS_TOKEN": "e2e-metrics-token-0123456789",
}


# --------------------------------------------------------------------------------------------------------------
# Collection: skip everything without a binary; bound every test when pytest-timeout is there.


def _binary_problem() -> str | None:
    """Why the suite cannot run (None when it can). A PAYHUB_BIN that is set but wrong is a usage error."""
    path = os.environ.get(BIN_ENV)
    if not path:
        return (
            f"{BIN_ENV} is not set: point it at a built payhub binary "
            f"(e.g. {BIN_ENV}=.build/debug/payhub) to run the end-to-end suite"
        )
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise pytest.UsageError(f"{BIN_ENV}={path} is not an executable file")
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (PAYHUB_TEST_POSTGRES_URL)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    if not mine:
        return
    problem = _binary_problem()
    has_timeout = config.pluginmanager.hasplugin("timeout")
    for item in mine:
        if problem:
            item.add_marker(pytest.mark.skip(reason=problem))
        elif has_timeout and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEFAULT_TEST_TIMEOUT))


# --------------------------------------------------------------------------------------------------------------
# Small helpers.


def metrics_text(base_url: str) -> str:
    """The Prometheus exposition of a server started with SERVER_DEFAULTS (its metrics token)."""
    response = requests.get(base_url + "/metrics", timeout=10,
                            headers={"Authorization": f"Bearer {SERVER_DEFAULTS['PAYHUB_METRICS_TOKEN']}"})
    response.raise_for_status()
    return response.text


LOCALSTRIPE_ENV = "PAYHUB_LOCALSTRIPE_URL"


def localstripe_url() -> str:
    """localstripe's base URL from ``PAYHUB_LOCALSTRIPE_URL``: the test is skipped when it is not set, and fails
    when localstripe does not answer there."""
    url = os.environ.get(LOCALSTRIPE_ENV, "").rstrip("/")
    if not url:
        pytest.skip(f"{LOCALSTRIPE_ENV} is not set (localstripe, e.g. http://127.0.0.1:8420)")
    try:
        requests.get(url + "/js.stripe.com/v3/", timeout=5).raise_for_status()
    except requests.RequestException as error:
        pytest.fail(f"localstripe does not answer at {url}: {error}")
    return url


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.2, message: str | Callable[[], str] = "condition"):
    """Calls `predicate` until it returns something truthy, which is returned; fails the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except (requests.RequestException, AssertionError) as error:  # retried until the deadline
            last_error = error
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            detail = f" (last error: {last_error!r})" if last_error else ""
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {text}{detail}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------------------------
# API client.


class APIError(AssertionError):
    pass


class Client:
    """A thin PayHub API client. Thread-safe: each thread keeps its own keep-alive session. POSTs are never
    retried, so a request cut by a crash raises `requests.ConnectionError` (it was not acknowledged)."""

    def __init__(self, base_url: str, secret_key: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.timeout = timeout
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self.secret_key}"
            self._local.session = session
        return session

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None,
                idempotency_key: str | None = None) -> requests.Response:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self.session.request(
            method, self.base_url + path, json=json_body, params=params, headers=headers, timeout=self.timeout)

    def post(self, path: str, body: Any = None, **kwargs) -> requests.Response:
        return self.request("POST", path, json_body=body if body is not None else {}, **kwargs)

    def get(self, path: str, **params) -> requests.Response:
        return self.request("GET", path, params=params or None)

    @staticmethod
    def ok(response: requests.Response, *statuses: int) -> dict:
        expected = statuses or (200, 201)
        if response.status_code not in expected:
            raise APIError(f"{response.request.method} {response.url} -> {response.status_code}: {response.text[:2000]}")
        return response.json()

    # Resources.

    def create_intent(self, amount: int = 1000, currency: str = "EUR", **extra) -> dict:
        return self.ok(self.post("/v1/payment_intents", {"amount": amount, "currency": currency, **extra}), 201)

    def pay(self, intent_id: str, token: str = "tok_visa", expect: Iterable[int] = (201,)) -> dict:
        response = self.post(f"/v1/payment_intents/{intent_id}/payments",
                             {"payment_method": {"type": "card", "token": token}})
        body = self.ok(response, *expect)
        return body["error"]["payment_intent"] if "error" in body else body

    def intent(self, intent_id: str) -> dict:
        return self.ok(self.get(f"/v1/payment_intents/{intent_id}"), 200)

    def refund(self, intent_id: str, amount: int | None = None) -> dict:
        body: dict = {"payment_intent": intent_id}
        if amount is not None:
            body["amount"] = amount
        return self.ok(self.post("/v1/refunds", body), 201)

    def create_endpoint(self, url: str, events: list[str] | None = None) -> dict:
        return self.ok(self.post("/v1/webhook_endpoints", {"url": url, "enabled_events": events or ["*"]}), 201)

    def endpoint(self, endpoint_id: str) -> dict:
        return self.ok(self.get(f"/v1/webhook_endpoints/{endpoint_id}"), 200)

    def deliveries(self, event_id: str) -> list[dict]:
        return self.ok(self.get(f"/v1/events/{event_id}/deliveries"), 200)["data"]

    def list_all(self, path: str, **filters) -> list[dict]:
        """Every object of a list endpoint, following `starting_after` pages of 100, each object once.

        Objects a page repeats from the previous one are dropped: on SQLite the server repeats the cursor object
        on the next page about half the time (the pagination bug test_pagination.py shows). The receivers'
        checks still catch an object a listing would skip (a delivery of an unlisted event fails them)."""
        items: list[dict] = []
        seen: set[str] = set()
        cursor = None
        for _ in range(10_000):
            params = {"limit": 100, **filters}
            if cursor:
                params["starting_after"] = cursor
            page = self.ok(self.get(path, **params), 200)
            fresh = [item for item in page["data"] if item["id"] not in seen]
            items.extend(fresh)
            seen.update(item["id"] for item in fresh)
            if not page["has_more"] or not fresh:
                return items
            cursor = page["data"][-1]["id"]
        raise AssertionError(f"{path}: pagination never ended")

    def events(self, **filters) -> list[dict]:
        return self.list_all("/v1/events", **filters)


# --------------------------------------------------------------------------------------------------------------
# Server processes.


_live_processes: list[subprocess.Popen] = []
_live_lock = threading.Lock()


def _clean_environment() -> dict[str, str]:
    """The test runner's environment without anything that configures PayHub, so no setting leaks in."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PAYHUB_") and k not in ("DATABASE_URL", "PORT", "HOST", "LOG_LEVEL")}
    return env


class ServerProcess:
    """One `payhub serve` process. Its stdout and stderr go to files named after it in the test's folder."""

    def __init__(self, binary: str, args: list[str], env: dict[str, str], port: int, log_dir: Path, name: str):
        self.port = port
        self.name = name
        self.base_url = f"http://127.0.0.1:{port}"
        self.stdout_path = log_dir / f"{name}.stdout.log"
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self._stdout = open(self.stdout_path, "wb")
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [binary, *args], env=env, stdout=self._stdout, stderr=self._stderr, stdin=subprocess.DEVNULL,
            cwd=str(log_dir))
        with _live_lock:
            _live_processes.append(self.proc)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def logs(self, tail: int = 4000) -> str:
        out = self.stdout_path.read_text(errors="replace")[-tail:]
        err = self.stderr_path.read_text(errors="replace")[-tail:]
        return f"--- {self.name} stdout ---\n{out}\n--- {self.name} stderr ---\n{err}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                pytest.fail(f"{self.name} exited with {self.proc.returncode} before it was ready\n{self.logs()}")
            try:
                if requests.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        pytest.fail(f"{self.name} was not ready within {timeout}s\n{self.logs()}")

    def kill(self) -> None:
        """SIGKILL: the crash of a process, with no chance to clean up."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        self._reap(10)

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, then SIGKILL if it has not exited after `grace` seconds."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
        self._reap(10)

    def _reap(self, timeout: float) -> None:
        try:
            self.proc.wait(timeout)
        finally:
            for handle in (self._stdout, self._stderr):
                if not handle.closed:
                    handle.close()
            with _live_lock:
                if self.proc in _live_processes:
                    _live_processes.remove(self.proc)

    def client(self, secret_key: str) -> Client:
        return Client(self.base_url, secret_key)


def pytest_sessionfinish(session, exitstatus) -> None:
    """Last resort: no server outlives the run, even if a fixture's teardown never ran."""
    with _live_lock:
        leftovers = list(_live_processes)
    for proc in leftovers:
        if proc.poll() is None:
            proc.kill()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                pass


# --------------------------------------------------------------------------------------------------------------
# Deployments: a database plus the servers that share it.


class Deployment:
    """A PayHub installation: one database (SQLite data folder or PostgreSQL database) and any number of
    `payhub serve` processes on it. Servers started through it are killed when the test ends."""

    def __init__(self, kind: str, binary: str, workdir: Path, database_url: str | None = None):
        self.kind = kind
        self.binary = binary
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self.servers: list[ServerProcess] = []
        self._merchant: dict | None = None
        self._counter = 0
        self.base_env = _clean_environment()
        self.base_env.update(SERVER_DEFAULTS)
        if kind == "postgres":
            assert database_url
            self.base_env["DATABASE_URL"] = database_url
            # Every process of a PostgreSQL deployment must share the master key.
            self.base_env["PAYHUB_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()

    def __repr__(self) -> str:
        return f"Deployment({self.kind})"

    def run_cli(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [self.binary, *args, "--data-dir", str(self.data_dir)], env=self.base_env, cwd=str(self.workdir),
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            pytest.fail(f"payhub {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        if self.kind == "postgres":
            self.run_cli("migrate")
            output = self.run_cli("merchant", "create", "--name", "E2E Shop")
            self._merchant = json.loads(output[output.index("{"): output.rindex("}") + 1])

    @property
    def merchant(self) -> dict:
        """The merchant the tests use: the demo merchant of a SQLite data folder (written by the first
        `serve`), or the one `payhub merchant create` made for PostgreSQL."""
        if self._merchant is None:
            path = self.data_dir / "demo-merchant.json"
            assert path.exists(), "start a server first: the demo merchant is created by `payhub serve`"
            self._merchant = json.loads(path.read_text())
        return self._merchant

    @property
    def secret_key(self) -> str:
        return self.merchant["secret_key_test"]

    def start_server(self, port: int | None = None, env: dict[str, str] | None = None, wait: bool = True) -> ServerProcess:
        self._counter += 1
        port = port or free_port()
        server = ServerProcess(
            self.binary, ["serve", "--data-dir", str(self.data_dir), "--port", str(port)],
            {**self.base_env, **(env or {})}, port, self.workdir, f"server{self._counter}-{port}")
        self.servers.append(server)
        if wait:
            server.wait_ready()
        return server

    def client(self, server: ServerProcess) -> Client:
        return server.client(self.secret_key)

    def teardown(self) -> None:
        for server in self.servers:
            try:
                server.kill()
            except Exception:  # noqa: BLE001 - best effort, every server must get its signal
                pass


@pytest.fixture(scope="session")
def payhub_bin() -> str:
    problem = _binary_problem()
    if problem:
        pytest.skip(problem)
    return os.path.abspath(os.environ[BIN_ENV])


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set (e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres)")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.fail("psycopg2 is needed for the PostgreSQL tests: pip install -r tests/e2e/requirements.txt")
    return url


def _database_url(admin_url: str, database: str) -> str:
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _admin_execute(admin_url: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url, connect_timeout=10)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterable[str]:
    """A fresh, empty PostgreSQL database for this test, dropped afterwards."""
    name = "payhub_e2e_" + uuid.uuid4().hex[:16]
    try:
        _admin_execute(postgres_admin_url, f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"cannot create a database with {POSTGRES_ENV}: {error}")
    try:
        yield _database_url(postgres_admin_url, name)
    finally:
        _admin_execute(postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_deployment(payhub_bin: str, tmp_path: Path, request: pytest.FixtureRequest):
    """`make_deployment("sqlite" | "postgres")`: a prepared deployment; servers are killed at teardown."""
    made: list[Deployment] = []

    def make(kind: str) -> Deployment:
        url = request.getfixturevalue("postgres_url") if kind == "postgres" else None
        deployment = Deployment(kind, payhub_bin, tmp_path / f"{kind}-{len(made) + 1}", url)
        made.append(deployment)
        deployment.prepare()
        return deployment

    yield make
    for deployment in made:
        deployment.teardown()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, make_deployment) -> Deployment:
    """The same test on the embedded SQLite database and on PostgreSQL (skipped without one)."""
    return make_deployment(request.param)


@pytest.fixture
def sqlite_deployment(make_deployment) -> Deployment:
    return make_deployment("sqlite")


@pytest.fixture
def postgres_deployment(make_deployment) -> Deployment:
    return make_deployment("postgres")


# --------------------------------------------------------------------------------------------------------------
# Webhook receivers.


@dataclasses.dataclass
class ReceivedWebhook:
    webhook_id: str
    timestamp: str
    signature: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    #: secret -> whether `standardwebhooks` verified the delivery with it (at the moment it arrived).
    verified_with: dict[str, bool]
    verify_errors: dict[str, str]
    answered: int

    @property
    def verified(self) -> bool:
        return bool(self.verified_with) and all(self.verified_with.values())

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    @property
    def signatures(self) -> list[str]:
        return self.signature.split()


class WebhookReceiver:
    """A merchant's webhook receiver: an HTTP server thread on 127.0.0.1 that verifies every delivery with the
    `standardwebhooks` package against `secrets` and records it.

    `responder(n, webhook)` picks the status to answer the n-th request (0-based) with; by default 200 when the
    delivery verifies with every secret, 400 otherwise (what a careful receiver does). Until `start()` the port is
    closed: the receiver is down."""

    def __init__(self, port: int | None = None, responder: Callable[[int, ReceivedWebhook], int] | None = None,
                 name: str = "receiver"):
        self.port = port or free_port()
        self.name = name
        self.secrets: list[str] = []
        self.responder = responder
        self.received: list[ReceivedWebhook] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/{self.name}"

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._handle({k.lower(): v for k, v in self.headers.items()}, body)
                payload = b'{"ok":true}' if 200 <= status < 300 else b'{"ok":false}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"webhook-receiver-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, headers: dict[str, str], body: bytes) -> int:
        from standardwebhooks.webhooks import Webhook

        verified: dict[str, bool] = {}
        errors: dict[str, str] = {}
        for secret in list(self.secrets):
            try:
                Webhook(secret).verify(body, headers)
                verified[secret] = True
            except Exception as error:  # noqa: BLE001 - WebhookVerificationError and malformed headers alike
                verified[secret] = False
                errors[secret] = repr(error)
        webhook = ReceivedWebhook(
            webhook_id=headers.get("webhook-id", ""), timestamp=headers.get("webhook-timestamp", ""),
            signature=headers.get("webhook-signature", ""), headers=headers, body=body, received_at=time.time(),
            verified_with=verified, verify_errors=errors, answered=0)
        with self._lock:
            index = len(self.received)
            self.received.append(webhook)
        if self.responder is not None:
            status = self.responder(index, webhook)
        else:
            status = 200 if webhook.verified else 400
        webhook.answered = status
        return status

    # Views of what arrived.

    def snapshot(self) -> list[ReceivedWebhook]:
        with self._lock:
            return list(self.received)

    def counts(self, only_successful: bool = True) -> collections.Counter:
        """How many times each webhook-id (event id) arrived (and was answered 2xx)."""
        return collections.Counter(
            w.webhook_id for w in self.snapshot() if not only_successful or 200 <= w.answered < 300)


@pytest.fixture
def make_receiver():
    """`make_receiver(...)`: a started (or, with `start=False`, down) receiver; stopped at teardown."""
    made: list[WebhookReceiver] = []

    def make(start: bool = True, **kwargs) -> WebhookReceiver:
        receiver = WebhookReceiver(name=kwargs.pop("name", f"r{len(made) + 1}"), **kwargs)
        made.append(receiver)
        return receiver.start() if start else receiver

    yield make
    for receiver in made:
        receiver.stop()


# --------------------------------------------------------------------------------------------------------------
# Shared assertions.


def undelivered(events: list[dict], receiver: WebhookReceiver) -> list[dict]:
    counts = receiver.counts()
    return [event for event in events if counts[event["id"]] == 0]


def assert_delivered_exactly_once(events: list[dict], receiver: WebhookReceiver) -> None:
    """Every event arrived at `receiver`, verified, exactly once, with the event's type and object; and
    nothing else arrived."""
    by_id = {event["id"]: event for event in events}
    received = [w for w in receiver.snapshot() if 200 <= w.answered < 300]
    counts = collections.Counter(w.webhook_id for w in received)
    missing = sorted(set(by_id) - set(counts))
    duplicated = {i: n for i, n in counts.items() if n > 1}
    unknown = sorted(set(counts) - set(by_id))
    unverified = [(w.webhook_id, w.verify_errors) for w in receiver.snapshot() if not w.verified]
    assert not missing, f"{receiver.name}: {len(missing)} of {len(by_id)} events never delivered: {missing[:10]}"
    assert not duplicated, f"{receiver.name}: events delivered more than once: {duplicated}"
    assert not unknown, f"{receiver.name}: deliveries of events GET /v1/events does not list: {unknown[:10]}"
    assert not unverified, f"{receiver.name}: deliveries that failed Standard Webhooks verification: {unverified[:5]}"
    for webhook in received:
        event = by_id[webhook.webhook_id]
        payload = webhook.payload
        assert set(payload) == {"type", "timestamp", "data"}, payload.keys()
        assert payload["type"] == event["type"]
        assert payload["data"] == event["data"]["object"], f"{event['id']}: body data differs from the event's object"
        assert webhook.headers.get("content-type", "").startswith("application/json")
