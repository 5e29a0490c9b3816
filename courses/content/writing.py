"""Writing course and lesson files back (export_content).

The output follows the documented format with a fixed field order. When the previous version of
the file is given, every field that still says the same thing keeps its original lines (quoting,
tag order, comments), and an unchanged body keeps its bytes, so that the diff against a
hand-written file shows only what really changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.text import normalize_newlines

from courses.content.blocks import REQUIRED_BLOCKS, SPECIAL_BLOCKS
from courses.content.files import CourseFile, LessonFile, SourceFile, markdown_normal
from courses.content.parsing import front_matter_end, parse_course, parse_lesson
from courses.content.yaml_io import SafeLoader, yaml_scalar

COURSE_FIELD_ORDER = ("title", "slug", "order", "tagline", "color", "status")
LESSON_FIELD_ORDER = (
    "title", "slug", "order", "minutes", "level", "language", "tags", "status", "publish_at",
    "reviewed",
    "xp", "summary", "persona", "links",
)  # fmt: skip
# Left out of a new file when empty: the loader's default is the same.
OMIT_WHEN_EMPTY = {"tagline", "color", "tags", "publish_at", "reviewed", "links"}
ALWAYS_QUOTED = {"summary"}  # one-liners full of punctuation: quoted, as hand-written files do


def format_course(course: CourseFile, previous: bytes | None = None) -> str:
    earlier = _previous_file(previous, lambda source: parse_course(source)[0])
    values = {name: getattr(course, name) for name in COURSE_FIELD_ORDER}
    front = _front_matter(values, COURSE_FIELD_ORDER, earlier)
    if earlier and markdown_normal(earlier.parsed.intro_md) == markdown_normal(course.intro_md):
        return front + earlier.after_front_matter
    return front + "\n" + markdown_normal(course.intro_md) + "\n"


def format_lesson(lesson: LessonFile, previous: bytes | None = None) -> str:
    earlier = _previous_file(previous, lambda source: parse_lesson(source, course_path="")[0])
    values = {name: getattr(lesson, name) for name in LESSON_FIELD_ORDER}
    front = _front_matter(values, LESSON_FIELD_ORDER, earlier)
    body_fields = ("body_md", "takeaways_md", "exercise_md", "answer_md")
    if earlier and all(
        markdown_normal(getattr(earlier.parsed, name)) == markdown_normal(getattr(lesson, name))
        for name in body_fields
    ):
        return front + earlier.after_front_matter
    # The body keeps its `!!! check` blocks in place; the lifted blocks end the file, the
    # answer (when there is one) right after the exercise, as the loader wants it.
    parts = [markdown_normal(lesson.body_md)]
    for name in SPECIAL_BLOCKS:
        text = markdown_normal(getattr(lesson, f"{name}_md"))
        if text or name in REQUIRED_BLOCKS:
            parts.append(f"!!! {name}\n" + _indent(text))
    return front + "\n" + "\n\n".join(part for part in parts if part) + "\n"


@dataclass
class _PreviousFile:
    parsed: CourseFile | LessonFile
    field_lines: dict[str, list[str]]  # the front matter lines of each field, as written
    after_front_matter: str


def _previous_file(
    raw: bytes | None, parse: Callable[[SourceFile], CourseFile | LessonFile | None]
) -> _PreviousFile | None:
    """The earlier version of a file, if it is valid; an invalid one is simply replaced."""
    if raw is None:
        return None
    parsed = parse(SourceFile(path="", raw=raw))
    if parsed is None:
        return None
    lines = normalize_newlines(raw.decode("utf-8").removeprefix("\ufeff")).split("\n")
    end = front_matter_end(lines)
    node = SafeLoader("\n".join(lines[1:end])).get_single_node()
    starts = [(str(key.value), key.start_mark.line + 1) for key, _ in node.value]
    field_lines = {}
    for index, (name, start) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else end
        field_lines[name] = lines[start:stop]
    return _PreviousFile(parsed, field_lines, "\n".join(lines[end + 1 :]))


def _front_matter(
    values: dict[str, Any], order: tuple[str, ...], earlier: _PreviousFile | None
) -> str:
    lines = ["---"]
    for name in order:
        value = values[name]
        if earlier is not None and _says_the_same(name, getattr(earlier.parsed, name), value):
            # Unchanged: keep exactly what was written, or keep leaving it out.
            lines.extend(earlier.field_lines.get(name, []))
        elif not (name in OMIT_WHEN_EMPTY and not value):
            lines.extend(_field_lines(name, value))
    lines.append("---")
    return "\n".join(lines) + "\n"


def _says_the_same(name: str, earlier: Any, now: Any) -> bool:
    if name == "tags":
        return set(earlier) == set(now)
    return earlier == now


def _field_lines(name: str, value: Any) -> list[str]:
    if name == "tags":
        return [f"tags: [{', '.join(value)}]"]
    if name == "links":
        lines = ["links:"]
        for link in value:
            lines.append(f"  - title: {yaml_scalar(link['title'])}")
            lines.append(f"    url: {yaml_scalar(link['url'])}")
        return lines
    if name == "publish_at":
        return [f"publish_at: {timezone.localtime(value).isoformat()}"]
    if name == "reviewed":
        return [f"reviewed: {value.isoformat()}"]  # unquoted: YAML reads it back as a date
    if isinstance(value, int):
        return [f"{name}: {value}"]
    return [f"{name}: {yaml_scalar(value, quoted=name in ALWAYS_QUOTED)}"]


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.split("\n"))
