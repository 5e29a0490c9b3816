"""Benchmark: Stream's pages against the framework floor and nginx's static limit, in one run.

    .venv/bin/python bench/pages.py [--duration 5s] [--rounds 2] [--connections 32] [--threads 2]

Starts scripts/cluster (as bench/cluster.py does: PostgreSQL, Redis, two gunicorn nodes of
WEB_CONCURRENCY=2 sync workers, nginx, production settings), fills its database with a realistic
data set (the sample content plus 1,000 generated lessons, 2,000 learners, some with completions,
200 comments in threads on the first sample lesson), then starts one more node, identical but
for DJANGO_SETTINGS_MODULE=bench.settings (bench/urls.py: production's URLs plus /bench/floor/,
a bare view: the framework floor, same settings and middleware). Then, alternating the targets
round by round, `wrk` against:

    floor             /bench/floor/ on the bench node
    lesson            the first sample lesson, anonymous, on one cluster node (its page cache)
    lesson, signed in the same page with a learner's session cookie (a real session)
    course, signed in the lesson's course page
    catalogue         /, anonymous
    progress          /progress/, signed in
    check answer      a knowledge check answered (POST, JSON back), anonymous, on the bench node
    check answer, signed in   the same by the signed-in learner (an attempt stored each time)
    nginx static      a saved copy of the anonymous lesson page, served by nginx from /static/
    lesson via nginx  the anonymous lesson page through nginx (its proxy cache)

Prints req/s (each round and their mean), p50/p99, page bytes and gzip bytes, queries per page
(CaptureQueriesContext around the test client against the same database and Redis; for cached
anonymous pages the second request, a cache hit), every ratio to the floor and to nginx static,
and the targets next to them. Everything, wrk included, runs on this one machine: see
docs/scaling.md on reading the "elsewhere" share of the CPU.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cluster import cluster_start, cpu_seconds, cpu_split, wrk  # noqa: E402
from bench.load_content import generate  # noqa: E402

LEARNERS = 2_000
COMMENTS = 200
GENERATED_LESSONS = 1_000
COMMENT_TEXT = (
    "I tried this with **my own prompts** and the `seed` mattered more than I expected. "
    "Does the same hold for video models?\n\n- first try: blurry\n- second try: fine"
)


def django_setup(state: dict) -> None:
    """This process as one more app process of the cluster: its environment, production's
    settings (so the test client sees the same database and the same Redis)."""
    for name, value in state["env"].items():
        os.environ[name] = value
    os.environ["DJANGO_SETTINGS_MODULE"] = "lessons.settings"
    import django

    django.setup()


def data_build(folder: Path) -> dict:
    """The data set; returns the measured lesson, its course and a signed-in learner's client."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from comments.models import Comment
    from courses.models import Course, Lesson
    from courses.services import content_load
    from lessons.markup import render_comment
    from progress.models import Completion

    started = time.perf_counter()
    content = folder / "content"
    shutil.copytree(settings.CONTENT_DIR, content)
    generated = folder / "generated"
    generate(generated, GENERATED_LESSONS)
    for course in sorted(generated.iterdir()):
        # After the sample courses in the catalogue (generate() numbers them from 0).
        intro = course / "course.md"
        number = int(course.name.rsplit("-", 1)[1])
        intro.write_text(
            intro.read_text().replace(f"order: {number}\n", f"order: {100 + number}\n"),
            encoding="utf-8",
        )
        shutil.move(course, content / f"bench-{course.name}")
    report = content_load(root=content)

    course = Course.objects.published().exclude(slug__startswith="course-").first()
    lesson = Lesson.objects.published().filter(course=course).order_by("order", "id").first()
    sample_lessons = list(Lesson.objects.published().filter(course=course).order_by("order"))

    users = get_user_model()
    unusable = make_password(None)
    learners = users.objects.bulk_create(
        users(
            username=f"learner-{n}@example.com",
            email=f"learner-{n}@example.com",
            password=unusable,
        )
        for n in range(LEARNERS)
    )
    now = timezone.now()
    Completion.objects.bulk_create(
        Completion(user=user, lesson=done, completed_at=now - timedelta(days=n))
        for n, user in enumerate(learners[:200])
        for done in sample_lessons[: 1 + n % len(sample_lessons)]
    )

    # 200 comments in threads: 50 top-level, 150 replies spread over them.
    rng = random.Random(1)
    html = render_comment(COMMENT_TEXT)
    when = now - timedelta(days=30)
    tops = Comment.objects.bulk_create(
        Comment(
            lesson=lesson,
            author=learners[n * 7],
            body=COMMENT_TEXT,
            body_html=html,
            created_at=when + timedelta(hours=n),
        )
        for n in range(50)
    )
    Comment.objects.bulk_create(
        Comment(
            lesson=lesson,
            author=learners[rng.randrange(LEARNERS)],
            parent=rng.choice(tops),
            body=COMMENT_TEXT,
            body_html=html,
            created_at=when + timedelta(hours=50 + n),
        )
        for n in range(COMMENTS - 50)
    )

    # The signed-in learner: a verified address, some lessons done (as the cluster's bench).
    email = "bench-reader@example.com"
    reader = users.objects.create_user(username=email, email=email)
    EmailAddress.objects.create(user=reader, email=email, verified=True, primary=True)
    Completion.objects.bulk_create(
        Completion(user=reader, lesson=done, completed_at=now) for done in sample_lessons[:3]
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    cache.clear()  # nothing cached from before the data set (bulk_create sends no signals)
    # Planner statistics for the rows just loaded, as autovacuum would gather them on a live
    # site: without them PostgreSQL plans /progress/'s per-course counts blind.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data set: {report.lessons} lessons loaded, {Lesson.objects.count()} in the database, "
        f"{users.objects.count()} users, {Completion.objects.count()} completions, "
        f"{Comment.objects.filter(lesson=lesson).count()} comments on {lesson.get_absolute_url()}"
        f" ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    check = lesson.checks.order_by("number").first()
    return {
        "lesson": lesson.get_absolute_url(),
        "course": course.get_absolute_url(),
        "check": f"/practice/checks/{check.pk}/" if check else None,
        "client": client,
        "cookie": f"{settings.SESSION_COOKIE_NAME}="
        f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
    }


# A knowledge check answered, as practice.js sends it (JSON back), signed in or not.
ANSWER_BODY = "option=1"


def queries(path: str, client, *, post: bool = False) -> tuple[int, int]:
    """Queries of one request for `path`, with the test client: the first request's (a page
    cache miss where there is one) and the second's (a hit). `post`: an answer to a check."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            if post:
                response = client.post(
                    path,
                    ANSWER_BODY,
                    content_type="application/x-www-form-urlencoded",
                    HTTP_ACCEPT="application/json",
                )
            else:
                response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(captured.captured_queries))
    return counts[0], counts[1]


def answer_script(folder: Path, *, csrf: str = "") -> str:
    """A wrk script that answers a check (with the signed-in reader's CSRF token when given)."""
    script = folder / ("answer-signed-in.lua" if csrf else "answer.lua")
    lines = [
        'wrk.method = "POST"',
        f'wrk.body = "{ANSWER_BODY}"',
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
        'wrk.headers["Accept"] = "application/json"',
    ]
    if csrf:
        lines.append(f'wrk.headers["X-CSRFToken"] = "{csrf}"')
    script.write_text("\n".join(lines) + "\n")
    return str(script)


def fetch(url: str, cookie: str = "") -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def floor_start(state: dict, folder: Path) -> tuple[subprocess.Popen, int]:
    """One more app node, as the cluster's web-start runs them, with bench.settings."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            str(Path(state["tmp"]) / "bin" / "app-env"),
            "env",
            "DJANGO_SETTINGS_MODULE=bench.settings",
            f"GUNICORN_BIND=127.0.0.1:{port}",
            ".venv/bin/gunicorn",
            "--config",
            "deploy/gunicorn.conf.py",
        ],
        cwd=ROOT,
        stdout=open(folder / "floor.log", "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            fetch(f"http://127.0.0.1:{port}/bench/floor/")
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("the bench node did not start:\n" + (folder / "floor.log").read_text())
            time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (scripts/test installs it)")

    cluster = floor = None
    with tempfile.TemporaryDirectory(prefix="stream-bench-pages-") as name:
        folder = Path(name)
        print("==> starting scripts/cluster", flush=True)
        cluster, state = cluster_start(folder)
        try:
            django_setup(state)
            print("==> building the data set", flush=True)
            data = data_build(folder)
            floor, floor_port = floor_start(state, folder)
            # The CPU accounting of bench/cluster.py, with the bench node among the app nodes.
            started = folder / "started"
            started.write_text(Path(state["started"]).read_text() + f"web-floor {floor.pid}\n")
            accounting = {**state, "started": str(started)}

            node = f"http://127.0.0.1:{state['web'][0]['port']}"
            front = state["url"]
            signed = data["cookie"]
            # The static limit: the anonymous lesson page as a file nginx serves from /static/.
            page = fetch(node + data["lesson"])
            static = Path(state["static_root"]) / "bench-lesson.html"
            static.write_bytes(page)
            static.chmod(0o644)

            # (name, URL, cookie, path for the test client or None, signed in)
            targets = [
                ("floor", f"http://127.0.0.1:{floor_port}/bench/floor/", "", None, False),
                ("lesson", node + data["lesson"], "", data["lesson"], False),
                ("lesson, signed in", node + data["lesson"], signed, data["lesson"], True),
                ("course, signed in", node + data["course"], signed, data["course"], True),
                ("catalogue", node + "/", "", "/", False),
                ("progress, signed in", node + "/progress/", signed, "/progress/", True),
                ("nginx static", front + "/static/bench-lesson.html", "", None, False),
                ("lesson via nginx", front + data["lesson"], "", None, False),
            ]
            # Answers to a knowledge check, on the bench node (its rate limit set aside).
            scripts: dict[str, str] = {}
            if data["check"]:
                bench_node = f"http://127.0.0.1:{floor_port}"
                csrf = "benchcsrftoken0123456789abcdefghijklmnopqrstuvwxyzABCD"[:32]
                answer_cookie = f"{signed}; csrftoken={csrf}"
                targets += [
                    ("check answer", bench_node + data["check"], "", data["check"], False),
                    (
                        "check answer, signed in",
                        bench_node + data["check"],
                        answer_cookie,
                        data["check"],
                        True,
                    ),
                ]
                scripts["check answer"] = answer_script(folder)
                scripts["check answer, signed in"] = answer_script(folder, csrf=csrf)

            from django.test import Client

            anonymous = Client(HTTP_HOST="127.0.0.1")
            facts = {}
            for target, url, cookie, path, signed_in in targets:
                body = b"" if target in scripts else fetch(url, cookie)
                client = data["client"] if signed_in else anonymous
                counted = queries(path, client, post=target in scripts) if path else None
                facts[target] = {
                    "bytes": len(body),
                    "gzip": len(gzip.compress(body, 6)),
                    "queries": counted,
                }

            print(
                f"machine: {os.cpu_count()} cores, {platform.platform()}, Python "
                f"{platform.python_version()}; cluster nodes and the bench node: "
                f"{state['env'].get('WEB_CONCURRENCY')} gunicorn sync workers each; "
                f"wrk -t{args.threads} -c{args.connections} -d{args.duration}, "
                f"{args.rounds} rounds alternating; load average before: "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
            results: dict[str, list[dict]] = {target: [] for target, *_ in targets}
            for round_number in range(1, args.rounds + 1):
                for target, url, cookie, *_ in targets:
                    before, began = cpu_seconds(accounting), time.monotonic()
                    result = wrk(
                        url,
                        threads=args.threads,
                        connections=args.connections,
                        duration=args.duration,
                        cookie=cookie,
                        script=scripts.get(target),
                    )
                    result["cpu"] = cpu_split(
                        before, cpu_seconds(accounting), time.monotonic() - began
                    )
                    results[target].append(result)
                    errors = result["non_2xx"] or result["socket_errors"] or 0
                    print(
                        f"  round {round_number} {target:<20} {result['rps']:>9.1f} req/s  "
                        f"p50 {result['p50']:.1f} ms  p99 {result['p99']:.1f} ms  "
                        f"errors {errors}  CPU: {result['cpu']}",
                        flush=True,
                    )
            print(f"load average after: {os.getloadavg()[0]:.1f}\n")
            table(targets, results, facts)
        finally:
            for process in (floor, cluster):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(timeout=120)


TARGETS = {
    # name: (what it is compared with, the least ratio)
    "lesson": ("floor", 0.6),
    "lesson via nginx": ("nginx static", 0.5),
    "lesson, signed in": ("floor", 0.2),
    "course, signed in": ("floor", 0.3),
    "progress, signed in": ("floor", 0.3),
}


def table(targets: list, results: dict, facts: dict) -> None:
    mean = {t: sum(r["rps"] for r in runs) / len(runs) for t, runs in results.items()}
    floor, static = mean["floor"], mean["nginx static"]
    print(
        "| page | req/s (rounds) | mean | p50 ms | p99 ms | bytes | gzip | queries (miss/hit) "
        "| × floor | × nginx static | target | met |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|")
    for target, *_ in targets:
        runs, fact = results[target], facts[target]
        rounds = " / ".join(f"{r['rps']:,.0f}" for r in runs)
        p50 = " / ".join(f"{r['p50']:.1f}" for r in runs)
        p99 = " / ".join(f"{r['p99']:.1f}" for r in runs)
        counted = fact["queries"]
        asked = "–" if counted is None else f"{counted[0]} / {counted[1]}"
        goals, met = [], []
        if target in TARGETS:
            against, least = TARGETS[target]
            ratio = mean[target] / (floor if against == "floor" else static)
            goals.append(f"≥ {least}× {against}")
            met.append("yes" if ratio >= least else "NO")
        if target == "lesson":
            goals += ["0 queries (hit)", "HTML ≤ 80 KB"]
            met += [
                "yes" if counted and counted[1] == 0 else "NO",
                "yes" if fact["bytes"] <= 80 * 1024 else "NO",
            ]
        print(
            f"| {target} | {rounds} | {mean[target]:,.0f} | {p50} | {p99} | {fact['bytes']:,} "
            f"| {fact['gzip']:,} | {asked} | {mean[target] / floor:.2f} "
            f"| {mean[target] / static:.3f} | {'; '.join(goals) or '–'} "
            f"| {'; '.join(met) or '–'} |"
        )


if __name__ == "__main__":
    main()
