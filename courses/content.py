"""Reading and checking the course and lesson files in `content/` (format: content/README.md).

Everything here is pure: files in, dataclasses and error messages out. Writing to the database
is `courses.services.content_load`'s job, and it only starts once every file here has passed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# Bump when the rules or the rendering change, so that every file is read again on the next load.
LOADER_VERSION = "1"

COURSE_FILE = "course.md"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SPECIAL_BLOCK_RE = re.compile(r'^!!!\s+(takeaways|exercise)\b(?:\s+"[^"]*")?\s*$')
FENCE_RE = re.compile(r"^(```|~~~)")
STATUSES = ("draft", "published")
LEVELS = (1, 2, 3)
DEFAULT_XP = 50
DEFAULT_PERSONA = "피파"

COURSE_FIELDS = {"title", "slug", "order", "tagline", "status"}
COURSE_REQUIRED = ("title", "slug", "order")
LESSON_FIELDS = {
    "title", "slug", "order", "minutes", "status", "summary", "persona", "level", "tags", "xp",
    "links",
}  # fmt: skip
LESSON_REQUIRED = ("title", "slug", "order", "minutes", "status", "summary")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class ContentProblem:
    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ContentError(Exception):
    def __init__(self, errors: list[ContentProblem]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class CourseFile:
    path: str
    hash: str
    slug: str = ""
    title: str = ""
    order: int = 0
    tagline: str = ""
    status: str = "published"
    intro_md: str = ""
    line: int = 1


@dataclass
class LessonFile:
    path: str
    hash: str
    course_path: str
    slug: str = ""
    title: str = ""
    order: int = 0
    minutes: int = 0
    level: int = 1
    xp: int = DEFAULT_XP
    status: str = "draft"
    summary: str = ""
    persona: str = DEFAULT_PERSONA
    tags: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    body_md: str = ""
    takeaways_md: str = ""
    exercise_md: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)


@dataclass
class SourceFile:
    """A file found under the content root, read but not yet parsed."""

    path: str  # relative to the content root, with forward slashes
    raw: bytes

    @property
    def hash(self) -> str:
        return hashlib.sha256(LOADER_VERSION.encode() + b"\0" + self.raw).hexdigest()


@dataclass
class CourseSource:
    course: SourceFile
    lessons: list[SourceFile]


def _visible(path: Path) -> bool:
    return not path.name.startswith(("_", "."))


def scan(root: Path) -> tuple[list[CourseSource], list[ContentProblem]]:
    """Find course folders and their lesson files, reading each file's bytes once."""
    sources: list[CourseSource] = []
    errors: list[ContentProblem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and _visible(p)):
        course_md = folder / COURSE_FILE
        rel = folder.relative_to(root).as_posix()
        if not course_md.is_file():
            errors.append(
                ContentProblem(f"{rel}/", None, None, f"course folder has no {COURSE_FILE}")
            )
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


class _FileParser:
    """Parses one file, collecting every problem it finds rather than stopping at the first."""

    def __init__(self, source: SourceFile):
        self.path = source.path
        self.raw = source.raw
        self.errors: list[ContentProblem] = []
        self.lines: dict[str, int] = {}
        self.front_matter_line = 1

    def error(self, message: str, *, field: str | None = None, line: int | None = None) -> None:
        if line is None and field is not None:
            line = self.lines.get(field, self.front_matter_line)
        self.errors.append(ContentProblem(self.path, line, field, message))

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
        return text.removeprefix("\ufeff").replace("\r\n", "\n")

    def split(self, text: str) -> tuple[dict[str, Any], str, int] | None:
        """Return (front matter, body, line number where the body starts)."""
        lines = text.split("\n")
        if not lines or lines[0].rstrip() != "---":
            self.error(
                "must start with YAML front matter: a line '---', the fields, then '---'", line=1
            )
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if end is None:
            self.error("front matter is not closed: add a line '---' after the fields", line=1)
            return None
        data = self.load_yaml("\n".join(lines[1:end]), first_line=2)
        if data is None:
            return None
        return data, "\n".join(lines[end + 1 :]), end + 2

    def load_yaml(self, text: str, *, first_line: int) -> dict[str, Any] | None:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = first_line + mark.line if mark else first_line
            problem = " ".join(part for part in (exc.context, exc.problem) if part)
            self.error(f"broken YAML in the front matter: {problem}", line=line)
            return None
        except yaml.YAMLError as exc:
            self.error(f"broken YAML in the front matter: {exc}", line=first_line)
            return None
        finally:
            loader.dispose()
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
                self.error(f"unknown field (known fields: {known})", field=str(name))
        for name in required:
            if data.get(name) in (None, ""):
                self.error("missing required field", field=name, line=self.front_matter_line)

    def text(self, data: dict[str, Any], name: str, *, default: str = "", max_length: int) -> str:
        value = data.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            self.error("must be text (put it in quotes)", field=name)
            return default
        value = value.strip()
        if len(value) > max_length:
            self.error(f"is {len(value)} characters long; the limit is {max_length}", field=name)
        return value

    def integer(self, data: dict[str, Any], name: str, *, default: int, low: int, high: int) -> int:
        value = data.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"must be a whole number, not {value!r}", field=name)
            return default
        if not low <= value <= high:
            self.error(f"must be between {low} and {high}, not {value}", field=name)
        return value

    def slug(self, data: dict[str, Any], name: str = "slug") -> str:
        value = self.text(data, name, max_length=100)
        if value and not SLUG_RE.match(value):
            self.error(
                f"{value!r} is not a valid slug: use lowercase letters, digits and single hyphens",
                field=name,
            )
        return value

    def choice(self, data: dict[str, Any], name: str, choices: tuple, *, default: Any) -> Any:
        value = data.get(name, default)
        if value is None:
            return default
        if value not in choices:
            allowed = " or ".join(str(choice) for choice in choices)
            self.error(f"unknown {name} {value!r}: use {allowed}", field=name)
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
            if not isinstance(tag, str) or not SLUG_RE.match(tag) or len(tag) > 50:
                self.error(
                    f"tag {tag!r} is not valid: use lowercase letters, digits and hyphens",
                    field="tags",
                )
            elif tag not in tags:
                tags.append(tag)
        return tags

    def links(self, data: dict[str, Any]) -> list[dict[str, str]]:
        value = data.get("links")
        if value is None:
            return []
        if not isinstance(value, list):
            self.error("must be a list of items with a title and a url", field="links")
            return []
        links: list[dict[str, str]] = []
        for index, item in enumerate(value):
            line = self.lines.get(f"links[{index}]", self.lines.get("links"))
            where = f"links[{index + 1}]"
            if not isinstance(item, dict) or set(item) - {"title", "url"}:
                self.error("each link needs exactly 'title' and 'url'", field=where, line=line)
                continue
            title, url = item.get("title"), item.get("url")
            if not isinstance(title, str) or not title.strip():
                self.error("link has no title", field=where, line=line)
                continue
            if not isinstance(url, str) or not url.strip():
                self.error("link has no url", field=where, line=line)
                continue
            try:
                _url_validator(url.strip())
            except ValidationError:
                self.error(
                    f"bad URL {url!r}: use a full http:// or https:// address",
                    field=where,
                    line=line,
                )
                continue
            links.append({"title": title.strip(), "url": url.strip()})
        return links

    def special_blocks(self, body: str, first_line: int) -> tuple[str, dict[str, str]]:
        """Lift the top-level `!!! takeaways` and `!!! exercise` blocks out of the body."""
        lines = body.split("\n")
        kept: list[str] = []
        blocks: dict[str, str] = {}
        in_fence = False
        index = 0
        while index < len(lines):
            line = lines[index]
            if FENCE_RE.match(line):
                in_fence = not in_fence
            match = None if in_fence else SPECIAL_BLOCK_RE.match(line)
            if not match:
                kept.append(line)
                index += 1
                continue
            name, start = match.group(1), index
            index += 1
            content: list[str] = []
            while index < len(lines) and (
                not lines[index].strip() or lines[index].startswith(("    ", "\t"))
            ):
                content.append(
                    lines[index].removeprefix("\t")
                    if lines[index].startswith("\t")
                    else lines[index][4:]
                )
                index += 1
            text = "\n".join(content).strip("\n")
            if name in blocks:
                self.error(
                    f"a second '!!! {name}' block; a lesson has exactly one",
                    field=name,
                    line=first_line + start,
                )
            elif not text.strip():
                self.error(
                    f"'!!! {name}' block is empty: indent its content by four spaces",
                    field=name,
                    line=first_line + start,
                )
            blocks[name] = text
        for name in ("takeaways", "exercise"):
            if name not in blocks:
                self.error(
                    f"missing '!!! {name}' block "
                    f"(a line '!!! {name}' followed by indented markdown)",
                    field=name,
                    line=first_line,
                )
        return "\n".join(kept).strip("\n") + "\n", blocks


def parse_course(source: SourceFile) -> tuple[CourseFile | None, list[ContentProblem]]:
    parser = _FileParser(source)
    text = parser.decode()
    parts = parser.split(text) if text is not None else None
    if parts is None:
        return None, parser.errors
    data, body, _ = parts
    parser.check_fields(data, COURSE_FIELDS, COURSE_REQUIRED)
    course = CourseFile(
        path=source.path,
        hash=source.hash,
        title=parser.text(data, "title", max_length=200),
        slug=parser.slug(data),
        order=parser.integer(data, "order", default=0, low=0, high=1_000_000),
        tagline=parser.text(data, "tagline", max_length=300),
        status=parser.choice(data, "status", STATUSES, default="published"),
        intro_md=body.strip("\n") + "\n",
        line=parser.lines.get("slug", 1),
    )
    return (None if parser.errors else course), parser.errors


def parse_lesson(
    source: SourceFile, *, course_path: str
) -> tuple[LessonFile | None, list[ContentProblem]]:
    parser = _FileParser(source)
    text = parser.decode()
    parts = parser.split(text) if text is not None else None
    if parts is None:
        return None, parser.errors
    data, body, body_line = parts
    parser.check_fields(data, LESSON_FIELDS, LESSON_REQUIRED)
    summary = parser.text(data, "summary", max_length=500)
    if "\n" in summary:
        parser.error("must be one line", field="summary")
    body_md, blocks = parser.special_blocks(body, body_line)
    lesson = LessonFile(
        path=source.path,
        hash=source.hash,
        course_path=course_path,
        title=parser.text(data, "title", max_length=200),
        slug=parser.slug(data),
        order=parser.integer(data, "order", default=0, low=0, high=1_000_000),
        minutes=parser.integer(data, "minutes", default=0, low=1, high=600),
        level=parser.choice(data, "level", LEVELS, default=1),
        xp=parser.integer(data, "xp", default=DEFAULT_XP, low=0, high=1000),
        status=parser.choice(data, "status", STATUSES, default="draft"),
        summary=summary,
        persona=parser.text(data, "persona", default=DEFAULT_PERSONA, max_length=50)
        or DEFAULT_PERSONA,
        tags=parser.tags(data),
        links=parser.links(data),
        body_md=body_md,
        takeaways_md=blocks.get("takeaways", ""),
        exercise_md=blocks.get("exercise", ""),
        lines=dict(parser.lines),
    )
    return (None if parser.errors else lesson), parser.errors
