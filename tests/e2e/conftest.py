"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live_server.

This is the suite's one way to launch a browser; do not add pytest-playwright beside it.
"""

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.test import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright

from courses.services import INSTRUCTOR_GROUP

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def chromium_executable() -> str | None:
    """CHROMIUM_PATH when set (scripts/test sets it), else `chromium` on PATH, else None."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    """Skip the journeys, saying why, on a machine without Chromium.

    A CHROMIUM_PATH that names no program is not skipped: launching fails and says so, since
    whoever set it expected the journeys to run.
    """
    if chromium_executable():
        return
    no_chromium = pytest.mark.skip(
        reason="needs Chromium: install Debian's 'chromium' package (scripts/test does) "
        "or set CHROMIUM_PATH"
    )
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(no_chromium)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in the test thread while it is open,
    # which makes Django refuse ORM calls there; those calls are synchronous and safe, so allow
    # them for exactly as long as the browser is up (including the database flush after a test).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable(), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()


class _ServerRequests:
    """Requests the live server (a thread of this process) is answering right now."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.last_finished = 0.0

    def started(self, **kwargs) -> None:
        with self.lock:
            self.in_flight += 1

    def finished(self, **kwargs) -> None:
        with self.lock:
            self.in_flight -= 1
            self.last_finished = time.monotonic()

    def quiet_for(self, seconds: float) -> bool:
        with self.lock:
            return self.in_flight <= 0 and time.monotonic() - self.last_finished >= seconds


_server_requests = _ServerRequests()
request_started.connect(_server_requests.started, dispatch_uid="e2e-requests-started")
request_finished.connect(_server_requests.finished, dispatch_uid="e2e-requests-finished")


@pytest.fixture(autouse=True)
def server_settles(transactional_db) -> Iterator[None]:
    """After a journey, let the requests a closing page still sends (resume.js's place, on
    pagehide) finish before the database is emptied for the next test: a write racing that
    TRUNCATE deadlocks it and leaves rows behind. Torn down before transactional_db."""
    yield
    deadline = time.monotonic() + 5
    while not _server_requests.quiet_for(0.3) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page: Page):
    """Save a full-page screenshot under artifacts/screenshots/ for a person to look at."""

    def take(name: str, on: Page | None = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (on or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def instructor(django_user_model):
    """Ines, in the instructors' group, as setup_roles makes it (the journeys sign her in)."""
    user = django_user_model.objects.create_user(
        username="ines", email="ines@example.com", password="an-instructor-pass-7", is_staff=True
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name=INSTRUCTOR_GROUP))
    return user


def signed_in(
    browser: Browser, base: str, email: str, password: str, next_path: str, **options
) -> Page:
    """A page in a browser of its own, signed in through the login form as a learner would,
    landing on `next_path`. `options` go to the browser context (English unless they say)."""
    context = browser.new_context(**{"locale": "en-US", **options})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base}{next_path}")
    return page


def session_page(browser: Browser, base: str, user, **options) -> Page:
    """A page in a browser of its own, signed in as `user` through a session made on the
    server's side (for journeys about something else than signing in)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context.new_page()


# --- axe ---
def assert_no_axe_violations(page, *, context: str | dict | None = None) -> None:
    """Run axe-core on `page` (a Page or a Frame) and fail listing every violation, of any
    impact, with the elements concerned."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    violations = results.response["violations"]
    report = "\n".join(
        f"- [{violation['impact']}] {violation['id']}: {violation['help']}\n"
        + "\n".join(f"    {' '.join(map(str, node['target']))}" for node in violation["nodes"][:10])
        for violation in violations
    )
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{report}"


# --- waiting on the page's state ---
def wait_until(page: Page, predicate: str, *, timeout: float = 10.0) -> None:
    """Poll `predicate` (a JS function source) until it returns true.

    Not `page.wait_for_function`: once its first check fails it polls by eval-ing the source
    inside the page, which our CSP (script-src 'self', no 'unsafe-eval') rightly refuses.
    `page.evaluate` goes through the DevTools protocol, which CSP does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s on {page.url}: {predicate}")
        page.wait_for_timeout(50)
