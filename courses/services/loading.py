"""Loading `content/` into the database: content_load and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

from courses.content.files import CourseFile, LessonFile
from courses.content.problems import ContentError, ContentProblem
from courses.content.scan import scan
from courses.models import Course, Lesson, LessonRevision, Status, Tag
from courses.receivers import content_changed
from courses.revisions import lesson_snapshot, revision_for
from courses.services.load_plan import LoadPlan, load_plan
from courses.signals import content_loading
from lessons.markup import MarkdownNestingError


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

    def count_written(self, *, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.updated += 1


@dataclass(frozen=True)
class Conflict:
    """A file that changed since the last load, for a course or lesson edited in admin since."""

    path: str
    kind: str  # "course" or "lesson"
    slug: str
    title: str
    edited_by: str
    edited_at: datetime

    @classmethod
    def about(cls, path: str, row: Course | Lesson) -> Conflict:
        who = row.edited_by.get_username() if row.edited_by else "a deleted user"
        kind = "lesson" if isinstance(row, Lesson) else "course"
        return cls(path, kind, row.slug, row.title, who, row.edited_at)

    def __str__(self) -> str:
        when = timezone.localtime(self.edited_at).strftime("%Y-%m-%d %H:%M %Z")
        return (
            f"{self.path}: {self.kind} {self.slug!r} ({self.title}) was edited in admin by "
            f"{self.edited_by} on {when}, after it was last loaded; left as it is "
            "(load_content --force overwrites it"
            + (", keeping the admin version as a revision)" if self.kind == "lesson" else ")")
        )


@dataclass
class LoadReport:
    courses: Tally = field(default_factory=Tally)
    lessons: Tally = field(default_factory=Tally)
    conflicts: list[Conflict] = field(default_factory=list)
    # {label: summary} of what the other apps loaded from the same folder
    # (courses.signals.content_loading), e.g. {"levels": "11 unchanged"}.
    other_apps: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            (t.created, t.updated, t.archived) != (0, 0, 0) for t in (self.courses, self.lessons)
        )


def content_load(*, root: Path, check_only: bool = False, force: bool = False) -> LoadReport:
    """Check every file under `root`, then load them all in one transaction, or nothing at all.

    The other apps load their own files from `root` in the same transaction (through
    courses.signals.content_loading).

    Lessons are matched by (course slug, lesson slug) and updated in place, so their ids (and the
    progress and comments that point at them) survive edits. Lessons whose files are gone are
    archived, never deleted. Raises ContentError, listing every problem, before writing anything.

    A course or lesson edited in admin since it was last loaded is left alone when its file has
    changed too, and reported as a conflict; `force` overwrites it (a lesson's admin version is
    kept as a revision first). A file that says what the database already says (as after
    export_content) counts as unchanged whatever its bytes.
    """
    if not root.is_dir():
        raise ContentError([ContentProblem(str(root), None, None, "no such folder")])
    sources, errors = scan(root)
    plan = load_plan(sources, errors)
    with transaction.atomic():
        report = _Apply(plan, force=force).run() if not errors else LoadReport()
        # Every app's problems are reported together; raising here rolls back all of it.
        for _receiver, result in content_loading.send_robust(sender=Course, root=root):
            if isinstance(result, ContentError):
                errors.extend(result.errors)
            elif isinstance(result, BaseException):
                raise result
            else:
                report.other_apps.update(result)
        if errors:
            raise ContentError(errors)
        if check_only:
            transaction.set_rollback(True)
    if not check_only:
        # Rows written with .update() and the other apps' rules (progress: levels and
        # achievements) send no signal that courses hears: every page is built afresh.
        content_changed()
    return report


class _Apply:
    """The second step of content_load: write what the checked files say."""

    def __init__(self, plan: LoadPlan, *, force: bool):
        self.plan, self.force = plan, force
        self.now = timezone.now()
        self.report = LoadReport()
        self.revisions: list[LessonRevision] = []

    def run(self) -> LoadReport:
        self.report.courses.unchanged = len(self.plan.unchanged_course_ids)
        self.report.lessons.unchanged = len(self.plan.unchanged_lesson_ids)
        courses_by_slug = self.courses()
        self.lessons(courses_by_slug)
        LessonRevision.objects.bulk_create(self.revisions)
        return self.report

    def courses(self) -> dict[str, Course]:
        courses_by_slug = {c.slug: c for c in Course.objects.select_related("edited_by")}
        for course_file in self.plan.courses:
            course = courses_by_slug.get(course_file.slug)
            if course is not None:
                if CourseFile.from_course(course).meaning() == course_file.meaning():
                    self.mark_loaded(course, course_file)
                    self.report.courses.unchanged += 1
                    continue
                if course.edited_since_loaded and not self.force:
                    self.report.conflicts.append(Conflict.about(course_file.path, course))
                    continue
            self.report.courses.count_written(created=course is None)
            course = course or Course(slug=course_file.slug)
            _course_fields_set(course, course_file)
            course.loaded_at = self.now
            _save_rendering(course, course_file.path, course_file.intro_line)
            courses_by_slug[course.slug] = course
        kept = self.plan.unchanged_course_ids | {
            courses_by_slug[c.slug].id for c in self.plan.courses
        }
        self.report.courses.archived = self.archive(Course.objects.exclude(id__in=kept))
        return courses_by_slug

    def lessons(self, courses_by_slug: dict[str, Course]) -> None:
        tags = _tags_for(self.plan.lessons)
        loaded = _LoadedLessons(self.plan)
        kept = set(self.plan.unchanged_lesson_ids)
        for lesson_file in self.plan.lessons:
            course = courses_by_slug[self.plan.course_slug_by_path[lesson_file.course_path]]
            lesson = loaded.find(course, lesson_file)
            if lesson is not None:
                kept.add(lesson.id)
            written = self.lesson(lesson_file, lesson, course=course)
            if written is not None:
                written.tags.set([tags[slug] for slug in lesson_file.tags])
                kept.add(written.id)
        # Lessons made in admin (no source file) are not the loader's to archive.
        self.report.lessons.archived = self.archive(
            Lesson.objects.exclude(id__in=kept).exclude(source_path="")
        )

    def lesson(
        self, lesson_file: LessonFile, lesson: Lesson | None, *, course: Course
    ) -> Lesson | None:
        """Write one lesson; return it, or None when it was left as it is."""
        before = None
        if lesson is not None:
            if LessonFile.from_lesson(lesson).meaning() == lesson_file.meaning():
                self.mark_loaded(lesson, lesson_file)
                self.report.lessons.unchanged += 1
                return None
            before = lesson_snapshot(lesson)
            if lesson.edited_since_loaded:
                if not self.force:
                    self.report.conflicts.append(Conflict.about(lesson_file.path, lesson))
                    return None
                self.keep_admin_version(lesson, before, overwritten_by=lesson_file.path)
        self.report.lessons.count_written(created=lesson is None)
        lesson = lesson or Lesson(course=course)
        _lesson_fields_set(lesson, lesson_file)
        lesson.loaded_at = self.now
        _save_rendering(lesson, lesson_file.path, lesson_file.line_of("body"))
        after = lesson_snapshot(lesson, tags=lesson_file.tags)
        self.revisions.append(
            revision_for(
                lesson,
                kind=LessonRevision.Kind.LOADED,
                before=before,
                after=after,
                note=lesson_file.path,
                at=self.now,
            )
        )
        return lesson

    def keep_admin_version(self, lesson: Lesson, snapshot: dict, *, overwritten_by: str) -> None:
        self.revisions.append(
            revision_for(
                lesson,
                kind=LessonRevision.Kind.KEPT,
                author=lesson.edited_by,
                before=None,
                after=snapshot,
                note=f"admin version, overwritten by load_content --force from {overwritten_by}",
                at=self.now,
            )
        )

    def mark_loaded(self, row: Course | Lesson, source: CourseFile | LessonFile) -> None:
        """The file says what the row says (e.g. it was exported from it): only note the new
        bytes."""
        type(row).objects.filter(pk=row.pk).update(
            source_path=source.path, source_hash=source.hash, loaded_at=self.now
        )

    def archive(self, queryset: models.QuerySet) -> int:
        # Select first so that an unchanged load issues no UPDATE at all.
        ids = list(queryset.exclude(status=Status.ARCHIVED).values_list("id", flat=True))
        if not ids:
            return 0
        archived = queryset.model.objects.filter(id__in=ids).update(
            status=Status.ARCHIVED, updated_at=self.now
        )
        content_changed(lesson_ids=ids if queryset.model is Lesson else ())
        return archived


class _LoadedLessons:
    """The lessons a changed file may be about, found by slug, or else by the file they were
    loaded from: a file whose slug was edited keeps its lesson (and the progress on it) rather
    than archiving it and starting a new one."""

    def __init__(self, plan: LoadPlan):
        course_slugs = {plan.course_slug_by_path[lesson.course_path] for lesson in plan.lessons}
        candidates = (
            Lesson.objects.filter(course__slug__in=course_slugs)
            .select_related("course", "edited_by")
            .prefetch_related("tags")
        )
        self.by_slug = {(lesson.course_id, lesson.slug): lesson for lesson in candidates}
        self.by_path = {
            (lesson.course_id, lesson.source_path): lesson
            for lesson in self.by_slug.values()
            if lesson.status != Status.ARCHIVED and lesson.source_path
        }

    def find(self, course: Course, lesson_file: LessonFile) -> Lesson | None:
        return self.by_slug.get((course.id, lesson_file.slug)) or self.by_path.get(
            (course.id, lesson_file.path)
        )


def _save_rendering(row: Course | Lesson, path: str, markdown_line: int) -> None:
    """Save (which renders the markdown); markdown the renderer cannot take is a problem of the
    file, raised inside the transaction so that nothing of the load is kept. The files were
    checked for it (courses.content.parsing), so this is what that check cannot foresee."""
    try:
        row.save()
    except MarkdownNestingError as exc:
        problem = ContentProblem(path, markdown_line, None, exc.message(markdown_line))
        raise ContentError([problem]) from None


def _course_fields_set(course: Course, source: CourseFile) -> None:
    course.title = source.title
    course.tagline = source.tagline
    course.color = source.color
    course.order = source.order
    course.status = source.status
    course.intro_md = source.intro_md
    course.source_path = source.path
    course.source_hash = source.hash


def _lesson_fields_set(lesson: Lesson, source: LessonFile) -> None:
    lesson.slug = source.slug
    lesson.title = source.title
    lesson.order = source.order
    lesson.minutes = source.minutes
    lesson.level = source.level
    lesson.xp = source.xp
    lesson.language = source.language
    lesson.status = source.status
    lesson.publish_at = source.publish_at
    lesson.reviewed = source.reviewed
    lesson.summary = source.summary
    lesson.persona = source.persona
    lesson.body_md = source.body_md
    lesson.takeaways_md = source.takeaways_md
    lesson.exercise_md = source.exercise_md
    lesson.answer_md = source.answer_md
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
