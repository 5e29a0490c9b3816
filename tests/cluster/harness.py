"""Talking to the cluster scripts/cluster runs: HTTP through its nginx, its database, its processes.

Only the standard library and psycopg (already one of Stream's dependencies): http.client for
requests, threads for concurrent clients.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

PROJECT = Path(__file__).resolve().parents[2]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    content: bytes
    seconds: float

    @property
    def body(self) -> str:
        return self.content.decode("utf-8", "replace")

    def cookie(self, name: str) -> str | None:
        for header in self.headers.get_all("Set-Cookie") or []:
            key, _, rest = header.partition("=")
            if key.strip() == name:
                return rest.split(";", 1)[0]
        return None


@dataclass
class Learner:
    """A signed-in learner of the cluster's site: a session made with Django's force_login."""

    id: int
    email: str
    name: str
    session: str
    csrf_cookie: str = ""
    csrf_token: str = ""

    @property
    def cookies(self) -> dict[str, str]:
        cookies = {"sessionid": self.session}
        if self.csrf_cookie:
            cookies["csrftoken"] = self.csrf_cookie
        return cookies


def is_running(pid: int) -> bool:
    """Alive and not a zombie (in a container nobody may reap orphans)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def children(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (a gunicorn master's workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def session_members(leaders: set[int]) -> set[int]:
    """Live processes whose session is led by one of these PIDs (each service runs in its own)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[3]) in leaders and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def wait_until(check: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(0.1)


class Cluster:
    """The running cluster, as its state file (written by scripts/cluster --state) describes it."""

    def __init__(self, state: dict):
        self.state = state
        self.port = urlsplit(state["url"]).port

    # --- HTTP ---------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        port: int | None = None,
        timeout: float = 10.0,
    ) -> Response:
        """One request on a new connection, redirects not followed. Raises on a broken one."""
        sent = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        return Response(response.status, response.headers, content, time.monotonic() - started)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def status(self, path: str, **kwargs) -> int | None:
        try:
            return self.get(path, timeout=3, **kwargs).status
        except OSError:
            return None

    def comment_post(self, learner: Learner, path: str, body: str, **kwargs) -> Response:
        """Post a comment (path: a lesson's comments/ address, or a comment's reply/ one)."""
        form = {"csrfmiddlewaretoken": learner.csrf_token, "body": body}
        return self.request("POST", path, form=form, cookies=learner.cookies, **kwargs)

    def signed_in_as(self, response: Response, learner: Learner) -> bool:
        """The page was made for this learner: the header names them."""
        return f'class="site-nav__me">{learner.name}<' in response.body

    def csrf_prime(self, learner: Learner, lesson: str) -> None:
        """Fetch a lesson page as the learner: it sets the CSRF cookie and holds the token."""
        response = self.get(lesson, cookies=learner.cookies)
        assert response.status == 200, f"{lesson} as {learner.email}: {response.status}"
        learner.csrf_cookie = response.cookie("csrftoken") or learner.csrf_cookie
        match = CSRF_INPUT.search(response.body)
        assert learner.csrf_cookie and match, f"no CSRF token for {learner.email} on {lesson}"
        learner.csrf_token = match.group(1)

    # --- The database, the app's environment, the processes -----------------------------------

    def sql(self, query: str, params: tuple | list = ()) -> list[tuple]:
        dsn = self.state["postgres"]["dsn"]
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as db:
            return db.execute(query, params).fetchall()

    def comment_counts(self, markers: list[str]) -> dict[str, int]:
        rows = self.sql(
            "SELECT body, count(*) FROM comments_comment WHERE body = ANY(%s) GROUP BY body",
            (markers,),
        )
        return dict(rows)

    def manage(self, *args: str, timeout: float = 120) -> str:
        """manage.py in the cluster's app environment (its env file, nothing of ours)."""
        app_env = Path(self.state["tmp"]) / "bin" / "app-env"
        result = subprocess.run(
            [str(app_env), self.state["python"], "manage.py", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}"
        return result.stdout

    def run(self, argv: list[str], timeout: float = 90) -> str:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def nginx_log_size(self) -> int:
        return Path(self.state["nginx"]["access_log"]).stat().st_size

    def nginx_log_since(self, offset: int) -> list[str]:
        """nginx's access log lines written since `offset` (see nginx_log_size)."""
        with open(self.state["nginx"]["access_log"], encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            return log.read().splitlines()

    def web_master(self, node: int) -> int | None:
        """The node's gunicorn master, from its PID file (None while there is none)."""
        try:
            return int(Path(self.state["web"][node]["pidfile"]).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    @property
    def workers_per_node(self) -> int:
        return int(self.state["env"].get("WEB_CONCURRENCY", "2"))

    def wait_for_node(self, node: int, *, seconds: float = 60) -> int:
        """Until the node's master has its full set of workers and answers /healthz."""
        port = self.state["web"][node]["port"]

        def ready() -> bool:
            master = self.web_master(node)
            return (
                master is not None
                and len(children(master)) >= self.workers_per_node
                and self.status("/healthz", port=port) == 200
            )

        wait_until(ready, seconds=seconds, what=f"the app node on port {port} to be ready")
        return self.web_master(node)

    def nodes_restore(self) -> None:
        """Start any app node a failed test left stopped, so that the next test has them all."""
        for node, web in enumerate(self.state["web"]):
            master = self.web_master(node)
            if master is None or not is_running(master):
                subprocess.run(web["start"], capture_output=True, timeout=30)
                self.wait_for_node(node)

    def wait_for_nginx_to_use(self, node: int, *, seconds: float = 20) -> None:
        """Until nginx sends requests to the node again: after a node failed, nginx tries it
        again only once fail_timeout has passed. Read from nginx's access log, which names the
        node of every request (the app's own log is buffered); the requests carry a query
        string of their own, so that no cached copy answers them."""
        address = f"upstream=127.0.0.1:{self.state['web'][node]['port']}"
        offset = self.nginx_log_size()

        def used() -> bool:
            self.status(f"/?nginx-uses={time.monotonic_ns()}")
            return any(
                address in line and "upstream_status=200" in line
                for line in self.nginx_log_since(offset)
            )

        wait_until(used, seconds=seconds, what=f"nginx to send requests to {address}")


def learners_make(cluster: Cluster, count: int) -> list[Learner]:
    """Learners with verified addresses and email notifications on, each with a session."""
    tag = uuid.uuid4().hex[:8]
    code = f"""
import json
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

made = []
for n in range({count}):
    email = f"cluster-{tag}-{{n}}@example.com"
    user = get_user_model().objects.create_user(username=email, email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile = user.learner_profile
    profile.display_name = f"Cluster {{n}}"
    profile.email_notifications = True
    profile.save()
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    made.append(
        {{"id": user.pk, "email": email, "name": profile.display_name, "session": session}}
    )
print(json.dumps(made))
"""
    output = cluster.manage("shell", "-c", code)
    return [Learner(**made) for made in json.loads(output.strip().splitlines()[-1])]


def marker(kind: str) -> str:
    """A comment text no one else will ever post: short, so that no email wraps it."""
    return f"cluster-{kind}-{uuid.uuid4().hex}"


@dataclass
class Outcome:
    method: str
    path: str
    at: float
    status: int | None = None
    error: str = ""
    marker: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status or self.error}"


@dataclass
class Load:
    """A few readers in threads, mixing page reads with comment posts, until stopped.

    Reads: the catalogue (which nginx may answer from its cache), lesson pages anonymous (with a
    query string of their own, so that the app answers them) and signed in. Posts: a comment
    with a unique marker text, by the client's own learner. Each request on a new connection,
    with a short pause between requests so that the nodes are busy but not swamped.
    """

    cluster: Cluster
    learners: list[Learner]
    lessons: list[str]
    clients: int = 4
    post_share: float = 0.25
    pause: float = 0.02
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return list(self.outcomes)

    def _client(self, n: int) -> None:
        rng = random.Random(n)
        learner = self.learners[n % len(self.learners)]
        while not self._stop.is_set():
            lesson = rng.choice(self.lessons)
            roll = rng.random()
            posting = roll < self.post_share
            if posting:
                path = f"{lesson}comments/"
                outcome = Outcome("POST", path, time.monotonic(), marker=marker("load"))
            else:
                path, cookies = [
                    ("/", None),
                    (f"{lesson}?reader={n}-{rng.random():.9f}", None),
                    (lesson, learner.cookies),
                ][int(roll * 10) % 3]
                outcome = Outcome("GET", path, time.monotonic())
            try:
                if posting:
                    response = self.cluster.comment_post(learner, outcome.path, outcome.marker)
                else:
                    response = self.cluster.get(outcome.path, cookies=cookies)
                outcome.status = response.status
            except (OSError, http.client.HTTPException) as error:
                outcome.error = f"{type(error).__name__}: {error}"
            with self._lock:
                self.outcomes.append(outcome)
            time.sleep(self.pause)


def failures(outcomes: list[Outcome], method: str) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.method == method and not outcome.ok]
