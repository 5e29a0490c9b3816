"""The first step of content_load: read what changed under the content root and check it all,
before anything is written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from courses.content.files import CourseFile, LessonFile, SourceFile
from courses.content.parsing import parse_course, parse_lesson
from courses.content.problems import ContentProblem
from courses.content.scan import CourseSource
from courses.models import Course, Lesson, Status
from courses.validators import duplicate_message


@dataclass
class LoadPlan:
    """What the files say, after every check has passed."""

    courses: list[CourseFile] = field(default_factory=list)
    lessons: list[LessonFile] = field(default_factory=list)
    # Rows whose file has the bytes it had when they were loaded: not even parsed again.
    unchanged_course_ids: set[int] = field(default_factory=set)
    unchanged_lesson_ids: set[int] = field(default_factory=set)
    # For changed and unchanged courses alike.
    course_slug_by_path: dict[str, str] = field(default_factory=dict)


def load_plan(sources: list[CourseSource], errors: list[ContentProblem]) -> LoadPlan:
    """Parse every file that changed since it was loaded, adding its problems to `errors`,
    and check slugs and orders for duplicates across all files."""
    planner = _Planner(errors)
    for source in sources:
        course_slug = planner.course(source.course)
        if course_slug is None:
            continue
        for lesson_source in source.lessons:
            planner.lesson(lesson_source, course_path=source.course.path, course_slug=course_slug)
    for places in (planner.course_slugs, planner.lesson_slugs, planner.lesson_orders):
        errors.extend(places.duplicates())
    return planner.plan


class _Places:
    """Where each value was seen, so that a duplicate is reported in every file involved."""

    def __init__(self, field_name: str, what: str):
        self.field_name, self.what = field_name, what
        self.seen: dict[Any, list[tuple[str, int]]] = defaultdict(list)

    def add(self, key: Any, path: str, line: int) -> None:
        self.seen[key].append((path, line))

    def duplicates(self) -> list[ContentProblem]:
        problems = []
        for key, places in self.seen.items():
            if len(places) < 2:
                continue
            value = key[-1] if isinstance(key, tuple) else key
            for path, line in places:
                others = ", ".join(p for p, _ in places if p != path)
                message = duplicate_message(self.what, value, others)
                problems.append(ContentProblem(path, line, self.field_name, message))
        return problems


class _Planner:
    def __init__(self, errors: list[ContentProblem]):
        self.errors = errors
        self.plan = LoadPlan()
        self.loaded_courses = {
            course.source_path: course
            for course in Course.objects.exclude(status=Status.ARCHIVED)
            .exclude(source_path="")
            .only("id", "slug", "source_path", "source_hash", "status")
        }
        self.loaded_lessons = {
            row["source_path"]: row
            for row in Lesson.objects.exclude(status=Status.ARCHIVED)
            .exclude(source_path="")
            .values("id", "course_id", "slug", "order", "source_path", "source_hash")
        }
        self.course_ids_by_slug = dict(Course.objects.values_list("slug", "id"))
        self.course_slugs = _Places("slug", "course slug")
        # Keyed by (course slug, lesson slug or order): duplicates only count within a course.
        self.lesson_slugs = _Places("slug", "lesson slug")
        self.lesson_orders = _Places("order", "lesson order")

    def course(self, source: SourceFile) -> str | None:
        """Plan one course file; return its slug, or None when it has problems."""
        loaded = self.loaded_courses.get(source.path)
        if loaded and loaded.source_hash == source.hash:
            self.plan.unchanged_course_ids.add(loaded.id)
            self.plan.course_slug_by_path[source.path] = loaded.slug
            self.course_slugs.add(loaded.slug, source.path, 1)
            return loaded.slug
        course, problems = parse_course(source)
        self.errors.extend(problems)
        if course is None:
            return None
        self.plan.courses.append(course)
        self.plan.course_slug_by_path[source.path] = course.slug
        self.course_slugs.add(course.slug, course.path, course.line)
        return course.slug

    def lesson(self, source: SourceFile, *, course_path: str, course_slug: str) -> None:
        loaded = self.loaded_lessons.get(source.path)
        course_id = self.course_ids_by_slug.get(course_slug)
        if loaded and loaded["source_hash"] == source.hash and loaded["course_id"] == course_id:
            # Same bytes, same loader version: it passed every check when it was loaded.
            self.plan.unchanged_lesson_ids.add(loaded["id"])
            self.lesson_slugs.add((course_slug, loaded["slug"]), source.path, 1)
            self.lesson_orders.add((course_slug, loaded["order"]), source.path, 1)
            return
        lesson, problems = parse_lesson(source, course_path=course_path)
        self.errors.extend(problems)
        if lesson is None:
            return
        self.plan.lessons.append(lesson)
        self.lesson_slugs.add((course_slug, lesson.slug), lesson.path, lesson.line_of("slug"))
        self.lesson_orders.add((course_slug, lesson.order), lesson.path, lesson.line_of("order"))
