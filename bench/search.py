"""Benchmark: search among 1,000 generated lessons in PostgreSQL, server time per query.

    .venv/bin/python bench/search.py [--lessons 1000] [--runs 40]

Starts a throwaway PostgreSQL server (Debian's server binaries, as scripts/test does; as root it
runs it as the `postgres` user) unless BENCH_DATABASE_URL names a scratch database (it is
migrated and filled: never point it at real data). Loads the generated lessons of
bench/load_content.py, a quarter of them Korean, then asks /search/ through Django's test client
(the view, its queries and the template: what a request costs the server, without the network)
and prints the median and 95th percentile per query. Target: well under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_content import generate  # noqa: E402

KOREAN_PARAGRAPH = (
    "확산 모델은 노이즈를 조금씩 걷어내면서 그림을 만들어. 프롬프트가 방향을 잡고, 시드가 "
    "출발점을 정해. 같은 시드로 비교해야 모델의 차이가 보여."
)
QUERIES = [
    ("English word, in every lesson", "sampler"),
    ("English words, two", "evaluating prompts"),
    ("English word, in a few titles", "lesson 7-42"),
    ("typo (trigram)", "generatd"),
    ("Korean word, particle attached", "모델"),
    ("no hit", "xylophone"),
]


def koreanize(root: Path) -> None:
    """Every fourth generated lesson in Korean: `language: ko` and a Korean paragraph."""
    for index, path in enumerate(sorted(root.rglob("[0-9]*.md"))):
        if index % 4:
            continue
        text = path.read_text(encoding="utf-8")
        text = text.replace("level: 2\n", "level: 2\nlanguage: ko\n", 1)
        text = text.replace("\n!!! takeaways", f"\n{KOREAN_PARAGRAPH}\n\n!!! takeaways", 1)
        path.write_text(text, encoding="utf-8")


class QueryCount:
    """A database execute wrapper that counts the queries of a request, and the time spent
    waiting for them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def executed_ms(queryset) -> float:
    """Planning and execution time inside PostgreSQL for `queryset` (EXPLAIN ANALYZE): what the
    query costs the server, without waiting for a core on a busy machine."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]
    return plan["Planning Time"] + plan["Execution Time"]


@contextmanager
def postgres(folder: Path):
    """A throwaway PostgreSQL server; yields its DATABASE_URL."""
    if url := os.environ.get("BENCH_DATABASE_URL"):
        yield url
        return
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    pg_bin = versions[-1] if versions else Path(shutil.which("initdb") or "initdb").parent
    data = folder / "pg"
    folder.chmod(0o755)
    run_as = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        run_as = ["runuser", "-u", "postgres", "--"]
        data.mkdir()
        shutil.chown(data, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run(
        [*run_as, pg_bin / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--locale=C.UTF-8", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*run_as, pg_bin / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "-o", options,
         "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        subprocess.run(
            [pg_bin / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench"],
            check=True,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run(
            [*run_as, pg_bin / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, postgres(Path(tmp)) as database_url:
        os.environ["DATABASE_URL"] = database_url
        os.environ.setdefault("SECRET_KEY", "bench-only")
        os.environ["SEARCH_RATE_LIMIT"] = "1000000/60"  # the bench is one very busy reader
        os.environ["DJANGO_SETTINGS_MODULE"] = "lessons.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from courses.models import Lesson
        from courses.search import SearchTerms
        from courses.services import content_load

        setup_test_environment()  # responses carry their context, for the result counts
        call_command("migrate", verbosity=0)
        content = Path(tmp) / "content"
        generate(content, args.lessons)
        koreanize(content)
        started = time.perf_counter()
        content_load(root=content)
        load_seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0].split(" on ")[0]
        korean = Lesson.objects.filter(language="ko").count()
        print(
            f"{server}; {Lesson.objects.count()} lessons ({korean} Korean), loaded in "
            f"{load_seconds:.1f} s; Python {platform.python_version()}, {os.cpu_count()} cores"
        )

        client = Client()
        print(f"load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
        print(
            "\n| query | q | results | queries | median ms | p95 ms | waiting for the database, "
            "median ms | ranked page query inside PostgreSQL, best ms |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for label, query in QUERIES:
            for _warm_up in range(3):
                response = client.get("/search/", {"q": query})
            assert response.status_code == 200, response.status_code
            page = response.context["page_obj"]
            results = page.paginator.count if page else 0
            times, database = [], []
            for _run in range(args.runs):
                queries = QueryCount()
                started = time.perf_counter()
                with connection.execute_wrapper(queries):
                    client.get("/search/", {"q": query})
                times.append((time.perf_counter() - started) * 1000)
                database.append(queries.seconds * 1000)
            ranked = Lesson.objects.published().search(SearchTerms.parse(query))[:20]
            inside = min(executed_ms(ranked) for _run in range(10))
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(
                f"| {label} | `{query}` | {results} | {queries.count} | "
                f"{statistics.median(times):.1f} | {p95:.1f} | {statistics.median(database):.1f} | "
                f"{inside:.1f} |"
            )
        print(f"\nload average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
