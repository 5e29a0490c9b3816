"""What a course or a lesson file says (content/README.md), whether it was read from a file or
made from a row of the database to be written to one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils.text import normalize_newlines

from courses.models import DEFAULT_PERSONA, DEFAULT_XP, LessonLanguage, Status

if TYPE_CHECKING:
    from courses.models import Course, Lesson

# Bump when the rules or the rendering change, so that every file is read again on the next load.
LOADER_VERSION = "2"

COURSE_FILE = "course.md"
STATUSES = (Status.DRAFT.value, Status.PUBLISHED.value)  # archived is the loader's to set
COURSE_FIELDS = {"title", "slug", "order", "tagline", "color", "status"}
COURSE_REQUIRED = ("title", "slug", "order")
LESSON_FIELDS = {
    "title", "slug", "order", "minutes", "status", "publish_at", "summary", "persona", "level",
    "tags", "xp", "links", "language", "reviewed",
}  # fmt: skip
LESSON_REQUIRED = ("title", "slug", "order", "minutes", "status", "summary")


def markdown_normal(text: str) -> str:
    """Markdown as files, forms and the database agree to compare it: LF line endings (browsers
    send CRLF), no blank lines at either end."""
    return normalize_newlines(text).strip("\n")


@dataclass
class SourceFile:
    """A file found under the content root, read but not yet parsed."""

    path: str  # relative to the content root, with forward slashes
    raw: bytes

    @property
    def hash(self) -> str:
        return hashlib.sha256(LOADER_VERSION.encode() + b"\0" + self.raw).hexdigest()


@dataclass
class CourseFile:
    path: str
    hash: str
    slug: str = ""
    title: str = ""
    order: int = 0
    tagline: str = ""
    color: str = ""
    status: str = Status.PUBLISHED.value
    intro_md: str = ""
    line: int = 1
    intro_line: int = 1  # where the introduction starts in the file

    @classmethod
    def from_course(cls, course: Course, *, path: str = "") -> CourseFile:
        """A course as its course.md would say it."""
        return cls(
            path=path or course.source_path,
            hash="",
            slug=course.slug,
            title=course.title.strip(),
            order=course.order,
            tagline=course.tagline.strip(),
            color=course.color,
            status=course.status,
            intro_md=markdown_normal(course.intro_md) + "\n",
        )

    def meaning(self) -> dict[str, Any]:
        """What the file says, in a form that compares equal however it was written down."""
        return {
            "slug": self.slug,
            "title": self.title,
            "order": self.order,
            "tagline": self.tagline,
            "color": self.color.lower(),
            "status": self.status,
            "intro_md": markdown_normal(self.intro_md),
        }


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
    language: str = LessonLanguage.ENGLISH.value
    status: str = Status.DRAFT.value
    publish_at: datetime | None = None
    reviewed: date | None = None
    summary: str = ""
    persona: str = DEFAULT_PERSONA
    tags: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    body_md: str = ""
    takeaways_md: str = ""
    exercise_md: str = ""
    answer_md: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_lesson(cls, lesson: Lesson, *, path: str = "") -> LessonFile:
        """A lesson as its file would say it (tags from a prefetch when there is one)."""
        return cls(
            path=path or lesson.source_path,
            hash="",
            course_path="",
            slug=lesson.slug,
            title=lesson.title.strip(),
            order=lesson.order,
            minutes=lesson.minutes,
            level=lesson.level,
            xp=lesson.xp,
            language=lesson.language,
            status=lesson.status,
            publish_at=lesson.publish_at,
            reviewed=lesson.reviewed,
            summary=lesson.summary.strip(),
            persona=lesson.persona,
            tags=sorted(tag.slug for tag in lesson.tags.all()),
            links=[{"title": link["title"], "url": link["url"]} for link in lesson.links],
            body_md=markdown_normal(lesson.body_md) + "\n",
            takeaways_md=markdown_normal(lesson.takeaways_md),
            exercise_md=markdown_normal(lesson.exercise_md),
            answer_md=markdown_normal(lesson.answer_md),
        )

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)

    def meaning(self) -> dict[str, Any]:
        """What the file says, in a form that compares equal however it was written down."""
        return {
            "slug": self.slug,
            "title": self.title,
            "order": self.order,
            "minutes": self.minutes,
            "level": self.level,
            "xp": self.xp,
            "language": self.language,
            "status": self.status,
            "publish_at": self.publish_at,
            "reviewed": self.reviewed,
            "summary": self.summary,
            "persona": self.persona,
            "tags": frozenset(self.tags),
            "links": list(self.links),
            "body_md": markdown_normal(self.body_md),
            "takeaways_md": markdown_normal(self.takeaways_md),
            "exercise_md": markdown_normal(self.exercise_md),
            "answer_md": markdown_normal(self.answer_md),
        }
