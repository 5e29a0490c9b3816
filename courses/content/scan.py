"""Finding the course folders and lesson files under a content root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from courses.content.files import COURSE_FILE, SourceFile
from courses.content.problems import ContentError, ContentProblem
from courses.content.reading import content_file_read, content_path_resolve


@dataclass
class CourseSource:
    course: SourceFile
    lessons: list[SourceFile]


def scan(root: Path) -> tuple[list[CourseSource], list[ContentProblem]]:
    """Find course folders and their lesson files, reading each file's bytes once.

    Symbolic links are followed while they stay inside `root` (a lesson shared by two courses,
    a course folder kept elsewhere in the tree); one that leads out of it, anything named like a
    lesson that is not a regular file, and a file over the size limit are problems
    (courses.content.reading).
    """
    sources: list[CourseSource] = []
    errors: list[ContentProblem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and _visible(p)):
        where = f"{folder.relative_to(root).as_posix()}/"
        try:
            content_path_resolve(folder, root=root, display=where, kind="a folder")
        except ContentError as exc:
            errors.extend(exc.errors)
            continue
        course_md = folder / COURSE_FILE
        if not course_md.exists() and not course_md.is_symlink():
            errors.append(ContentProblem(where, None, None, f"course folder has no {COURSE_FILE}"))
            continue
        course = _read(course_md, root, errors)
        lessons = [
            lesson
            for p in sorted(folder.glob("*.md"))
            if _visible(p) and p.name != COURSE_FILE and (lesson := _read(p, root, errors))
        ]
        if course is not None:
            sources.append(CourseSource(course=course, lessons=lessons))
    if not sources and not errors:
        errors.append(
            ContentProblem(
                str(root), None, None, "no course folders found (each needs a course.md)"
            )
        )
    return sources, errors


def _read(path: Path, root: Path, errors: list[ContentProblem]) -> SourceFile | None:
    display = path.relative_to(root).as_posix()
    try:
        return SourceFile(path=display, raw=content_file_read(path, root=root, display=display))
    except ContentError as exc:
        errors.extend(exc.errors)
        return None


def _visible(path: Path) -> bool:
    # `_drafts/`, `.git/` and the like are the author's, not content.
    return not path.name.startswith(("_", "."))
