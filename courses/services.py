"""Writes to courses and lessons that touch many rows: loading `content/` into the database,
exporting it back to files, publishing from admin, and the Instructor group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from courses.content import (
    ContentError,
    ContentProblem,
    CourseFile,
    LessonFile,
    SourceFile,
    duplicate_message,
    format_course,
    format_lesson,
    parse_course,
    parse_lesson,
    scan,
)
from courses.models import Course, Lesson, LessonRevision, Status, Tag
from courses.revisions import lesson_snapshot, revision_for, revision_record
from courses.signals import content_loading


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


@dataclass(frozen=True)
class Conflict:
    """A file that changed since the last load, for a course or lesson edited in admin since."""

    path: str
    kind: str  # "course" or "lesson"
    slug: str
    title: str
    edited_by: str
    edited_at: datetime

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
    # What the other apps loaded from the same folder (courses.signals.content_loading).
    others: dict[str, str] = field(default_factory=dict)

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
    plan = _plan(sources, errors)
    with transaction.atomic():
        report = _apply(plan, force=force) if not errors else LoadReport()
        # Every app's problems are reported together; raising here rolls back all of it.
        for _receiver, result in content_loading.send_robust(sender=Course, root=root):
            if isinstance(result, ContentError):
                errors.extend(result.errors)
            elif isinstance(result, BaseException):
                raise result
            else:
                report.others.update(result)
        if errors:
            raise ContentError(errors)
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
                ContentProblem(path, line, field_name, duplicate_message(what, value, others))
            )


def _apply(plan: _Plan, *, force: bool) -> LoadReport:
    report = LoadReport()
    now = timezone.now()
    report.courses.unchanged = len(plan.unchanged_course_ids)
    report.lessons.unchanged = len(plan.unchanged_lesson_ids)

    courses_by_slug = {c.slug: c for c in Course.objects.select_related("edited_by")}
    for course_file in plan.courses:
        course = courses_by_slug.get(course_file.slug)
        if course is not None and course_as_file(course).content() == course_file.content():
            _mark_loaded(course, course_file, now)
            report.courses.unchanged += 1
            continue
        if course is not None and course.edited_since_loaded and not force:
            report.conflicts.append(_conflict(course_file.path, "course", course))
            continue
        is_new = course is None
        course = course or Course(slug=course_file.slug)
        course.title = course_file.title
        course.tagline = course_file.tagline
        course.order = course_file.order
        course.status = course_file.status
        course.intro_md = course_file.intro_md
        course.source_path = course_file.path
        course.source_hash = course_file.hash
        course.loaded_at = now
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
    candidates = (
        Lesson.objects.filter(
            course__slug__in={plan.course_slugs[lesson.course_path] for lesson in plan.lessons}
        )
        .select_related("course", "edited_by")
        .prefetch_related("tags")
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
    revisions: list[LessonRevision] = []
    for lesson_file in plan.lessons:
        course = courses_by_slug[plan.course_slugs[lesson_file.course_path]]
        lesson = by_key.get((course.id, lesson_file.slug)) or by_path.get(
            (course.id, lesson_file.path)
        )
        before = None
        if lesson is not None:
            kept_lesson_ids.add(lesson.id)
            if lesson_as_file(lesson).content() == lesson_file.content():
                _mark_loaded(lesson, lesson_file, now)
                report.lessons.unchanged += 1
                continue
            before = lesson_snapshot(lesson)
            if lesson.edited_since_loaded:
                if not force:
                    report.conflicts.append(_conflict(lesson_file.path, "lesson", lesson))
                    continue
                revisions.append(
                    revision_for(
                        lesson,
                        kind=LessonRevision.Kind.KEPT,
                        author=lesson.edited_by,
                        before=None,
                        after=before,
                        note=f"admin version, overwritten by load_content --force from "
                        f"{lesson_file.path}",
                        at=now,
                    )
                )
        is_new = lesson is None
        lesson = lesson or Lesson(course=course)
        _copy_lesson_fields(lesson_file, lesson)
        lesson.loaded_at = now
        lesson.save()
        lesson.tags.set([tags[slug] for slug in lesson_file.tags])
        kept_lesson_ids.add(lesson.id)
        revisions.append(
            revision_for(
                lesson,
                kind=LessonRevision.Kind.LOADED,
                before=before,
                after=lesson_snapshot(lesson, tags=lesson_file.tags),
                note=lesson_file.path,
                at=now,
            )
        )
        if is_new:
            report.lessons.created += 1
        else:
            report.lessons.updated += 1
    LessonRevision.objects.bulk_create(revisions)

    # Lessons made in admin (no source file) are not the loader's to archive.
    report.lessons.archived = _archive(
        Lesson.objects.exclude(id__in=kept_lesson_ids)
        .exclude(status=Status.ARCHIVED)
        .exclude(source_path=""),
        now,
    )
    return report


def _conflict(path: str, kind: str, obj: Course | Lesson) -> Conflict:
    who = obj.edited_by.get_username() if obj.edited_by else "a deleted user"
    return Conflict(path, kind, obj.slug, obj.title, who, obj.edited_at)


def _mark_loaded(obj: Course | Lesson, source: CourseFile | LessonFile, now) -> None:
    """The file says what the row says (e.g. it was exported from it): only note the new bytes."""
    type(obj).objects.filter(pk=obj.pk).update(
        source_path=source.path, source_hash=source.hash, loaded_at=now
    )


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
    lesson.publish_at = source.publish_at
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


def course_as_file(course: Course, *, path: str = "") -> CourseFile:
    """A course as its course.md would say it."""
    return CourseFile(
        path=path or course.source_path,
        hash="",
        slug=course.slug,
        title=course.title.strip(),
        order=course.order,
        tagline=course.tagline.strip(),
        status=course.status,
        intro_md=_md(course.intro_md) + "\n",
    )


def lesson_as_file(lesson: Lesson, *, path: str = "") -> LessonFile:
    """A lesson as its file would say it (tags from a prefetch when there is one)."""
    return LessonFile(
        path=path or lesson.source_path,
        hash="",
        course_path="",
        slug=lesson.slug,
        title=lesson.title.strip(),
        order=lesson.order,
        minutes=lesson.minutes,
        level=lesson.level,
        xp=lesson.xp,
        status=lesson.status,
        publish_at=lesson.publish_at,
        summary=lesson.summary.strip(),
        persona=lesson.summary_by,
        tags=sorted(tag.slug for tag in lesson.tags.all()),
        links=[{"title": link["title"], "url": link["url"]} for link in lesson.links],
        body_md=_md(lesson.body_md) + "\n",
        takeaways_md=_md(lesson.takeaways_md),
        exercise_md=_md(lesson.exercise_md),
    )


def _md(text: str) -> str:
    return text.replace("\r\n", "\n").strip("\n")


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Files changed since they were last loaded: exporting over them would lose that work.
    skipped: list[str] = field(default_factory=list)


def content_export(*, root: Path, force: bool = False) -> ExportReport:
    """Write every course and lesson that is not archived to files under `root`, in the format
    load_content reads (content/README.md), so that loading them back changes nothing.

    A lesson keeps the file it was loaded from. A file that already says the same thing is left
    untouched, and a changed one keeps the original lines of every field that did not change.
    A file edited since it was last loaded is not overwritten (it is reported) unless `force`.
    """
    report = ExportReport()
    lessons = (
        Lesson.objects.exclude(status=Status.ARCHIVED)
        .prefetch_related("tags")
        .order_by("order", "id")
    )
    courses = Course.objects.exclude(status=Status.ARCHIVED).order_by("order", "title")
    for course in courses:
        folder = (
            PurePosixPath(course.source_path).parent.as_posix()
            if course.source_path
            else course.slug
        )
        path = f"{folder}/course.md"
        previous = _read(root / path)
        text = format_course(course_as_file(course, path=path), previous)
        _export_file(root, path, text, previous, course.source_hash, force, report)
        for lesson in lessons.filter(course=course):
            # A lesson moved to another course in admin gets a new file in that course's folder.
            in_folder = PurePosixPath(lesson.source_path).parent.as_posix() == folder
            path = (
                lesson.source_path
                if lesson.source_path and in_folder
                else f"{folder}/{lesson.order:02d}-{lesson.slug}.md"
            )
            previous = _read(root / path)
            text = format_lesson(lesson_as_file(lesson, path=path), previous)
            _export_file(root, path, text, previous, lesson.source_hash, force, report)
    return report


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _export_file(
    root: Path,
    path: str,
    text: str,
    previous: bytes | None,
    loaded_hash: str,
    force: bool,
    report: ExportReport,
) -> None:
    data = text.encode("utf-8")
    if previous == data:
        report.unchanged += 1
        return
    if previous is not None and SourceFile(path, previous).hash != loaded_hash and not force:
        report.skipped.append(path)
        return
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    report.written.append(path)


def lessons_set_status(*, lessons, status: str, user) -> int:
    """Publish (now) or unpublish lessons from admin; each change is an edit with a revision."""
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for lesson in lessons.select_related("course").prefetch_related("tags"):
            scheduled = status == Status.PUBLISHED and lesson.is_scheduled
            if lesson.status == status and not scheduled:
                continue
            before = lesson_snapshot(lesson)
            lesson.status = status
            if scheduled:
                lesson.publish_at = None  # "publish" means now, not at the scheduled time
            lesson.edited_at, lesson.edited_by = now, user
            lesson.save()
            revision_record(
                lesson=lesson, kind=LessonRevision.Kind.EDITED, author=user, before=before
            )
            changed += 1
    return changed


INSTRUCTOR_GROUP = "Instructor"


def instructor_permissions() -> dict[str, list[str]]:
    """{app label: codenames} of what instructors may do, as each installed app declares it
    (an `instructor_permissions` list on its AppConfig, naming its own models' permissions)."""
    return {
        config.label: list(config.instructor_permissions)
        for config in apps.get_app_configs()
        if getattr(config, "instructor_permissions", None)
    }


def instructor_group_sync() -> Group:
    """Create the Instructor group, or set its permissions back to exactly what the apps declare.

    Safe to run any number of times; permissions of models that do not exist yet are skipped,
    so run it again (`manage.py setup_roles`, or any `migrate`) after adding models.
    """
    wanted = Permission.objects.none()
    for app_label, codenames in instructor_permissions().items():
        wanted |= Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    group, _ = Group.objects.get_or_create(name=INSTRUCTOR_GROUP)
    group.permissions.set(wanted)
    return group
