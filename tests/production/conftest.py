"""What the production tests share: settings as an environment makes them, a Redis that is
not there (or a real one), and a database that goes away and comes back."""

from __future__ import annotations

import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from lessons.caching import backend as resilient_cache

PROJECT = Path(__file__).resolve().parents[2]

# Everything lessons/settings.py reads that these tests set or must not inherit from the run.
SETTINGS_ENVIRONMENT = [
    "DEBUG", "SECRET_KEY", "DATABASE_URL", "DB_CONN_MAX_AGE", "DB_CONNECT_TIMEOUT", "REDIS_URL",
    "STATIC_MANIFEST", "STATIC_ROOT", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_COOKIES", "SECURE_PROXY_SSL",
    "LOG_FORMAT", "LOG_LEVEL", "EMAIL_HOST", "EMAIL_BACKEND", "EMAIL_FILE_PATH",
    "EMAIL_CONSOLE_ALLOWED", "ALLOWED_HOSTS",
]  # fmt: skip

# The documented production environment (README), minus the database and Redis addresses.
PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "k3J9-production-like-secret-for-tests-only-qX7vT2mN8pL4wR6sY1zA5",
    "ALLOWED_HOSTS": "stream.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://stream.example.com",
    "SECURE_PROXY_SSL": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "EMAIL_HOST": "smtp.example.com",
    "STATIC_MANIFEST": "true",
    "TRUSTED_PROXY_COUNT": "1",
    "LOG_FORMAT": "json",
}

# Nothing listens on port 1 of the loopback: connecting is refused at once.
NOWHERE = "redis://127.0.0.1:1/0"


@pytest.fixture
def settings_for(monkeypatch) -> Callable[[dict[str, str]], dict[str, Any]]:
    """lessons/settings.py evaluated afresh under an environment: its names and values.

    Django's own settings are not touched; this reads what a server started with that
    environment would get.
    """

    def evaluate(environment: dict[str, str]) -> dict[str, Any]:
        for name in SETTINGS_ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(PROJECT / "lessons" / "settings.py"))

    return evaluate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh_outages() -> Iterator[None]:
    """Each test starts with Redis believed reachable (the outage state is per process)."""
    resilient_cache._outages.clear()
    yield
    resilient_cache._outages.clear()


def redis_caches(url: str) -> dict[str, dict[str, str]]:
    """Both caches (lessons.settings) on the Redis at `url`, as production without
    REDIS_PAGES_URL has them."""
    backend = "lessons.caching.backend.ResilientRedisCache"
    return {alias: {"BACKEND": backend, "LOCATION": url} for alias in ("default", "pages")}


@pytest.fixture
def redis_away(settings, fresh_outages) -> str:
    """The production cache and sessions, pointed at a Redis that is not there."""
    settings.CACHES = redis_caches(NOWHERE)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return NOWHERE


class RedisServer:
    """A throwaway redis-server on a free loopback port that can be stopped and started."""

    def __init__(self, folder: Path, *options: str):
        self.folder = folder
        self.options = list(options)  # e.g. "--maxmemory", "2mb"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Append-only file on: what Redis held comes back after a restart, as after a network
        # partition, so stale entries are possible and must be dealt with.
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.folder), "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", *self.options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


@pytest.fixture
def redis_server(tmp_path, settings, fresh_outages) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = redis_caches(server.url)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    try:
        yield server
    finally:
        server.stop()


class Database:
    """The test database, made unreachable (as a stopped PostgreSQL) and brought back."""

    def __init__(self) -> None:
        self.params = connection.settings_dict
        self.address = self.params["HOST"], self.params["PORT"]

    def leave(self) -> None:
        connection.close()
        self.params["HOST"], self.params["PORT"] = "127.0.0.1", str(free_port())

    def come_back(self) -> None:
        connection.close()
        self.params["HOST"], self.params["PORT"] = self.address


@pytest.fixture
def database() -> Iterator[Database]:
    """For tests marked postgres and django_db(transaction=True): a test transaction would not
    survive its connection being closed (nor would SQLite's in-memory test database)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (scripts/test starts one)")
    controlled = Database()
    try:
        yield controlled
    finally:
        controlled.come_back()


def python(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run .venv's Python in the project folder with exactly `env` (plus PATH)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
