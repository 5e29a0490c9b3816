"""deploy/gunicorn.conf.py: what the environment sets, and that preloading the app is safe."""

from __future__ import annotations

import json
import os
import runpy
import textwrap

import pytest

from tests.production.conftest import NOWHERE, PROJECT, python

CONFIG = PROJECT / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def config(monkeypatch):
    def load(**environment: str) -> dict:
        for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "LOG_FORMAT", "LOG_LEVEL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return load


def test_defaults_serve_on_the_loopback_with_two_workers_per_core_plus_one(config):
    settings = config()
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert settings["wsgi_app"] == "lessons.wsgi:application"


def test_the_environment_sets_the_address_and_the_number_of_workers(config):
    settings = config(GUNICORN_BIND="127.0.0.1:8001", WEB_CONCURRENCY="3")
    assert settings["bind"] == ["127.0.0.1:8001"]
    assert settings["workers"] == 3


def test_stuck_requests_and_slow_growth_are_bounded(config):
    settings = config()
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (30, 30, 5)
    assert settings["max_requests"] > 0 and 0 < settings["max_requests_jitter"]
    assert settings["preload_app"] is True


def test_the_access_log_goes_to_stdout_and_nothing_propagates_twice(config):
    settings = config()
    assert settings["accesslog"] == "-" and settings["errorlog"] == "-"
    logging = settings["logconfig_dict"]
    assert logging["handlers"]["access"]["stream"] == "ext://sys.stdout"
    assert all(not logger["propagate"] for logger in logging["loggers"].values())


def test_an_unknown_log_format_stops_the_start(config):
    with pytest.raises(SystemExit):
        config(LOG_FORMAT="xml")


GUNICORN_ACCESS_LINE = textwrap.dedent(
    """
    import datetime, runpy, sys
    from types import SimpleNamespace
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    values = runpy.run_path(sys.argv[1])
    config = Config()
    for name, value in values.items():
        if name in config.settings:
            config.set(name, value)
    log = Logger(config)
    headers = [("Content-Type", "text/plain"), ("X-Request-ID", "req-42")]
    response = SimpleNamespace(status="200 OK", sent=2, headers=headers)
    request = SimpleNamespace(headers=[("USER-AGENT", 'probe "quoted"')])
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/healthz", "PATH_INFO": "/healthz",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    log.access(response, request, environ, datetime.timedelta(milliseconds=12))
    """
)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_each_access_line_carries_the_request_id_the_app_answered_with(log_format):
    # gunicorn's own logger, configured from the file, in a process of its own: it configures
    # logging for the whole process.
    result = python("-c", GUNICORN_ACCESS_LINE, str(CONFIG), env={"LOG_FORMAT": log_format})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    if log_format == "text":
        assert "[req-42]" in lines[0] and '"GET /healthz HTTP/1.1" 200' in lines[0]
    else:
        line = json.loads(lines[0])
        assert line["request_id"] == "req-42"
        assert (line["logger"], line["level"], line["status"]) == ("gunicorn.access", "INFO", 200)
        assert (line["method"], line["path"]) == ("GET", "/healthz")


def test_loading_the_app_opens_no_connection_so_workers_can_be_forked_from_it():
    # What preload_app does in gunicorn's master. A database or Redis connection opened here
    # would be shared by every worker forked from it; a thread would not survive the fork.
    probe = textwrap.dedent(
        """
        import threading
        import lessons.wsgi
        from django.core.cache import caches
        from django.db import connections
        opened = [c.alias for c in connections.all(initialized_only=True) if c.connection]
        print(opened, [c for c in caches.all(initialized_only=True)], threading.active_count())
        """
    )
    environment = {
        "SECRET_KEY": "tests-only-not-a-secret",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/stream",
        "REDIS_URL": NOWHERE,
        "EMAIL_CONSOLE_ALLOWED": "true",
    }
    result = python("-c", probe, env=environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "[] [] 1"
