"""Writes to courses and lessons that touch many rows: loading `content/` into the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from courses.content import (
    ContentError,
    ContentProblem,
    CourseFile,
    LessonFile,
    SourceFile,
    parse_course,
    parse_lesson,
    scan,
)
from courses.models import Course, Lesson, Status, Tag


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.archived} archived"
        )


@dataclass
class LoadReport:
    courses: Tally = field(default_factory=Tally)
    lessons: Tally = field(default_factory=Tally)

    @property
    def changed(self) -> bool:
        return any(
            (t.created, t.updated, t.archived) != (0, 0, 0) for t in (self.courses, self.lessons)
        )


@dataclass
class _Plan:
    """What the files say, after every check has passed."""

    courses: list[CourseFile] = field(default_factory=list)
    lessons: list[LessonFile] = field(default_factory=list)
    unchanged_course_ids: set[int] = field(default_factory=set)
    unchanged_lesson_ids: set[int] = field(default_factory=set)
    # course file path -> slug, for unchanged and changed courses alike
    course_slugs: dict[str, str] = field(default_factory=dict)


def content_load(*, root: Path, check_only: bool = False) -> LoadReport:
    """Check every file under `root`, then load them all in one transaction, or nothing at all.

    Lessons are matched by (course slug, lesson slug) and updated in place, so their ids (and the
    progress and comments that point at them) survive edits. Lessons whose files are gone are
    archived, never deleted. Raises ContentError, listing every problem, before writing anything.
    """
    if not root.is_dir():
        raise ContentError([ContentProblem(str(root), None, None, "no such folder")])
    sources, errors = scan(root)
    plan = _plan(sources, errors)
    if errors:
        raise ContentError(errors)
    with transaction.atomic():
        report = _apply(plan)
        if check_only:
            transaction.set_rollback(True)
    return report


def _plan(sources, errors: list[ContentProblem]) -> _Plan:
    plan = _Plan()
    live = Status.ARCHIVED
    courses_by_path = {
        c.source_path: c
        for c in Course.objects.exclude(status=live)
        .exclude(source_path="")
        .only("id", "slug", "source_path", "source_hash", "status")
    }
    lessons_by_path = {
        row["source_path"]: row
        for row in Lesson.objects.exclude(status=live)
        .exclude(source_path="")
        .values("id", "course_id", "slug", "order", "source_path", "source_hash")
    }
    course_ids_by_slug = dict(Course.objects.values_list("slug", "id"))
    # (course slug, lesson slug or order) -> paths, to report duplicates in every file involved
    slugs_seen: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    orders_seen: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    course_slugs_seen: dict[str, list[tuple[str, int]]] = defaultdict(list)

    for source in sources:
        course_slug = _plan_course(source.course, courses_by_path, plan, errors, course_slugs_seen)
        if course_slug is None:
            continue
        course_id = course_ids_by_slug.get(course_slug)
        for lesson_source in source.lessons:
            row = lessons_by_path.get(lesson_source.path)
            if row and row["source_hash"] == lesson_source.hash and row["course_id"] == course_id:
                # Same bytes, same loader version: it passed every check when it was loaded.
                plan.unchanged_lesson_ids.add(row["id"])
                slugs_seen[(course_slug, row["slug"])].append((lesson_source.path, 1))
                orders_seen[(course_slug, row["order"])].append((lesson_source.path, 1))
                continue
            lesson, lesson_errors = parse_lesson(lesson_source, course_path=source.course.path)
            errors.extend(lesson_errors)
            if lesson is not None:
                plan.lessons.append(lesson)
                slugs_seen[(course_slug, lesson.slug)].append((lesson.path, lesson.line_of("slug")))
                orders_seen[(course_slug, lesson.order)].append(
                    (lesson.path, lesson.line_of("order"))
                )

    _report_duplicates(course_slugs_seen, "slug", "course slug", errors)
    _report_duplicates(slugs_seen, "slug", "lesson slug", errors)
    _report_duplicates(orders_seen, "order", "lesson order", errors)
    return plan


def _plan_course(source: SourceFile, courses_by_path, plan: _Plan, errors, seen) -> str | None:
    existing = courses_by_path.get(source.path)
    if existing and existing.source_hash == source.hash:
        plan.unchanged_course_ids.add(existing.id)
        plan.course_slugs[source.path] = existing.slug
        seen[existing.slug].append((source.path, 1))
        return existing.slug
    course, course_errors = parse_course(source)
    errors.extend(course_errors)
    if course is None:
        return None
    plan.courses.append(course)
    plan.course_slugs[source.path] = course.slug
    seen[course.slug].append((course.path, course.line))
    return course.slug


def _report_duplicates(
    seen: dict, field_name: str, what: str, errors: list[ContentProblem]
) -> None:
    for key, places in seen.items():
        if len(places) < 2:
            continue
        value = key[-1] if isinstance(key, tuple) else key
        for path, line in places:
            others = ", ".join(p for p, _ in places if p != path)
            errors.append(
                ContentProblem(
                    path, line, field_name, f"duplicate {what} {value!r} (also in {others})"
                )
            )


def _apply(plan: _Plan) -> LoadReport:
    report = LoadReport()
    now = timezone.now()
    report.courses.unchanged = len(plan.unchanged_course_ids)
    report.lessons.unchanged = len(plan.unchanged_lesson_ids)

    courses_by_slug = {c.slug: c for c in Course.objects.all()}
    for course_file in plan.courses:
        course = courses_by_slug.get(course_file.slug)
        is_new = course is None
        course = course or Course(slug=course_file.slug)
        course.title = course_file.title
        course.tagline = course_file.tagline
        course.order = course_file.order
        course.status = course_file.status
        course.intro_md = course_file.intro_md
        course.source_path = course_file.path
        course.source_hash = course_file.hash
        course.save()
        courses_by_slug[course.slug] = course
        if is_new:
            report.courses.created += 1
        else:
            report.courses.updated += 1

    kept_course_ids = plan.unchanged_course_ids | {courses_by_slug[c.slug].id for c in plan.courses}
    report.courses.archived = _archive(
        Course.objects.exclude(id__in=kept_course_ids).exclude(status=Status.ARCHIVED), now
    )

    tags = _tags_for(plan.lessons)
    candidates = Lesson.objects.filter(
        course__slug__in={plan.course_slugs[lesson.course_path] for lesson in plan.lessons}
    )
    by_key = {(lesson.course_id, lesson.slug): lesson for lesson in candidates}
    # A file whose slug was edited keeps its lesson (and the progress on it) rather than
    # archiving it and starting a new one.
    by_path = {
        (lesson.course_id, lesson.source_path): lesson
        for lesson in by_key.values()
        if lesson.status != Status.ARCHIVED and lesson.source_path
    }
    kept_lesson_ids = set(plan.unchanged_lesson_ids)
    for lesson_file in plan.lessons:
        course = courses_by_slug[plan.course_slugs[lesson_file.course_path]]
        lesson = by_key.get((course.id, lesson_file.slug)) or by_path.get(
            (course.id, lesson_file.path)
        )
        is_new = lesson is None
        lesson = lesson or Lesson(course=course)
        _copy_lesson_fields(lesson_file, lesson)
        lesson.save()
        lesson.tags.set([tags[slug] for slug in lesson_file.tags])
        kept_lesson_ids.add(lesson.id)
        if is_new:
            report.lessons.created += 1
        else:
            report.lessons.updated += 1

    # Lessons made in admin (no source file) are not the loader's to archive.
    report.lessons.archived = _archive(
        Lesson.objects.exclude(id__in=kept_lesson_ids)
        .exclude(status=Status.ARCHIVED)
        .exclude(source_path=""),
        now,
    )
    return report


def _archive(queryset, now) -> int:
    # Select first so that an unchanged load issues no UPDATE at all.
    ids = list(queryset.values_list("id", flat=True))
    if not ids:
        return 0
    return queryset.model.objects.filter(id__in=ids).update(status=Status.ARCHIVED, updated_at=now)


def _copy_lesson_fields(source: LessonFile, lesson: Lesson) -> None:
    lesson.slug = source.slug
    lesson.title = source.title
    lesson.order = source.order
    lesson.minutes = source.minutes
    lesson.level = source.level
    lesson.xp = source.xp
    lesson.status = source.status
    lesson.summary = source.summary
    lesson.summary_by = source.persona
    lesson.body_md = source.body_md
    lesson.takeaways_md = source.takeaways_md
    lesson.exercise_md = source.exercise_md
    lesson.links = source.links
    lesson.source_path = source.path
    lesson.source_hash = source.hash


def _tags_for(lessons: list[LessonFile]) -> dict[str, Tag]:
    wanted = {slug for lesson in lessons for slug in lesson.tags}
    tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)}
    missing = [Tag(slug=slug) for slug in sorted(wanted - tags.keys())]
    for tag in Tag.objects.bulk_create(missing):
        tags[tag.slug] = tag
    if missing and any(tag.pk is None for tag in missing):
        # SQLite before 3.35 does not return ids from bulk inserts.
        tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)}
    return tags
