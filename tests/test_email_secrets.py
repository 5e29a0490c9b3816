"""No email is printed with DEBUG off, however Stream is started (gunicorn, the task worker, any
manage.py command): its sign-in and password-reset links work for whoever reads the log. Without
a way to send mail the emails are kept queued (EMAIL_WITHOUT_BACKEND=queue, the default) or the
start is refused (refuse). The servers run in processes of their own, as in production, each on a
throwaway SQLite database."""

from __future__ import annotations

import http.client
import json
import os
import runpy
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from lessons.mail import (
    UNCONFIGURED_EMAIL_BACKEND,
    EmailNotConfiguredError,
    UnconfiguredEmailBackend,
)

PROJECT = Path(__file__).resolve().parent.parent
ADDRESS = "mina@example.com"
RESET_LINK = "/accounts/password/reset/key/"
SECRET_LINK = "https://stream.example.com/accounts/password/reset/key/4-secret-token/"
WARNING = "Email is not set up (DEBUG is off, EMAIL_HOST is not set)"
REFUSAL = (
    "No email can be sent: EMAIL_HOST is not set (set it, or EMAIL_WITHOUT_BACKEND=queue to "
    "start anyway and keep emails queued until it is)."
)
# A CSRF secret for the cookie, sent back unmasked in the form, as Django accepts it.
CSRF = "c" * 32


def environment(database: Path, **changes: str) -> dict[str, str]:
    """DEBUG off, no EMAIL_HOST: nothing of the run's own environment but PATH."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "tests-only-not-a-secret",
        "DATABASE_URL": f"sqlite:///{database}",
        **changes,
    }


def python(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_nothing_of_the_email(output: str) -> None:
    assert RESET_LINK not in output and "4-secret-token" not in output
    assert ADDRESS not in output
    assert "Content-Type: text/" not in output  # the console backend's rendering of a message


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A database with the tables and one learner, made once and copied for each test."""
    database = tmp_path_factory.mktemp("email-secrets") / "db.sqlite3"
    env = environment(database)
    result = python("manage.py", "migrate", "--verbosity", "0", "--skip-checks", env=env)
    assert result.returncode == 0, result.stderr
    create = (
        "from allauth.account.models import EmailAddress\n"
        "from django.contrib.auth import get_user_model\n"
        f"user = get_user_model().objects.create_user('mina', '{ADDRESS}', 'learner-pass-42')\n"
        "EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)\n"
    )
    result = python("manage.py", "shell", "--command", create, env=env)
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def database(migrated, tmp_path) -> Path:
    copy = tmp_path / "db.sqlite3"
    shutil.copy(migrated, copy)
    return copy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn as deploy/stream-web@.service starts it, with one worker."""

    def __init__(self, env: dict[str, str], folder: Path):
        self.port = free_port()
        self.log = folder / "gunicorn.log"
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "1"}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(PROJECT / "deploy/gunicorn.conf.py")],
                cwd="/",
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text()

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn stopped:\n{self.output()}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not serve in time:\n{self.output()}")

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            response.read()
            return response
        finally:
            connection.close()

    def password_reset(self, address: str) -> int:
        response = self.request(
            "POST",
            "/accounts/password/reset/",
            body=urlencode({"email": address, "csrfmiddlewaretoken": CSRF}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={CSRF}",
            },
        )
        return response.status

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        return self.output()


@pytest.fixture
def gunicorn(tmp_path) -> Iterator[Callable[[dict[str, str]], Gunicorn]]:
    started: list[Gunicorn] = []

    def start(env: dict[str, str]) -> Gunicorn:
        server = Gunicorn(env, tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def tasks(database: Path) -> list[tuple[str, dict, datetime]]:
    """The task queue's rows: status, arguments, when it may run."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT status, args_kwargs, run_after FROM django_tasks_database_dbtaskresult "
            "ORDER BY enqueued_at"
        ).fetchall()
    return [
        (status, json.loads(arguments), datetime.fromisoformat(run_after).replace(tzinfo=UTC))
        for status, arguments, run_after in rows
    ]


# --- Queue (the default): nothing sent, nothing printed, the email kept to be tried again ------


def test_a_password_reset_through_gunicorn_prints_nothing_of_the_email(database, gunicorn):
    # TASKS_BACKEND=immediate: the email is sent, or here not, inside the request.
    server = gunicorn(environment(database))
    server.wait_until_serving()
    assert server.password_reset(ADDRESS) == 302
    output = server.stop()
    assert_nothing_of_the_email(output)
    assert output.count(WARNING) == 1  # once, in the master that loads the app
    assert "Could not send '[C.W.K. Stream] Password Reset Email' (try 1 of 1)" in output


def test_the_worker_keeps_a_reset_email_queued_to_be_tried_again(database, gunicorn):
    env = environment(database, TASKS_BACKEND="database")
    server = gunicorn(env)
    server.wait_until_serving()
    assert server.password_reset(ADDRESS) == 302
    output = server.stop()
    ((status, arguments, _),) = tasks(database)
    assert status == "READY" and arguments["kwargs"].get("attempt", 1) == 1

    worker = python("manage.py", "db_worker", "--batch", "--no-startup-delay", env=env)
    assert worker.returncode == 0, worker.stderr
    output += worker.stdout + worker.stderr
    assert_nothing_of_the_email(output)
    assert WARNING in worker.stderr and "tried again after each of EMAIL_RETRY_MINUTES" in output
    assert "(try 1 of 6), trying again at" in output
    first, retry = tasks(database)
    assert first[0] == "SUCCESSFUL"  # its work done: the next try queued
    status, arguments, run_after = retry
    assert status == "READY" and arguments["kwargs"]["attempt"] == 2
    assert run_after > datetime.now(UTC)
    # The message itself waits in the queue (the database), for when EMAIL_HOST is set.
    assert arguments["kwargs"]["message"]["to"] == [ADDRESS]
    assert RESET_LINK in arguments["kwargs"]["message"]["body"]


SEND = (
    "from django.core import mail\n"
    "try:\n"
    f"    mail.send_mail('Reset', 'Follow {SECRET_LINK}', 'noreply@example.com', ['{ADDRESS}'])\n"
    "except Exception as error:\n"
    "    print('not sent:', type(error).__name__)\n"
)


@pytest.mark.parametrize(
    "command",
    [["-c", f"import lessons.wsgi\n{SEND}"], ["manage.py", "shell", "--command", SEND]],
    ids=["wsgi", "manage.py"],
)
def test_an_email_sent_by_the_app_is_not_printed_but_refused(database, command):
    result = python(*command, env=environment(database))
    assert result.returncode == 0, result.stderr
    assert "not sent: EmailNotConfiguredError" in result.stdout.splitlines()
    assert_nothing_of_the_email(result.stdout + result.stderr)
    assert WARNING in result.stderr


# --- Refuse: no start at all, with one sentence that says why -----------------------------------


@pytest.mark.parametrize(
    "command",
    [["-c", "import lessons.wsgi"], ["manage.py", "db_worker", "--batch"]],
    ids=["wsgi", "worker"],
)
def test_refuse_stops_the_start_with_one_clear_sentence(database, command):
    env = environment(database, EMAIL_WITHOUT_BACKEND="refuse", TASKS_BACKEND="database")
    result = python(*command, env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {REFUSAL}"
    )


def test_refuse_stops_gunicorn_before_it_serves(database, gunicorn):
    server = gunicorn(environment(database, EMAIL_WITHOUT_BACKEND="refuse"))
    assert server.process.wait(timeout=60) != 0
    assert REFUSAL in server.output()


# --- Which backend the settings choose --------------------------------------------------------

EMAIL_ENVIRONMENT = [
    "DEBUG", "EMAIL_HOST", "EMAIL_BACKEND", "EMAIL_CONSOLE_ALLOWED", "EMAIL_WITHOUT_BACKEND",
]  # fmt: skip
CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def email_settings(monkeypatch):
    """lessons/settings.py evaluated afresh under an environment."""

    def evaluate(**environment: str) -> dict:
        for name in EMAIL_ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(PROJECT / "lessons" / "settings.py"))

    return evaluate


@pytest.mark.parametrize(
    ("environment", "backend"),
    [
        ({}, UNCONFIGURED_EMAIL_BACKEND),
        ({"EMAIL_WITHOUT_BACKEND": "queue"}, UNCONFIGURED_EMAIL_BACKEND),
        ({"EMAIL_HOST": "smtp.example.com"}, SMTP),
        ({"EMAIL_HOST": "smtp.example.com", "EMAIL_WITHOUT_BACKEND": "refuse"}, SMTP),
        ({"DEBUG": "true"}, CONSOLE),
        ({"DEBUG": "true", "EMAIL_WITHOUT_BACKEND": "refuse"}, CONSOLE),
        ({"EMAIL_CONSOLE_ALLOWED": "true"}, CONSOLE),
    ],
    ids=["default", "queue", "smtp", "smtp-refuse", "debug", "debug-refuse", "console-allowed"],
)
def test_the_settings_print_email_only_in_debug_or_when_allowed(
    email_settings, environment, backend
):
    assert email_settings(**environment)["EMAIL_BACKEND"] == backend


def test_a_console_backend_named_outright_is_refused_with_debug_off(email_settings):
    with pytest.raises(ImproperlyConfigured, match="would print emails"):
        email_settings(EMAIL_BACKEND=CONSOLE)
    assert email_settings(EMAIL_BACKEND=CONSOLE, DEBUG="true")["EMAIL_BACKEND"] == CONSOLE


def test_an_unknown_choice_is_refused(email_settings):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_WITHOUT_BACKEND must be queue or refuse"):
        email_settings(EMAIL_WITHOUT_BACKEND="print")


def test_the_backend_fails_each_send_without_naming_the_message():
    message = mail.EmailMessage("Reset", f"Follow {SECRET_LINK}", to=[ADDRESS])
    with pytest.raises(EmailNotConfiguredError) as raised:
        UnconfiguredEmailBackend().send_messages([message])
    assert ADDRESS not in str(raised.value) and "secret" not in str(raised.value)
    assert UnconfiguredEmailBackend(fail_silently=True).send_messages([message]) == 0
    assert UnconfiguredEmailBackend().send_messages([]) == 0
