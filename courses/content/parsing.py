"""Parsing one course or lesson file into what it says, with every problem it has."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml
from django.db import models
from django.utils.text import normalize_newlines

from courses.content.blocks import REQUIRED_BLOCKS, SpecialBlock, special_blocks_in, unindent
from courses.content.check_blocks import check_blocks_in
from courses.content.checks import field_problems, link_problems, publish_at_value, tag_problem
from courses.content.files import (
    COURSE_FIELDS,
    COURSE_REQUIRED,
    LESSON_FIELDS,
    LESSON_REQUIRED,
    STATUSES,
    CourseFile,
    LessonFile,
    SourceFile,
)
from courses.content.problems import ContentProblem, shortened, shown
from courses.content.yaml_io import YAMLAnchorError, YAMLSyntaxError, yaml_load
from courses.models import (
    DEFAULT_PERSONA,
    DEFAULT_XP,
    Course,
    Lesson,
    LessonLanguage,
    LessonLevel,
    Status,
)
from lessons.markup import MarkdownNestingError, lesson_markdown_check
from lessons.text import CONTROL_CHARACTER_MESSAGE, control_character_in

# A binary file saved as .md would hold control characters on most of its lines: the first few
# say what is wrong, and the error stays short.
CONTROL_LINES_SHOWN = 5


def parse_course(source: SourceFile) -> tuple[CourseFile | None, list[ContentProblem]]:
    parser = _FileParser(source, Course)
    parts = parser.front_matter_and_body()
    if parts is None:
        return None, parser.errors
    data, body, body_line = parts
    parser.check_fields(data, COURSE_FIELDS, COURSE_REQUIRED)
    parser.markdown_nesting(body, body_line)
    if "color" in data and data["color"] is None:
        # YAML reads an unquoted "#5b47d6" as a comment, leaving the field empty.
        parser.error('is empty: put the colour in quotes, like color: "#5b47d6"', field="color")
    course = CourseFile(
        path=source.path,
        hash=source.hash,
        title=parser.text(data, "title"),
        slug=parser.text(data, "slug"),
        order=parser.integer(data, "order", default=0),
        tagline=parser.text(data, "tagline"),
        color=parser.text(data, "color"),
        status=parser.choice(data, "status", STATUSES, default=Status.PUBLISHED.value),
        intro_md=body.strip("\n") + "\n",
        line=parser.lines.get("slug", 1),
        intro_line=body_line,
    )
    return (None if parser.errors else course), parser.errors


def parse_lesson(
    source: SourceFile, *, course_path: str
) -> tuple[LessonFile | None, list[ContentProblem]]:
    parser = _FileParser(source, Lesson)
    parts = parser.front_matter_and_body()
    if parts is None:
        return None, parser.errors
    data, body, body_line = parts
    parser.check_fields(data, LESSON_FIELDS, LESSON_REQUIRED)
    body_md, blocks = parser.special_blocks(body, body_line)
    lesson = LessonFile(
        path=source.path,
        hash=source.hash,
        course_path=course_path,
        title=parser.text(data, "title"),
        slug=parser.text(data, "slug"),
        order=parser.integer(data, "order", default=0),
        minutes=parser.integer(data, "minutes", default=0),
        level=parser.model_choice(data, "level", default=LessonLevel.BEGINNER.value),
        xp=parser.integer(data, "xp", default=DEFAULT_XP),
        language=parser.model_choice(data, "language", default=LessonLanguage.ENGLISH.value),
        status=parser.choice(data, "status", STATUSES, default=Status.DRAFT.value),
        publish_at=parser.publish_at(data),
        reviewed=parser.reviewed(data),
        summary=parser.text(data, "summary"),
        persona=parser.text(data, "persona") or DEFAULT_PERSONA,
        tags=parser.tags(data),
        links=parser.links(data),
        body_md=body_md,
        takeaways_md=blocks.get("takeaways", ""),
        exercise_md=blocks.get("exercise", ""),
        answer_md=blocks.get("answer", ""),
        lines={**parser.lines, "body": body_line},
    )
    return (None if parser.errors else lesson), parser.errors


class _FileParser:
    """Parses one file, collecting every problem it finds rather than stopping at the first.

    Each field is checked by the model field of the same name (`model`), so a file and the admin
    form are held to the same limits, in the same words.
    """

    def __init__(self, source: SourceFile, model: type[models.Model]):
        self.path = source.path
        self.raw = source.raw
        self.model = model
        self.errors: list[ContentProblem] = []
        self.lines: dict[str, int] = {}
        self.front_matter_line = 1

    def error(self, message: str, *, field: str | None = None, line: int | None = None) -> None:
        if line is None and field is not None:
            line = self.lines.get(field, self.front_matter_line)
        self.errors.append(ContentProblem(self.path, line, field, message))

    def front_matter_and_body(self) -> tuple[dict[str, Any], str, int] | None:
        text = self.decode()
        return self.split(text) if text is not None else None

    def decode(self) -> str | None:
        try:
            text = self.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = self.raw[: exc.start].count(b"\n") + 1
            self.error(
                f"not valid UTF-8 text (byte 0x{self.raw[exc.start]:02x}); save the file as UTF-8",
                line=line,
            )
            return None
        text = normalize_newlines(text.removeprefix("\ufeff"))
        return None if self.control_characters(text) else text

    def control_characters(self, text: str) -> bool:
        """Report the lines holding a control character (lessons.text), which the admin's forms
        refuse too; whether there was one. Lines are counted at newlines alone, as for every
        other problem: str.splitlines() would also end a line at some of those characters."""
        found = [
            (number, character)
            for number, line in enumerate(text.split("\n"), start=1)
            if (character := control_character_in(line))
        ]
        for number, character in found[:CONTROL_LINES_SHOWN]:
            self.error(str(CONTROL_CHARACTER_MESSAGE % {"character": character}), line=number)
        if len(found) > CONTROL_LINES_SHOWN:
            more = len(found) - CONTROL_LINES_SHOWN
            self.error(f"and {more} more lines with control characters", line=found[-1][0])
        return bool(found)

    def split(self, text: str) -> tuple[dict[str, Any], str, int] | None:
        """Return (front matter, body, line number where the body starts)."""
        lines = text.split("\n")
        if not lines or lines[0].rstrip() != "---":
            self.error(
                "must start with YAML front matter: a line '---', the fields, then '---'", line=1
            )
            return None
        end = front_matter_end(lines)
        if end is None:
            self.error("front matter is not closed: add a line '---' after the fields", line=1)
            return None
        data = self.load_yaml("\n".join(lines[1:end]), first_line=2)
        if data is None:
            return None
        return data, "\n".join(lines[end + 1 :]), end + 2

    def load_yaml(self, text: str, *, first_line: int) -> dict[str, Any] | None:
        try:
            data, node = yaml_load(text)
        except YAMLSyntaxError as exc:
            line = first_line + exc.line if exc.line is not None else first_line
            if isinstance(exc, YAMLAnchorError):
                self.error(exc.problem, line=line)
            else:
                self.error(f"broken YAML in the front matter: {exc.problem}", line=line)
            return None
        if not isinstance(data, dict):
            self.error("front matter must be a set of 'field: value' lines", line=first_line)
            return None
        for key_node, value_node in node.value:
            self.lines[str(key_node.value)] = first_line + key_node.start_mark.line
            if key_node.value == "links" and isinstance(value_node, yaml.SequenceNode):
                for index, item in enumerate(value_node.value):
                    self.lines[f"links[{index}]"] = first_line + item.start_mark.line
        self.front_matter_line = first_line
        return data

    def check_fields(
        self, data: dict[str, Any], allowed: set[str], required: tuple[str, ...]
    ) -> None:
        for name in data:
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(f"unknown field (known fields: {known})", field=shortened(str(name)))
        for name in required:
            if data.get(name) in (None, ""):
                self.error("missing required field", field=name, line=self.front_matter_line)

    def check_model_field(self, name: str, value: Any) -> None:
        for message in field_problems(self.model, name, value):
            self.error(message, field=name)

    def text(self, data: dict[str, Any], name: str) -> str:
        value = data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error("must be text (put it in quotes)", field=name)
            return ""
        value = value.strip()
        self.check_model_field(name, value)
        return value

    def integer(self, data: dict[str, Any], name: str, *, default: int) -> int:
        value = data.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"must be a whole number, not {shown(value)}", field=name)
            return default
        self.check_model_field(name, value)
        return value

    def model_choice(self, data: dict[str, Any], name: str, *, default: Any) -> Any:
        value = data.get(name)
        if value is None:
            return default
        problems = field_problems(self.model, name, value)
        for message in problems:
            self.error(message, field=name)
        return default if problems else value

    def choice(self, data: dict[str, Any], name: str, choices, *, default: Any) -> Any:
        value = data.get(name, default)
        if value is None:
            return default
        if value not in choices:
            allowed = " or ".join(str(choice) for choice in choices)
            self.error(f"unknown {name} {shown(value)}: use {allowed}", field=name)
            return default
        return value

    def tags(self, data: dict[str, Any]) -> list[str]:
        value = data.get("tags")
        if value is None:
            return []
        if not isinstance(value, list):
            self.error("must be a list, e.g. [diffusion, image]", field="tags")
            return []
        tags: list[str] = []
        for tag in value:
            if message := tag_problem(tag):
                self.error(message, field="tags")
            elif tag not in tags:
                tags.append(tag)
        return tags

    def links(self, data: dict[str, Any]) -> list[dict[str, str]]:
        value = data.get("links")
        if value is None:
            return []
        links, problems = link_problems(value)
        for index, message in problems:
            if index is None:
                self.error(message, field="links")
            else:
                line = self.lines.get(f"links[{index}]", self.lines.get("links"))
                self.error(message, field=f"links[{index + 1}]", line=line)
        return links

    def publish_at(self, data: dict[str, Any]) -> datetime | None:
        value = data.get("publish_at")
        if value is None:
            return None
        try:
            return publish_at_value(value)
        except ValueError:
            self.error(
                f"{shown(value)} is not a date and time: write it like 2025-06-01 09:00:00",
                field="publish_at",
            )
            return None

    def reviewed(self, data: dict[str, Any]) -> date | None:
        value = data.get("reviewed")
        if value is None:
            return None
        # YAML reads an unquoted 2026-11-03 as a date, and 2026-11-03 10:00 as a datetime.
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip()) if len(value.strip()) == 10 else value
            except ValueError:
                pass
        if isinstance(value, datetime):
            written = value.isoformat(sep=" ")
            message = f"{written} has a time: write only the day, like 2026-11-03"
            self.error(message, field="reviewed")
            return None
        if not isinstance(value, date):
            self.error(f"{shown(value)} is not a date: write it like 2026-11-03", field="reviewed")
            return None
        problems = field_problems(self.model, "reviewed", value)
        for message in problems:
            self.error(message, field="reviewed")
        return None if problems else value

    def special_blocks(self, body: str, first_line: int) -> tuple[str, dict[str, str]]:
        """Lift the top-level `!!! takeaways`, `!!! exercise` and `!!! answer` blocks out of the
        body, and check its `!!! check` blocks (which stay where they are)."""
        lines = body.split("\n")
        blocks: dict[str, str] = {}
        lifted: set[int] = set()
        lifted_blocks = special_blocks_in(body)
        exercise_ends = {block.end for block in lifted_blocks if block.name == "exercise"}
        for block in lifted_blocks:
            lifted.update(range(block.start, block.end))
            line = first_line + block.start
            if block.name in blocks:
                at_most = "at most" if block.name == "answer" else "exactly"
                self.error(
                    f"a second '!!! {block.name}' block; a lesson has {at_most} one",
                    field=block.name,
                    line=line,
                )
            elif block.name == "answer" and block.start not in exercise_ends:
                self.error(
                    "the '!!! answer' block must come right after the '!!! exercise' block",
                    field="answer",
                    line=line,
                )
            elif not block.text.strip():
                self.error(
                    f"'!!! {block.name}' block is empty: indent its content by four spaces",
                    field=block.name,
                    line=line,
                )
            blocks[block.name] = block.text
        for name in REQUIRED_BLOCKS:
            if name not in blocks:
                self.error(
                    f"missing '!!! {name}' block "
                    f"(a line '!!! {name}' followed by indented markdown)",
                    field=name,
                    line=first_line,
                )
        for problem in check_blocks_in(body)[1]:
            self.error(problem.message, line=first_line + problem.line)
        kept = [line for index, line in enumerate(lines) if index not in lifted]
        self.markdown_nesting("\n".join(_as_rendered(lines, lifted_blocks)), first_line)
        return "\n".join(kept).strip("\n") + "\n", blocks

    def markdown_nesting(self, markdown: str, first_line: int) -> None:
        """Markdown nested deeper than the renderer takes, reported where the nesting starts
        (the renderer would only raise when the lesson is saved)."""
        try:
            lesson_markdown_check(markdown)
        except MarkdownNestingError as exc:
            self.error(exc.message(first_line), line=exc.line_in_file(first_line))


def _as_rendered(lines: list[str], blocks: list[SpecialBlock]) -> list[str]:
    """The body's lines as they are rendered, line for line: the special blocks unindented in
    place and their `!!!` lines blank, so that a line number is the file's."""
    rendered = list(lines)
    for block in blocks:
        rendered[block.start] = ""
        for index in range(block.start + 1, block.end):
            rendered[index] = unindent(lines[index])
    return rendered


def front_matter_end(lines: list[str]) -> int | None:
    """The index of the line that closes the front matter opened by lines[0]."""
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
