"""Small content trees for loader tests, written as an instructor would write them."""

from pathlib import Path

COURSE = """---
title: {title}
slug: {slug}
order: {order}
tagline: A course for tests.
---

An introduction.
"""

LESSON = """---
title: {title}
slug: {slug}
order: {order}
minutes: {minutes}
level: 1
tags: [{tags}]
status: {status}
summary: "{summary}"
links:
  - title: Example
    url: https://example.com/
---

## First section

{body}

!!! takeaways
    - One thing to keep.

!!! exercise
    Try it yourself.
"""


def write_course(
    root: Path, folder: str = "course-a", *, slug: str | None = None, order: int = 1
) -> Path:
    path = root / folder
    path.mkdir(parents=True, exist_ok=True)
    (path / "course.md").write_text(
        COURSE.format(title=f"Course {folder}", slug=slug or folder, order=order), encoding="utf-8"
    )
    return path


def lesson_text(
    slug: str,
    *,
    order: int = 1,
    title: str | None = None,
    minutes: int = 5,
    status: str = "published",
    tags: str = "testing",
    summary: str = "한 줄 요약이야.",
    body: str = "Some text.",
) -> str:
    return LESSON.format(
        slug=slug,
        order=order,
        title=title or f"Lesson {slug}",
        minutes=minutes,
        status=status,
        tags=tags,
        summary=summary,
        body=body,
    )


def write_lesson(course_dir: Path, slug: str, **fields) -> Path:
    path = course_dir / f"{fields.get('order', 1):02d}-{slug}.md"
    path.write_text(lesson_text(slug, **fields), encoding="utf-8")
    return path
