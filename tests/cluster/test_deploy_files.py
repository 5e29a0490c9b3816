"""deploy/.env.example: every variable Stream reads, and a production configuration that passes
Django's deployment checks."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest

from tests.cluster.harness import PROJECT

pytestmark = pytest.mark.cluster

EXAMPLE = PROJECT / "deploy" / ".env.example"
# Read by settings but set per node by its systemd unit (stream-web@PORT), not in the env file.
PER_UNIT = {"GUNICORN_BIND"}
# Deliberately off in the example (see its comments): HSTS for subdomains and preloading.
ACCEPTED_WARNINGS = {"security.W005", "security.W021"}


def _read_by_stream() -> set[str]:
    pattern = re.compile(r"(?:environ\.get|environ\[|env_bool|env_list)\(?\s*\"([A-Z][A-Z0-9_]+)\"")
    names = set()
    for path in [*(PROJECT / "lessons").glob("*.py"), PROJECT / "deploy" / "gunicorn.conf.py"]:
        names |= set(pattern.findall(path.read_text()))
    return names


def _example() -> dict[str, str]:
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"#?([A-Z][A-Z0-9_]+)=(.*)", line.strip())
        if match:
            values[match.group(1)] = match.group(2).strip('"')
    return values


def test_the_example_names_every_variable_stream_reads():
    missing = _read_by_stream() - PER_UNIT - set(_example())
    assert not missing, f"deploy/.env.example does not mention {sorted(missing)}"


def test_the_example_environment_passes_djangos_deployment_checks(tmp_path):
    environment = {
        name: value for name, value in _example().items() if not name.startswith("EMAIL_FILE")
    }
    environment.pop("EMAIL_BACKEND", None)
    environment |= {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STATIC_ROOT": str(tmp_path / "static"),
        "CONTENT_DIR": str(PROJECT / "content"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
    )
    issues = set(re.findall(r"\(([a-z_.]+\.[EW]\d+)\)", result.stdout + result.stderr))
    assert result.returncode == 0, result.stderr[-2000:]
    assert issues <= ACCEPTED_WARNINGS, result.stdout + result.stderr
