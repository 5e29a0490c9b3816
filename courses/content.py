"""Reading, checking and writing the course and lesson files in `content/` (format:
content/README.md).

Everything here is pure: files in, dataclasses and error messages out, and back again. Writing to
the database is `courses.services.content_load`'s job, and it only starts once every file here
has passed. The admin's lesson form reuses the same checks, so both say the same thing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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
    "title", "slug", "order", "minutes", "status", "publish_at", "summary", "persona", "level",
    "tags", "xp", "links",
}  # fmt: skip
LESSON_REQUIRED = ("title", "slug", "order", "minutes", "status", "summary")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLSyntaxError(ValueError):
    """Broken YAML, with the 0-based line of the text where the parser stopped (if known)."""

    def __init__(self, problem: str, line: int | None):
        super().__init__(problem)
        self.problem, self.line = problem, line


def yaml_load(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document safely, returning the data and its node tree (which knows the
    line of every item); raise YAMLSyntaxError naming the line where it broke."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YAMLSyntaxError(problem, mark.line if mark else None) from None
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(str(exc), None) from None
    finally:
        loader.dispose()


_url_validator = URLValidator(schemes=["http", "https"])


# The checks below are shared by the file parser and the admin's lesson form, so that an
# instructor reads the same message whichever way the lesson was written.


def slug_message(value: str) -> str | None:
    if value and not SLUG_RE.match(value):
        return f"{value!r} is not a valid slug: use lowercase letters, digits and single hyphens"
    return None


def tag_message(tag: Any) -> str | None:
    if not isinstance(tag, str) or not SLUG_RE.match(tag) or len(tag) > 50:
        return f"tag {tag!r} is not valid: use lowercase letters, digits and hyphens"
    return None


def range_message(value: int, *, low: int, high: int) -> str | None:
    if not low <= value <= high:
        return f"must be between {low} and {high}, not {value}"
    return None


def length_message(value: str, *, max_length: int) -> str | None:
    if len(value) > max_length:
        return f"is {len(value)} characters long; the limit is {max_length}"
    return None


def duplicate_message(what: str, value: Any, others: str) -> str:
    return f"duplicate {what} {value!r} (also in {others})"


def link_problems(value: Any) -> tuple[list[dict[str, str]], list[tuple[int | None, str]]]:
    """Check a list of links; return the clean links and (index or None, message) problems."""
    if not isinstance(value, list):
        return [], [(None, "must be a list of items with a title and a url")]
    links: list[dict[str, str]] = []
    problems: list[tuple[int | None, str]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) - {"title", "url"}:
            problems.append((index, "each link needs exactly 'title' and 'url'"))
            continue
        title, url = item.get("title"), item.get("url")
        if not isinstance(title, str) or not title.strip():
            problems.append((index, "link has no title"))
            continue
        if not isinstance(url, str) or not url.strip():
            problems.append((index, "link has no url"))
            continue
        try:
            _url_validator(url.strip())
        except ValidationError:
            problems.append((index, f"bad URL {url!r}: use a full http:// or https:// address"))
            continue
        links.append({"title": title.strip(), "url": url.strip()})
    return links, problems


def special_blocks_in(text: str) -> list[tuple[str, int]]:
    """The top-level `!!! takeaways` / `!!! exercise` lines in markdown, as (name, line index)."""
    found: list[tuple[str, int]] = []
    in_fence = False
    for index, line in enumerate(text.split("\n")):
        if FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else SPECIAL_BLOCK_RE.match(line)
        if match:
            found.append((match.group(1), index))
    return found


def publish_at_value(value: Any) -> datetime | None:
    """A front matter date or date and time as an aware datetime (naive ones are local time)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and (parsed := parse_datetime(value.strip())):
        moment = parsed
    else:
        raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


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

    def content(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "order": self.order,
            "tagline": self.tagline,
            "status": self.status,
            "intro_md": _normal_md(self.intro_md),
        }


def _normal_md(text: str) -> str:
    return text.replace("\r\n", "\n").strip("\n")


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
    publish_at: datetime | None = None
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

    def content(self) -> dict[str, Any]:
        """What the file says, in a form that compares equal however it was written down."""
        return {
            "slug": self.slug,
            "title": self.title,
            "order": self.order,
            "minutes": self.minutes,
            "level": self.level,
            "xp": self.xp,
            "status": self.status,
            "publish_at": self.publish_at,
            "summary": self.summary,
            "persona": self.persona,
            "tags": frozenset(self.tags),
            "links": list(self.links),
            "body_md": _normal_md(self.body_md),
            "takeaways_md": _normal_md(self.takeaways_md),
            "exercise_md": _normal_md(self.exercise_md),
        }


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
        try:
            data, node = yaml_load(text)
        except YAMLSyntaxError as exc:
            line = first_line + exc.line if exc.line is not None else first_line
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
        if message := length_message(value, max_length=max_length):
            self.error(message, field=name)
        return value

    def integer(self, data: dict[str, Any], name: str, *, default: int, low: int, high: int) -> int:
        value = data.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"must be a whole number, not {value!r}", field=name)
            return default
        if message := range_message(value, low=low, high=high):
            self.error(message, field=name)
        return value

    def slug(self, data: dict[str, Any], name: str = "slug") -> str:
        value = self.text(data, name, max_length=100)
        if message := slug_message(value):
            self.error(message, field=name)
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
            if message := tag_message(tag):
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
                f"{value!r} is not a date and time: write it like 2025-06-01 09:00:00",
                field="publish_at",
            )
            return None

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
        publish_at=parser.publish_at(data),
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


# Writing files back (export_content). The output follows the documented format with a fixed
# field order; when a previous version of the file is given, every field that still says the
# same thing keeps its original lines (quoting, tag order, comments), and an unchanged body keeps
# its bytes, so that the diff against a hand-written file shows only what really changed.

COURSE_FIELD_ORDER = ("title", "slug", "order", "tagline", "status")
LESSON_FIELD_ORDER = (
    "title", "slug", "order", "minutes", "level", "tags", "status", "publish_at", "xp",
    "summary", "persona", "links",
)  # fmt: skip
# Omitted from a new file when empty: the loader's default is the same.
OMIT_WHEN_EMPTY = {"tagline", "tags", "publish_at", "links"}
ALWAYS_QUOTED = {"summary"}  # one-liners full of punctuation: quoted, as hand-written files do


def format_course(course: CourseFile, previous: bytes | None = None) -> str:
    old = _previous(previous, lambda source: parse_course(source)[0])
    values = {name: getattr(course, name) for name in COURSE_FIELD_ORDER}
    front = _front_matter(values, COURSE_FIELD_ORDER, old)
    if old and _normal_md(old.parsed.intro_md) == _normal_md(course.intro_md):
        return front + old.after_front_matter
    return front + "\n" + _normal_md(course.intro_md) + "\n"


def format_lesson(lesson: LessonFile, previous: bytes | None = None) -> str:
    old = _previous(previous, lambda source: parse_lesson(source, course_path="")[0])
    values = {name: getattr(lesson, name) for name in LESSON_FIELD_ORDER if name != "persona"}
    values["persona"] = lesson.persona
    front = _front_matter(values, LESSON_FIELD_ORDER, old)
    body_fields = ("body_md", "takeaways_md", "exercise_md")
    if old and all(
        _normal_md(getattr(old.parsed, name)) == _normal_md(getattr(lesson, name))
        for name in body_fields
    ):
        return front + old.after_front_matter
    parts = [_normal_md(lesson.body_md)]
    for name, text in (("takeaways", lesson.takeaways_md), ("exercise", lesson.exercise_md)):
        parts.append(f"!!! {name}\n" + _indent(_normal_md(text)))
    return front + "\n" + "\n\n".join(part for part in parts if part) + "\n"


@dataclass
class _Previous:
    parsed: Any  # CourseFile or LessonFile
    field_lines: dict[str, list[str]]  # the front matter lines of each field, as written
    after_front_matter: str


def _previous(raw: bytes | None, parse) -> _Previous | None:
    """The earlier version of a file, if it is valid; an invalid one is simply replaced."""
    if raw is None:
        return None
    parsed = parse(SourceFile(path="", raw=raw))
    if parsed is None:
        return None
    lines = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    node = _Loader("\n".join(lines[1:end])).get_single_node()
    starts = [(str(key.value), key.start_mark.line + 1) for key, _ in node.value]
    field_lines = {}
    for index, (name, start) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else end
        field_lines[name] = lines[start:stop]
    return _Previous(parsed, field_lines, "\n".join(lines[end + 1 :]))


def _front_matter(values: dict[str, Any], order: tuple[str, ...], old: _Previous | None) -> str:
    lines = ["---"]
    for name in order:
        value = values[name]
        if old is not None and _same(name, getattr(old.parsed, name), value):
            # Unchanged: keep exactly what was written, or keep leaving it out.
            lines.extend(old.field_lines.get(name, []))
        elif not (name in OMIT_WHEN_EMPTY and not value):
            lines.extend(_field_lines(name, value))
    lines.append("---")
    return "\n".join(lines) + "\n"


def _same(name: str, old: Any, new: Any) -> bool:
    if name == "tags":
        return set(old) == set(new)
    return old == new


def _field_lines(name: str, value: Any) -> list[str]:
    if name == "tags":
        return [f"tags: [{', '.join(value)}]"]
    if name == "links":
        lines = ["links:"]
        for link in value:
            lines.append(f"  - title: {_scalar(link['title'])}")
            lines.append(f"    url: {_scalar(link['url'])}")
        return lines
    if name == "publish_at":
        return [f"publish_at: {timezone.localtime(value).isoformat()}"]
    if isinstance(value, int):
        return [f"{name}: {value}"]
    return [f"{name}: {_scalar(value, quoted=name in ALWAYS_QUOTED)}"]


def _scalar(text: str, *, quoted: bool = False) -> str:
    """A YAML string: plain when YAML reads it back unchanged, else double-quoted (JSON is YAML)."""
    if not quoted and text and "\n" not in text:
        try:
            if yaml.load(f"k: {text}", Loader=_Loader) == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.split("\n"))
