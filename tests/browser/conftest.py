"""Shared fixtures of PayHub's browser suite: a real `payhub` binary driven by headless Chromium through selenium.

* ``PAYHUB_BIN`` (required) is the server binary, as for tests/e2e (whose helpers this suite reuses: servers,
  the API client, free ports, waits).
* Chromium (``chromium``, or ``CHROMIUM_BIN``), chromedriver (``/usr/bin/chromedriver`` from Debian's
  ``chromium-driver``, or ``CHROMEDRIVER``) and the ``selenium`` package are needed. Without any of them every
  test of this folder is skipped with the reason.

Fixtures:

* ``make_payhub(env=None)`` / ``payhub``: a fresh PayHub (SQLite data folder of its own) with ``.base_url``,
  ``.secret_key`` and ``.api`` (tests/e2e's ``Client`` with the secret key: ``api.post``, ``api.get``,
  ``api.ok``, ``api.create_intent``...). Servers are killed at teardown.
* ``make_site(pages)`` / ``site``: a web site served by the test on 127.0.0.1, another origin than PayHub's
  (the shop's page). ``site.pages[path] = (content_type, body_or_callable, headers)``.
* ``browser`` (1280x900) and ``phone_browser`` (390x844, touch, a phone user agent): selenium drivers of
  headless Chromium, quit at teardown. ``make_browser(width, height, mobile=False)`` for others.
* ``screenshot(name)``: saves ``screenshots/<test>/<NN>-<name>.png`` of every browser of the test; a failed
  test also gets ``<NN>-failure.png`` and its browser console in the report.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"

# tests/e2e/conftest.py, loaded under its own name: its helpers, not its hooks or fixtures.
_spec = importlib.util.spec_from_file_location("payhub_e2e_support", HERE.parent / "e2e" / "conftest.py")
e2e = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = e2e
_spec.loader.exec_module(e2e)

free_port = e2e.free_port
wait_until = e2e.wait_until
Client = e2e.Client

DEFAULT_TEST_TIMEOUT = 240


def chromium_binary() -> str | None:
    configured = os.environ.get("CHROMIUM_BIN")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromedriver_binary() -> str | None:
    configured = os.environ.get("CHROMEDRIVER")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    if os.access("/usr/bin/chromedriver", os.X_OK):
        return "/usr/bin/chromedriver"
    return shutil.which("chromedriver")


def _suite_problem() -> str | None:
    """Why the browser suite cannot run here (None when it can)."""
    problem = e2e._binary_problem()
    if problem:
        return problem.replace("end-to-end suite", "browser suite")
    if chromium_binary() is None:
        return "Chromium is not installed (apt-get install chromium, or set CHROMIUM_BIN)"
    if chromedriver_binary() is None:
        return "chromedriver is not installed (apt-get install chromium-driver, or set CHROMEDRIVER)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (python3 -m pip install selenium)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    if not mine:
        return
    problem = _suite_problem()
    has_timeout = config.pluginmanager.hasplugin("timeout")
    for item in mine:
        if problem:
            item.add_marker(pytest.mark.skip(reason=problem))
        elif has_timeout and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEFAULT_TEST_TIMEOUT))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Keeps each phase's report on the item, so fixtures know at teardown whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def pytest_sessionfinish(session, exitstatus) -> None:
    """No server outlives the run, even if a fixture's teardown never ran."""
    e2e.pytest_sessionfinish(session, exitstatus)


# --------------------------------------------------------------------------------------------------------------
# PayHub.


class PayHub:
    """One running PayHub with its demo merchant."""

    def __init__(self, deployment: Any, server: Any):
        self.deployment = deployment
        self.server = server
        self.base_url = server.base_url
        self.secret_key = deployment.secret_key
        self.api: Client = deployment.client(server)

    @property
    def origin(self) -> str:
        return self.base_url

    def allow_origins(self, *origins: str) -> dict:
        """Sets the merchant's allowed embedding origins (test mode)."""
        return self.api.ok(self.api.post("/v1/checkout_settings", {"allowed_origins": list(origins)}), 200)

    def logs(self) -> str:
        return self.server.logs()


@pytest.fixture(scope="session")
def payhub_bin() -> str:
    problem = _suite_problem()
    if problem:
        pytest.skip(problem)
    return os.path.abspath(os.environ[e2e.BIN_ENV])


@pytest.fixture
def make_payhub(payhub_bin: str, tmp_path: Path):
    """`make_payhub(env=None)`: a started PayHub on a fresh SQLite data folder; `env` overrides its settings."""
    made: list[Any] = []

    def make(env: dict[str, str] | None = None) -> PayHub:
        deployment = e2e.Deployment("sqlite", payhub_bin, tmp_path / f"payhub-{len(made) + 1}")
        made.append(deployment)
        deployment.prepare()
        server = deployment.start_server(env=env)
        return PayHub(deployment, server)

    yield make
    for deployment in made:
        deployment.teardown()


@pytest.fixture
def payhub(make_payhub) -> PayHub:
    return make_payhub()


# --------------------------------------------------------------------------------------------------------------
# The shop's web site, on its own origin.


class Site:
    """A small web site on 127.0.0.1:<port>. `pages[path] = (content_type, body, headers)`; a callable body gets
    the request's query string and returns the text. Requests are recorded in `requests`."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.port = free_port()
        self.pages: dict[str, tuple[str, Any, dict[str, str]]] = {}
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def start(self) -> "Site":
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                site.requests.append(self.path)
                page = site.pages.get(parts.path)
                if page is None:
                    self.send_error(404)
                    return
                content_type, body, headers = page
                text = body(parts.query) if callable(body) else body
                data = text.encode() if isinstance(text, str) else text
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def make_site():
    made: list[Site] = []

    def make(host: str = "127.0.0.1") -> Site:
        site = Site(host).start()
        made.append(site)
        return site

    yield make
    for site in made:
        site.stop()


@pytest.fixture
def site(make_site) -> Site:
    return make_site()


# --------------------------------------------------------------------------------------------------------------
# Browsers and screenshots.


PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36")


def _new_driver(width: int, height: int, mobile: bool, language: str = "en-US"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--disable-extensions", "--hide-scrollbars", f"--window-size={width},{height}",
                     f"--lang={language}"):
        options.add_argument(argument)
    # What the browser sends as Accept-Language.
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if mobile:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": True},
            "userAgent": PHONE_USER_AGENT})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver_binary()), options=options)
    driver.set_page_load_timeout(30)
    if not mobile:
        driver.set_window_size(width, height)
    return driver


class Screenshots:
    """Numbered screenshots of a test's browsers in screenshots/<test name>/."""

    def __init__(self, test_name: str):
        self.folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.drivers: list[tuple[str, Any]] = []
        self.count = 0
        if self.folder.exists():
            shutil.rmtree(self.folder)

    def __call__(self, name: str) -> list[Path]:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for label, driver in self.drivers:
            suffix = f"-{label}" if len(self.drivers) > 1 else ""
            path = self.folder / f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}{suffix}.png"
            try:
                driver.save_screenshot(str(path))
                saved.append(path)
            except Exception:  # noqa: BLE001 - a dead browser must not hide the test's own failure
                pass
        return saved


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshots:
    """`screenshot("paid")` saves every browser of the test (see `Screenshots`)."""
    return Screenshots(request.node.name)


@pytest.fixture
def make_browser(request: pytest.FixtureRequest, screenshot: Screenshots):
    drivers: list[Any] = []

    def make(width: int = 1280, height: int = 900, mobile: bool = False, label: str | None = None, language: str = "en-US"):
        driver = _new_driver(width, height, mobile, language)
        drivers.append(driver)
        screenshot.drivers.append((label or ("phone" if mobile else "desktop"), driver))
        return driver

    yield make
    failed = any(getattr(getattr(request.node, f"report_{phase}", None), "failed", False) for phase in ("setup", "call"))
    if failed:
        screenshot("failure")
        for label, driver in screenshot.drivers:
            try:
                console = "\n".join(f"{entry['level']} {entry['message']}" for entry in driver.get_log("browser"))
                request.node.add_report_section("call", f"browser console ({label})", console or "(empty)")
                request.node.add_report_section("call", f"browser URL ({label})", driver.current_url)
            except Exception:  # noqa: BLE001
                pass
    for driver in drivers:
        try:
            driver.quit()
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture
def browser(make_browser):
    """Headless Chromium, 1280x900."""
    return make_browser(1280, 900)


@pytest.fixture
def phone_browser(make_browser):
    """Headless Chromium emulating a 390 px wide phone."""
    return make_browser(390, 844, mobile=True)


def wait_for(driver, condition: Callable[[Any], Any], timeout: float = 20, message: str = "the page"):
    """Waits until `condition(driver)` is truthy and returns it; fails with the page's URL otherwise."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)
    except TimeoutException:
        pytest.fail(f"timed out after {timeout}s waiting for {message} (at {driver.current_url})")
