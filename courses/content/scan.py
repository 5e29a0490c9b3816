"""Finding the course folders and lesson files under a content root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from courses.content.files import COURSE_FILE, SourceFile
from courses.content.problems import ContentProblem


@dataclass
class CourseSource:
    course: SourceFile
    lessons: list[SourceFile]


def scan(root: Path) -> tuple[list[CourseSource], list[ContentProblem]]:
    """Find course folders and their lesson files, reading each file's bytes once."""
    sources: list[CourseSource] = []
    errors: list[ContentProblem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and _visible(p)):
        course_md = folder / COURSE_FILE
        if not course_md.is_file():
            where = f"{folder.relative_to(root).as_posix()}/"
            errors.append(ContentProblem(where, None, None, f"course folder has no {COURSE_FILE}"))
            continue
        lessons = [
            SourceFile(path=p.relative_to(root).as_posix(), raw=p.read_bytes())
            for p in sorted(folder.glob("*.md"))
            if p.is_file() and _visible(p) and p.name != COURSE_FILE
        ]
        course = SourceFile(path=course_md.relative_to(root).as_posix(), raw=course_md.read_bytes())
        sources.append(CourseSource(course=course, lessons=lessons))
    if not sources and not errors:
        errors.append(
            ContentProblem(
                str(root), None, None, "no course folders found (each needs a course.md)"
            )
        )
    return sources, errors


def _visible(path: Path) -> bool:
    # `_drafts/`, `.git/` and the like are the author's, not content.
    return not path.name.startswith(("_", "."))
