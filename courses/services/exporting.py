"""Writing the database back to `content/`: content_export and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from courses.content.files import COURSE_FILE, CourseFile, LessonFile, SourceFile
from courses.content.writing import format_course, format_lesson
from courses.models import Course, Lesson, Status
from courses.signals import content_exporting


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)  # paths relative to the root
    unchanged: int = 0
    # Files changed since they were last loaded: exporting over them would lose that work.
    skipped: list[str] = field(default_factory=list)

    def write_file(
        self,
        root: Path,
        path: str,
        text: str,
        *,
        previous: bytes | None,
        edited_since_loaded: bool,
        force: bool,
    ) -> None:
        """Write `text` to `root/path` (whose bytes now are `previous`, None if there is no
        file), unless it already says that, or holds work never loaded and `force` is off."""
        data = text.encode("utf-8")
        if previous == data:
            self.unchanged += 1
            return
        if previous is not None and edited_since_loaded and not force:
            self.skipped.append(path)
            return
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written.append(path)

    def add(self, other: ExportReport) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.skipped += other.skipped


def content_export(*, root: Path, force: bool = False) -> ExportReport:
    """Write every course and lesson that is not archived to files under `root`, in the format
    load_content reads (content/README.md), so that loading them back changes nothing; the other
    apps write the files they own (courses.signals.content_exporting), so that `root` is a
    complete content folder.

    A lesson keeps the file it was loaded from. A file that already says the same thing is left
    untouched, and a changed one keeps the original lines of every field that did not change.
    A file edited since it was last loaded is not overwritten (it is reported) unless `force`.
    """
    report = ExportReport()
    lessons = Lesson.objects.exclude(status=Status.ARCHIVED).prefetch_related("tags").in_sequence()
    for course in Course.objects.exclude(status=Status.ARCHIVED).order_by("order", "title"):
        folder = _course_folder(course)
        path = f"{folder}/{COURSE_FILE}"
        previous = _read(root / path)
        text = format_course(CourseFile.from_course(course, path=path), previous)
        _write(report, root, path, text, previous, course, force)
        for lesson in lessons.filter(course=course):
            path = _lesson_path(lesson, folder)
            previous = _read(root / path)
            text = format_lesson(LessonFile.from_lesson(lesson, path=path), previous)
            _write(report, root, path, text, previous, lesson, force)
    for _receiver, other in content_exporting.send(sender=Course, root=root, force=force):
        if other is not None:
            report.add(other)
    return report


def _course_folder(course: Course) -> str:
    if course.source_path:
        return PurePosixPath(course.source_path).parent.as_posix()
    return course.slug


def _lesson_path(lesson: Lesson, folder: str) -> str:
    # A lesson moved to another course in admin gets a new file in that course's folder.
    if lesson.source_path and PurePosixPath(lesson.source_path).parent.as_posix() == folder:
        return lesson.source_path
    return f"{folder}/{lesson.order:02d}-{lesson.slug}.md"


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _write(
    report: ExportReport,
    root: Path,
    path: str,
    text: str,
    previous: bytes | None,
    row: Course | Lesson,
    force: bool,
) -> None:
    edited = previous is not None and SourceFile(path, previous).hash != row.source_hash
    report.write_file(root, path, text, previous=previous, edited_since_loaded=edited, force=force)
