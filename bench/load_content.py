"""Benchmark: load 1,000 generated lessons, then load them again unchanged.

    .venv/bin/python bench/load_content.py [--lessons 1000]

Uses a throwaway SQLite database in a temporary folder unless BENCH_DATABASE_URL names another
(e.g. a scratch PostgreSQL database: it is migrated and filled, so never point it at real data).
Prints the seconds for each load and their ratio. Targets on a 2-core machine: first load
<= 30 s, unchanged re-load <= 5 % of the first.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "Generative models learn the shape of their training data and sample new points from it. "
    "Each step of a sampler removes a little noise, guided by the prompt, until an image, a clip "
    "or a voice emerges. Quality depends on the data, the architecture and the care taken when "
    "evaluating results against a fixed set of prompts that reflect real work. "
)


def lesson_text(course: int, number: int) -> str:
    sections = []
    for section in range(1, 6):
        sections.append(f"## Section {section} of lesson {number}\n\n" + PARAGRAPH * 3 + "\n")
        sections.append("- a first point with `code`\n- a second point with **emphasis**\n")
    sections.append("```python\nfor step in range(30):\n    latent = denoise(latent, step)\n```\n")
    sections.append("| model | cost |\n|---|---|\n| a | 1 |\n| b | 2 |\n")
    return (
        "---\n"
        f"title: Generated lesson {course}-{number}\n"
        f"slug: lesson-{number}\n"
        f"order: {number}\n"
        "minutes: 10\n"
        "level: 2\n"
        f"tags: [bench, topic-{number % 20}]\n"
        "status: published\n"
        'summary: "벤치마크용 한 줄 정리야."\n'
        "links:\n  - title: Example\n    url: https://example.com/\n"
        "---\n\n"
        + "\n".join(sections)
        + "\n!!! takeaways\n    - One.\n    - Two.\n\n!!! exercise\n    Do the thing.\n"
    )


def generate(root: Path, lessons: int, per_course: int = 100) -> None:
    for index in range(lessons):
        course, number = divmod(index, per_course)
        folder = root / f"course-{course:03d}"
        if number == 0:
            folder.mkdir(parents=True)
            (folder / "course.md").write_text(
                f"---\ntitle: Course {course}\nslug: course-{course}\n"
                f"order: {course}\n---\n\nIntro.\n",
                encoding="utf-8",
            )
        (folder / f"{number + 1:03d}.md").write_text(
            lesson_text(course, number + 1), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        )
        os.environ.setdefault("SECRET_KEY", "bench-only")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from courses.services import content_load

        call_command("migrate", verbosity=0)
        content = tmp_path / "content"
        generate(content, args.lessons)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in content.rglob("*.md"))
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"database: {engine}; {args.lessons} lessons, {words:,} words")

        started = time.perf_counter()
        first = content_load(root=content)
        first_seconds = time.perf_counter() - started
        print(f"first load:     {first_seconds:7.2f} s  (lessons: {first.lessons})")

        started = time.perf_counter()
        again = content_load(root=content)
        again_seconds = time.perf_counter() - started
        print(f"unchanged load: {again_seconds:7.2f} s  (lessons: {again.lessons})")

        ratio = again_seconds / first_seconds
        print(f"ratio:          {ratio:7.2%}  (target <= 5 %)")
        print(
            f"first load target <= 30 s: {'met' if first_seconds <= 30 else 'NOT met'}; "
            f"re-load target: {'met' if ratio <= 0.05 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
