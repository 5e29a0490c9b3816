"""The cluster (scripts/cluster) for a whole test session, and what the failure tests share."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.harness import (
    PROJECT,
    Cluster,
    Learner,
    learners_make,
    session_members,
    wait_until,
)

# scripts/cluster's exit status when something it needs cannot be had on this machine.
UNAVAILABLE = 3
# The first run may install nginx and Redis with apt-get, and .venv's packages.
START_SECONDS = 420

# What the failure tests saw and want a reader of the run to know (printed at the end).
OBSERVATIONS: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    if OBSERVATIONS:
        terminalreporter.section("cluster: what the failure tests saw")
        for line in OBSERVATIONS:
            terminalreporter.write_line(line)


def _log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """scripts/cluster in the background until the end of the session; skips the cluster tests
    when it cannot run here (exit status 3: packages not installable, the app not ready)."""
    folder = tmp_path_factory.mktemp("cluster")
    state_path, log_path = folder / "state.json", folder / "cluster.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(PROJECT / "scripts" / "cluster"), "--state", str(state_path)],
            cwd=PROJECT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not state_path.exists():
            if process.poll() is not None:
                if process.returncode == UNAVAILABLE:
                    reason = _log_tail(log_path, 1)
                    pytest.skip(f"the cluster cannot run on this machine: {reason}")
                pytest.fail(
                    f"scripts/cluster exited ({process.returncode}):\n{_log_tail(log_path)}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"scripts/cluster not up in {START_SECONDS} s:\n{_log_tail(log_path)}")
            time.sleep(0.5)
        cluster = Cluster(json.loads(state_path.read_text()))
        wait_until(lambda: cluster.status("/readyz") == 200, seconds=30, what="/readyz via nginx")
        yield cluster
    finally:
        _stop(process, state_path, log_path)


def _stop(process: subprocess.Popen, state_path: Path, log_path: Path) -> None:
    """Stop the cluster as an operator would (SIGTERM) and check that it left nothing behind."""
    leaders: set[int] = set()
    tmp = None
    if state_path.exists():
        state = json.loads(state_path.read_text())
        tmp = Path(state["tmp"])
        started = Path(state["started"])
        if started.exists():
            leaders = {int(line.split()[1]) for line in started.read_text().splitlines() if line}
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            pytest.fail(f"scripts/cluster did not stop within 60 s:\n{_log_tail(log_path)}")
    left = session_members(leaders)
    assert not left, f"processes left behind by scripts/cluster: {sorted(left)}"
    assert tmp is None or not tmp.exists(), f"{tmp} left behind"
    assert not state_path.exists(), "the state file was left behind"


@pytest.fixture(scope="session")
def lessons(cluster) -> list[str]:
    """Addresses of published lesson pages, found the way a reader finds them."""
    catalogue = cluster.get("/")
    assert catalogue.status == 200, catalogue.status
    courses = sorted(set(re.findall(r'href="(/courses/[\w-]+/)"', catalogue.body)))
    found: set[str] = set()
    for course in courses:
        page = cluster.get(course)
        found.update(re.findall(r'href="(/courses/[\w-]+/[\w-]+/)"', page.body))
    assert found, "no lesson pages linked from the catalogue"
    return sorted(found)[:6]


@pytest.fixture(scope="session")
def learners(cluster, lessons) -> list[Learner]:
    made = learners_make(cluster, 4)
    for learner in made:
        cluster.csrf_prime(learner, lessons[0])
    return made
