"""Benchmark: what one app node serves, and what nginx in front of two of them serves.

    .venv/bin/python bench/cluster.py [--duration 10s] [--connections 16] [--threads 2]
    .venv/bin/python bench/cluster.py --state FILE     # a cluster already running

Starts scripts/cluster (PostgreSQL, Redis, two gunicorn nodes of WEB_CONCURRENCY workers,
nginx) unless --state names the state file of one that runs, then runs `wrk` (Debian's `wrk`
package) against the catalogue and a lesson page: against one gunicorn node directly, and
through nginx. Anonymous pages through nginx twice: as a reader gets them (from nginx's cache
while the app allows it) and with a session cookie, which nginx never answers from its cache
(what two nodes serve). A lesson page signed in (a learner made for the purpose) on one node
and through nginx. Prints requests per second, p50 and p99 latency, each ratio to one node, and
the share of the machine's CPU each part of the cluster used meanwhile (wrk's is the rest).

Everything runs on this one machine, load generator included: the numbers are what it does with
all of it at once, not what a node would do on a machine of its own. The load average before and
after is printed, since other work on the machine changes them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def cpu_seconds(state: dict) -> dict[str, float]:
    """CPU seconds used so far: by each part of the cluster (the processes of each session
    scripts/cluster started, PostgreSQL's with their children, which start sessions of their
    own), by wrk (this process's children), and by the whole machine ("busy")."""
    leaders = {}
    for line in Path(state["started"]).read_text().splitlines():
        name, pid = line.split()
        leaders[int(pid)] = "app nodes" if name.startswith("web-") else name
    postmaster = state["postgres"]["pid"]
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue
        session = postmaster if int(fields[1]) == postmaster else int(fields[3])
        if session in leaders:
            part = leaders[session]
            # Its own time and that of its children that have exited (gunicorn retires workers
            # after max_requests; PostgreSQL's backends end with their connections).
            used[part] = used.get(part, 0.0) + sum(int(value) for value in fields[11:15]) / ticks
    mine = os.times()
    used["wrk"] = mine.children_user + mine.children_system
    cpu = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    used["busy"] = (sum(cpu) - cpu[3] - cpu[4]) / ticks  # all but idle and iowait
    return used


def cpu_split(before: dict[str, float], after: dict[str, float], seconds: float) -> str:
    """Each part's share of the machine's CPU during a run, the biggest first, and what other
    work on the machine took ("elsewhere": when it is large, the numbers are not this app's)."""
    capacity = seconds * (os.cpu_count() or 1)
    shares = {part: (after[part] - before.get(part, 0.0)) / capacity for part in after}
    shares["elsewhere"] = shares.pop("busy") - sum(shares.values())
    ranked = sorted(shares.items(), key=lambda item: -item[1])
    return ", ".join(f"{part} {share:.0%}" for part, share in ranked if share >= 0.01)


def wrk(
    url: str,
    *,
    threads: int,
    connections: int,
    duration: str,
    cookie: str = "",
    script: str | None = None,
) -> dict[str, float]:
    """wrk's figures for `url`; `script` is a wrk Lua script (e.g. a POST with its body)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    if script:
        command[1:1] = ["-s", script]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def latency(percentile: str) -> float:
        line = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(line.group(1)) * UNITS[line.group(2)]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sockets.group(1) if sockets else "",
    }


def cluster_start(folder: Path) -> tuple[subprocess.Popen, dict]:
    state_path = folder / "state.json"
    log = open(folder / "cluster.log", "wb")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "cluster"), "--state", str(state_path)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 420
    while not state_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit("scripts/cluster did not start:\n" + (folder / "cluster.log").read_text())
        time.sleep(0.5)
    return process, json.loads(state_path.read_text())


LEARNER = """
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
import uuid

email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
user = get_user_model().objects.create_user(username=email, email=email)
EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
client = Client()
client.force_login(user)
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def session_make(state: dict) -> str:
    """A signed-in learner's session cookie, made in the cluster's own environment."""
    app_env = Path(state["tmp"]) / "bin" / "app-env"
    command = [str(app_env), state["python"], "manage.py", "shell", "-c", LEARNER]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return output.strip().splitlines()[-1]


def lesson_path(base: str) -> str:
    def page(path: str) -> str:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.read().decode()

    course = re.search(r'href="(/courses/[\w-]+/)"', page("/")).group(1)
    return re.search(r'href="(/courses/[\w-]+/[\w-]+/)"', page(course)).group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, help="a running cluster's state file")
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (scripts/test installs it)")

    process = None
    with tempfile.TemporaryDirectory(prefix="stream-bench-") as folder:
        if args.state:
            state = json.loads(args.state.read_text())
        else:
            print("==> starting scripts/cluster", flush=True)
            process, state = cluster_start(Path(folder))
        try:
            node = f"http://127.0.0.1:{state['web'][0]['port']}"
            front = state["url"]
            lesson = lesson_path(front)
            signed_in = f"sessionid={session_make(state)}"
            # (page, path, [(target, base URL, cookie header)])
            runs = [
                (
                    "catalogue",
                    "/",
                    [
                        ("one node", node, ""),
                        ("nginx", front, ""),
                        ("nginx, no cache", front, "sessionid=none"),
                    ],
                ),
                (
                    "lesson",
                    lesson,
                    [
                        ("one node", node, ""),
                        ("nginx", front, ""),
                        ("nginx, no cache", front, "sessionid=none"),
                    ],
                ),
                (
                    "lesson, signed in",
                    lesson,
                    [("one node", node, signed_in), ("nginx", front, signed_in)],
                ),
            ]
            workers = state["env"].get("WEB_CONCURRENCY", "?")
            print(
                f"machine: {os.cpu_count()} cores, {platform.platform()}; "
                f"{len(state['web'])} nodes of {workers} gunicorn workers; "
                f"wrk -t{args.threads} -c{args.connections} -d{args.duration}; "
                f"load average before: {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            print(
                f"{'page':<18} {'target':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'x node':>7}  errors  CPU of the machine"
            )
            for name, path, targets in runs:
                one_node = None
                for target, base, cookie in targets:
                    before, started = cpu_seconds(state), time.monotonic()
                    result = wrk(
                        base + path,
                        threads=args.threads,
                        connections=args.connections,
                        duration=args.duration,
                        cookie=cookie,
                    )
                    split = cpu_split(before, cpu_seconds(state), time.monotonic() - started)
                    one_node = one_node or result["rps"]
                    errors = result["non_2xx"] or result["socket_errors"] or 0
                    print(
                        f"{name:<18} {target:<16} {result['rps']:>8.1f} {result['p50']:>8.1f} "
                        f"{result['p99']:>8.1f} {result['rps'] / one_node:>7.2f}  {errors:<6}  "
                        f"{split}",
                        flush=True,
                    )
            print(f"load average after: {os.getloadavg()[0]:.1f}")
        finally:
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=120)


if __name__ == "__main__":
    main()
