import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext

from courses.content import ContentError
from courses.content.check_blocks import check_blocks_in
from courses.models import Course, Lesson, Status
from courses.services import content_load
from tests.courses.factories import lesson_text, write_course, write_lesson

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "content"
    course = write_course(root, "course-a")
    write_lesson(course, "first", order=1)
    write_lesson(course, "second", order=2, tags="testing, second")
    return root


def load(root: Path) -> str:
    out = io.StringIO()
    call_command("load_content", str(root), stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Lesson.objects.order_by("id").values_list("id", "slug", "title", "status", "body_html")
    )


def prose_of(body_md: str) -> str:
    """The body without its knowledge checks: what a reader reads through."""
    lines = body_md.split("\n")
    in_checks = {
        index for check in check_blocks_in(body_md)[0] for index in range(check.start, check.end)
    }
    return "\n".join(line for index, line in enumerate(lines) if index not in in_checks)


def test_sample_content_loads_every_course_and_lesson_with_all_elements(content_copy):
    output = load(content_copy)
    assert "courses: 2 created" in output
    lessons = Lesson.objects.select_related("course")
    assert Course.objects.count() == 2
    assert lessons.filter(course__slug="generative-media", status=Status.PUBLISHED).count() == 10
    assert lessons.filter(course__slug="prompt-craft").count() >= 3
    for lesson in lessons:
        assert lesson.summary and lesson.persona == "피파", lesson
        assert "<li>" in lesson.takeaways_html, lesson
        assert lesson.exercise_html.strip(), lesson
        assert lesson.links, lesson
        assert lesson.toc, lesson
        words = len(prose_of(lesson.body_md).split())
        if lesson.course.slug == "generative-media":
            assert 600 <= words <= 1200, (lesson, words)


def test_second_load_reports_everything_unchanged_and_writes_nothing(tree):
    load(tree)
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        output = load(tree)
    assert "courses: 0 created, 0 updated, 1 unchanged, 0 archived" in output
    assert "lessons: 0 created, 0 updated, 2 unchanged, 0 archived" in output
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert snapshot() == before


def test_changed_lesson_is_updated_in_place_and_keeps_its_id(tree):
    load(tree)
    first = Lesson.objects.get(slug="first")
    write_lesson(
        tree / "course-a", "first", order=1, title="A better title", body="New **bold** text."
    )
    output = load(tree)
    assert "lessons: 0 created, 1 updated, 1 unchanged" in output
    updated = Lesson.objects.get(slug="first")
    assert updated.id == first.id
    assert updated.title == "A better title"
    assert "<strong>bold</strong>" in updated.body_html


def test_renamed_slug_keeps_the_same_lesson(tree):
    load(tree)
    first = Lesson.objects.get(slug="first")
    (tree / "course-a" / "01-first.md").write_text(
        lesson_text("renamed", order=1), encoding="utf-8"
    )
    load(tree)
    assert Lesson.objects.get(id=first.id).slug == "renamed"
    assert not Lesson.objects.filter(slug="first").exists()


def test_removed_file_archives_the_lesson_and_restoring_it_brings_it_back(tree):
    load(tree)
    second = Lesson.objects.get(slug="second")
    saved = (tree / "course-a" / "02-second.md").read_text(encoding="utf-8")
    (tree / "course-a" / "02-second.md").unlink()

    output = load(tree)
    assert "lessons: 0 created, 0 updated, 1 unchanged, 1 archived" in output
    second.refresh_from_db()
    assert second.status == Status.ARCHIVED

    (tree / "course-a" / "02-second.md").write_text(saved, encoding="utf-8")
    load(tree)
    second.refresh_from_db()
    assert second.status == Status.PUBLISHED
    assert Lesson.objects.count() == 2


def test_removed_course_folder_archives_course_and_lessons(tree):
    other = write_course(tree, "course-b", order=2)
    write_lesson(other, "only", order=1)
    load(tree)
    for path in other.iterdir():
        path.unlink()
    other.rmdir()
    load(tree)
    assert Course.objects.get(slug="course-b").status == Status.ARCHIVED
    assert Lesson.objects.get(slug="only").status == Status.ARCHIVED
    assert Course.objects.get(slug="course-a").status == Status.PUBLISHED


BAD_LESSONS = {
    "missing title": (
        lambda text: text.replace("title: Lesson bad\n", ""),
        "02-bad.md:2: title: missing required field",
    ),
    "broken yaml": (
        lambda text: text.replace("tags: [testing]", "tags: [testing"),
        "02-bad.md:8: broken YAML in the front matter",
    ),
    "unknown status": (
        lambda text: text.replace("status: published", "status: live"),
        "02-bad.md:8: status: unknown status 'live': use draft or published",
    ),
    "bad url": (
        lambda text: text.replace("https://example.com/", "htp:/nowhere"),
        "02-bad.md:11: links[1]: bad URL 'htp:/nowhere'",
    ),
    "unknown field": (
        lambda text: text.replace("minutes: 5", "minuts: 5"),
        "02-bad.md:5: minuts: unknown field",
    ),
    "minutes not a number": (
        lambda text: text.replace("minutes: 5", "minutes: five"),
        "02-bad.md:5: minutes: must be a whole number",
    ),
    "no front matter": (
        lambda text: text.split("---\n", 2)[2],
        "02-bad.md:1: must start with YAML front matter",
    ),
    "missing takeaways": (
        lambda text: text.replace("!!! takeaways\n    - One thing to keep.\n", ""),
        "takeaways: missing '!!! takeaways' block",
    ),
    "empty exercise": (
        lambda text: text.replace("    Try it yourself.\n", ""),
        "exercise: '!!! exercise' block is empty",
    ),
}


@pytest.mark.parametrize("case", BAD_LESSONS, ids=list(BAD_LESSONS))
def test_bad_lesson_is_reported_with_file_line_and_field_and_nothing_is_written(tree, case):
    load(tree)
    before = snapshot()
    # A valid edit next to the bad file must not be applied either: all or nothing.
    write_lesson(tree / "course-a", "first", order=1, title="Should not land")
    spoil, expected = BAD_LESSONS[case]
    (tree / "course-a" / "02-second.md").unlink()
    (tree / "course-a" / "02-bad.md").write_text(
        spoil(lesson_text("bad", order=2)), encoding="utf-8"
    )

    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_content", str(tree), stdout=io.StringIO(), stderr=err)
    assert expected in err.getvalue()
    assert "course-a/02-bad.md" in err.getvalue()
    assert snapshot() == before


def test_non_utf8_file_names_the_line(tree):
    (tree / "course-a" / "03-latin1.md").write_bytes(
        lesson_text("latin1", order=3, summary="plain")
        .replace("Some text.", "Caf\u00e9")
        .encode("latin-1")
    )
    with pytest.raises(ContentError) as excinfo:
        content_load(root=tree)
    message = str(excinfo.value)
    assert "course-a/03-latin1.md:17: not valid UTF-8 text (byte 0xe9)" in message
    assert Lesson.objects.count() == 0


def test_duplicate_slug_names_both_files(tree):
    write_lesson(tree / "course-a", "first", order=3)  # a second file with slug "first"
    with pytest.raises(ContentError) as excinfo:
        content_load(root=tree)
    message = str(excinfo.value)
    assert (
        "course-a/01-first.md:3: slug: duplicate lesson slug 'first' (also in course-a/03-first.md)"
        in message
    )
    assert "course-a/03-first.md:3: slug: duplicate lesson slug 'first'" in message


def test_duplicate_order_is_an_error(tree):
    write_lesson(tree / "course-a", "third", order=2)
    (tree / "course-a" / "02-third.md").rename(tree / "course-a" / "05-third.md")
    with pytest.raises(ContentError, match="duplicate lesson order 2"):
        content_load(root=tree)


def test_every_problem_is_reported_not_just_the_first(tree):
    text = lesson_text("bad", order=3).replace("status: published", "status: live")
    text = text.replace("minutes: 5", "minutes: 0")
    (tree / "course-a" / "03-bad.md").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        content_load(root=tree)
    fields = {error.field for error in excinfo.value.errors}
    assert {"status", "minutes"} <= fields


def test_course_folder_without_course_file_is_an_error(tree):
    (tree / "stray").mkdir()
    with pytest.raises(ContentError, match="stray/: course folder has no course.md"):
        content_load(root=tree)


def test_empty_folder_refuses_to_archive_everything(tree, tmp_path):
    load(tree)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ContentError, match="no course folders found"):
        content_load(root=empty)
    assert Lesson.objects.exclude(status=Status.ARCHIVED).count() == 2


def test_check_mode_reports_but_writes_nothing(tree):
    out = io.StringIO()
    call_command("load_content", str(tree), "--check", stdout=out)
    assert "lessons: 2 created" in out.getvalue()
    assert Lesson.objects.count() == 0


def test_defaults_apply_when_optional_fields_are_left_out(tree):
    text = lesson_text("plain", order=3)
    text = text.replace("level: 1\n", "").replace("tags: [testing]\n", "")
    (tree / "course-a" / "03-plain.md").write_text(text, encoding="utf-8")
    content_load(root=tree)
    lesson = Lesson.objects.get(slug="plain")
    assert (lesson.xp, lesson.level, lesson.persona) == (50, 1, "피파")
    assert list(lesson.tags.all()) == []


@pytest.mark.parametrize(
    "command", [["load_content", "--check"], ["load_content"], ["export_content"]]
)
def test_a_database_never_migrated_is_named_as_the_problem(tmp_path, content_copy, command):
    # A real run against an empty SQLite file: the test database is migrated already.
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "DEBUG": "true",
    }
    path = tmp_path / "out" if command[0] == "export_content" else content_copy
    result = subprocess.run(
        [sys.executable, "manage.py", *command, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "the database has no tables yet: run `manage.py migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_missing_a_migration_is_named_as_the_problem(tree):
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="courses").order_by("-name").first()
    latest.delete()
    with pytest.raises(CommandError, match="not up to date") as excinfo:
        load(tree)
    assert f"courses.{latest.name}): run `manage.py migrate` first" in str(excinfo.value)
    assert Lesson.objects.count() == 0
